import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_EXAMPLES, CONFIG_KEYS, ConfigurationError, loadConfig } from '../../lib/config.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const EXAMPLE = join(ROOT, 'examples/newsroom.config.yaml');
const REQUIRED = { senderAddress: 'briefs@example.com', senderName: 'Brief', postalAddress: '1 Main St' };

/** loadConfig over a plain context object (what `-c` and cdk.json provide). */
const load = (context: Record<string, unknown>, files: Record<string, string> = {}) =>
  loadConfig((key) => context[key], {
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error('ENOENT: no such file');
      return text;
    },
  });

/** The error message loadConfig throws for `context`. */
function errorFor(context: Record<string, unknown>, files: Record<string, string> = {}): string {
  try {
    load(context, files);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigurationError');
}

describe('configuration', () => {
  it('loads the shipped newsroom example', () => {
    const config = loadConfig((key) => ({ configFile: EXAMPLE })[key]);
    expect(config).toMatchObject({
      senderAddress: 'briefs@newsroom.example.com',
      topics: ['world', 'asia', 'us-politics', 'diplomacy'],
      schedules: { daily: { cron: 'cron(0 7 * * ? *)', timeZone: 'Asia/Kolkata' } },
      removalPolicy: 'retain',
    });
  });

  it('fills documented defaults for optional keys', () => {
    expect(load(REQUIRED)).toMatchObject({
      topics: ['news'],
      maxSendRate: 14,
      senderConcurrency: 2,
      apiThrottling: { rateLimit: 20, burstLimit: 40 },
      allowedOrigins: [],
      schedules: { daily: { cron: 'cron(0 7 * * ? *)', timeZone: 'UTC' }, weekly: { cron: 'cron(0 7 ? * MON *)', timeZone: 'UTC' } },
      removalPolicy: 'retain',
    });
  });

  it('names each missing required key with an example', () => {
    const message = errorFor({ senderName: 'Brief' });
    expect(message).toContain('senderAddress: is required. Example: senderAddress: briefs@newsroom.example.com');
    expect(message).toContain('postalAddress: is required. Example: postalAddress:');
    expect(message).not.toContain('senderName');
    expect(message).not.toMatch(/\n\s+at /); // no stack trace
  });

  it.each([
    [{ senderAddress: 'not-an-email' }, 'senderAddress:'],
    [{ schedules: { daily: { cron: 'cron(0 7 * * * *)', timeZone: 'UTC' } } }, 'schedules.daily.cron: exactly one of day-of-month'],
    [{ schedules: { daily: { cron: '0 7 * * ?', timeZone: 'UTC' } } }, 'schedules.daily.cron: must have 6 fields'],
    [{ schedules: { daily: { cron: 'cron(0 7 * * ? *)', timeZone: 'Mars/Olympus' } } }, 'schedules.daily.timeZone: must be an IANA time zone'],
    [{ schedules: { hourly: { cron: 'cron(0 * * * ? *)', timeZone: 'UTC' } } }, 'schedules.hourly'],
    [{ topics: ['World News'] }, 'topics.0: must be a lower-case slug'],
    [{ senderConcurrency: 1 }, 'senderConcurrency:'],
    [{ apiThrottling: { rateLimit: 10 } }, 'apiThrottling.burstLimit: is required'],
    [{ logRetentionDays: 31 }, 'logRetentionDays: must be one of the retention periods'],
    [{ hostedZoneId: 'Z0123456789ABCDEFGHIJ' }, 'domain: is required when hostedZoneId is set'],
    [{ domain: 'other.example.org' }, 'senderAddress: must be an address at domain "other.example.org"'],
    [{ topics: ['world'], topicRules: { sport: ['football'] } }, 'topicRules.sport: "sport" is not one of topics [world]'],
    [{ siteUrl: 'http://insecure.example.com' }, 'siteUrl:'],
  ])('rejects %j naming the key', (bad, expected) => {
    const message = errorFor({ ...REQUIRED, ...bad });
    expect(message).toContain(expected);
    expect(message).toContain('Example:');
  });

  it.each([
    [{ senderName: 42 }, 'senderName: Invalid input: expected string, received number'],
    [{ maxSendRate: 'fast' }, 'maxSendRate: '],
    [{ apiThrottling: 5 }, 'apiThrottling: Invalid input: expected object, received number'],
  ])('calls a present key of the wrong type wrong, not missing: %j', (bad, expected) => {
    const message = errorFor({ ...REQUIRED, ...bad });
    expect(message).toContain(expected);
    expect(message).not.toContain('is required');
  });

  it('decodes -c strings: JSON for structured keys, commas for lists, numbers', () => {
    const config = load({
      ...REQUIRED,
      topics: 'world, asia',
      allowedOrigins: '["https://a.example.com/form"]',
      schedules: '{"weekly":{"cron":"0 9 ? * FRI *","timeZone":"Europe/Berlin"}}',
      maxSendRate: '50',
    });
    expect(config.topics).toEqual(['world', 'asia']);
    expect(config.allowedOrigins).toEqual(['https://a.example.com']);
    expect(config.schedules).toEqual({ weekly: { cron: 'cron(0 9 ? * FRI *)', timeZone: 'Europe/Berlin' } });
    expect(config.maxSendRate).toBe(50);
  });

  it('lets context keys override the config file, and rejects unknown keys in the file', () => {
    const file = 'senderAddress: a@example.com\nsenderName: File\npostalAddress: Here\n';
    expect(load({ configFile: 'c.yaml', senderName: 'Context' }, { 'c.yaml': file }).senderName).toBe('Context');
    const message = errorFor({ configFile: 'c.yaml' }, { 'c.yaml': `${file}sendrRate: 3\n` });
    expect(message).toContain('sendrRate: unknown key');
    expect(message).toContain('(from c.yaml and CDK context)');
  });

  it('reports an unreadable or malformed config file by name', () => {
    expect(errorFor({ configFile: 'missing.yaml' })).toContain('configFile: cannot read "missing.yaml"');
    expect(errorFor({ configFile: 'bad.yaml' }, { 'bad.yaml': 'senderName: [unclosed' })).toContain('bad.yaml: not valid YAML/JSON');
    expect(errorFor({ configFile: 'list.yaml' }, { 'list.yaml': '- a\n- b\n' })).toContain('list.yaml: must be a mapping');
  });

  it('has an example for every key, and the example file mentions every key', () => {
    const example = readFileSync(EXAMPLE, 'utf8');
    for (const key of CONFIG_KEYS) {
      expect(CONFIG_EXAMPLES[key], key).toMatch(new RegExp(`^${key}: `));
      expect(example, key).toMatch(new RegExp(`^#? ?${key}:`, 'm'));
    }
  });

  it('fails `cdk synth` with the readable message and exit code 1, not a stack trace', () => {
    const outdir = mkdtempSync(join(ROOT, 'out', 'infra-bad-config-'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/newsbrief.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        // How the CDK CLI hands context (-c) to the app.
        CDK_CONTEXT_JSON: JSON.stringify({ configFile: EXAMPLE, senderAddress: 'newsroom', maxSendRate: '0' }),
      },
      timeout: 60_000,
    });
    rmSync(outdir, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid newsbrief configuration');
    expect(result.stderr).toContain('senderAddress:');
    expect(result.stderr).toContain('maxSendRate:');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
