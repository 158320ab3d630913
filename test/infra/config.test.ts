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
      schedules: { daily: { cron: 'cron(0 7 * * ? *)', timeZone: 'Etc/UTC' }, weekly: { cron: 'cron(0 7 ? * MON *)', timeZone: 'Etc/UTC' } },
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

  describe('schedules (EventBridge Scheduler syntax)', () => {
    const cronError = (cron: string) => errorFor({ ...REQUIRED, schedules: { daily: { cron, timeZone: 'UTC' } } });
    const cronOf = (cron: string) => load({ ...REQUIRED, schedules: { daily: { cron, timeZone: 'UTC' } } }).schedules.daily?.cron;

    it.each([
      ['cron(0 25 * * ? *)', "Number '25' of hours field is bigger than upper limit '23'"],
      ['cron(75 7 ? * FUNDAY 1999)', "Number '75' of minutes field is bigger than upper limit '59'"],
      ['cron(0 7 ? * FUNDAY *)', "Element 'FUNDAY' of daysOfWeek field is invalid"],
      ['cron(0 7 ? * MON 1999)', 'every year in it has passed'],
      ['cron(0 7 ? * 3#0 *)', 'the occurrence after # must be 1 to 5'],
      ['cron(0 7 ? * 3#6 *)', 'cannot be greater than 5'],
      ['cron(0 7 ? * 3#1,6#3 *)', 'Nth weekday'],
      ['cron(0 7 ? * 0 *)', "Number '0' of daysOfWeek field is smaller than lower limit '1'"],
      ['cron(0 7 32 * ? *)', "Number '32' of daysOfMonth field is bigger than upper limit '31'"],
      ['cron(0 7 W * ? *)', "The 'W' must be preceded by a day"],
      ['cron(0 7 ? 13 MON *)', "Number '13' of months field is bigger than upper limit '12'"],
      ['cron(0 7 * 13 ? *)', "Number '13' of months field is bigger than upper limit '12'"],
      ['cron(0 7 * * ? 2300)', "Number '2300' of years field is bigger than upper limit '2199'"],
      ['cron(? 7 * * ? *)', 'blank notation is not allowed in minutes field'],
      ['cron(0 7 ? * ? *)', 'exactly one of day-of-month'],
      ['cron(0 7 * * * *)', 'exactly one of day-of-month'],
      ['cron(*/0 7 * * ? *)', "cannot be zero"],
      ['rate(0 days)', 'at least 1'],
      ['rate(1 days)', 'write "1 day"'],
      ['rate(2 day)', 'write "2 days"'],
      ['rate(5 seconds)', 'must be rate('],
      ['rate(-1 hours)', 'must be rate('],
      ['at(2030-01-01T07:00:00)', 'must have 6 fields'],
    ])('refuses %s at synth, naming schedules.daily.cron', (cron, reason) => {
      const message = cronError(cron);
      expect(message).toContain('schedules.daily.cron:');
      expect(message).toContain(reason);
    });

    it.each([
      ['cron(0 7 * * ? *)', 'cron(0 7 * * ? *)'],
      ['  0   7 ? * mon-fri *  ', 'cron(0 7 ? * mon-fri *)'],
      ['cron(0 7 L * ? *)', 'cron(0 7 L * ? *)'],
      ['cron(0 7 15W * ? *)', 'cron(0 7 15W * ? *)'],
      ['cron(0 7 ? * 6L *)', 'cron(0 7 ? * 6L *)'],
      ['cron(0 7 ? * 3#2 *)', 'cron(0 7 ? * 3#2 *)'],
      ['cron(0/15 6-9 ? JAN-MAR,DEC MON,WED,FRI 2020/2)', 'cron(0/15 6-9 ? JAN-MAR,DEC MON,WED,FRI 2020/2)'],
      ['cron(30 6 1,15 * ? 2026-2199)', 'cron(30 6 1,15 * ? 2026-2199)'],
      ['rate(1 day)', 'rate(1 day)'],
      ['rate( 12  hours )', 'rate(12 hours)'],
    ])('accepts %j as %s', (cron, written) => {
      expect(cronOf(cron)).toBe(written);
    });
  });

  describe('time zones', () => {
    const zoneOf = (timeZone: string) => load({ ...REQUIRED, schedules: { daily: { cron: 'cron(0 7 * * ? *)', timeZone } } }).schedules.daily?.timeZone;

    it.each([
      ['Asia/Kolkata', 'Asia/Kolkata'],
      ['asia/kolkata', 'Asia/Kolkata'],
      ['Asia/Calcutta', 'Asia/Kolkata'],
      ['utc', 'Etc/UTC'],
      ['UTC', 'Etc/UTC'],
      ['Europe/Kiev', 'Europe/Kyiv'],
      ['US/Eastern', 'America/New_York'],
      ['Etc/GMT+5', 'Etc/GMT+5'],
      [' europe/berlin ', 'Europe/Berlin'],
    ])('writes %j as the canonical IANA name %s', (given, canonical) => {
      expect(zoneOf(given)).toBe(canonical);
    });

    it.each(['+05:30', 'GMT+5:30', 'Mars/Olympus', 'IST', 'Asia', ''])('refuses %j', (timeZone) => {
      const message = errorFor({ ...REQUIRED, schedules: { daily: { cron: 'cron(0 7 * * ? *)', timeZone } } });
      expect(message).toContain('schedules.daily.timeZone: must be an IANA time zone name');
    });
  });

  describe('text that reaches headers, footers and the template', () => {
    it.each([
      ['senderName', 'Brief\r\nBcc: victim@example.com'],
      ['senderName', 'Brief\nX'],
      ['newsletterName', 'Morning\rBrief'],
      ['postalAddress', '1 Main St\n2nd floor'],
    ])('refuses a CR or LF in %s', (key, value) => {
      expect(errorFor({ ...REQUIRED, [key]: value })).toContain(`${key}: must be one line without control characters`);
    });

    it.each([
      ['postalAddress', '{{resolve:secretsmanager:prod/db:SecretString:password}}'],
      ['senderName', 'Brief {{resolve:ssm:/newsroom/name}}'],
      ['newsletterName', '{{RESOLVE:ssm-secure:/x}}'],
    ])('refuses a CloudFormation dynamic reference in %s', (key, value) => {
      expect(errorFor({ ...REQUIRED, [key]: value })).toContain(`${key}: must not contain a CloudFormation dynamic reference`);
    });

    it('refuses dynamic references and CDK tokens in structured keys too, naming the path', () => {
      const message = errorFor({ ...REQUIRED, topics: ['asia'], topicRules: { asia: ['kim', '{{resolve:ssm:/k}}'] } });
      expect(message).toContain('topicRules.asia.1: must not contain a CloudFormation dynamic reference');
      const token = errorFor({ ...REQUIRED, senderName: '${Token[TOKEN.123]}' });
      expect(token).toContain('senderName: must be plain text, not a CDK token');
      expect(token).not.toMatch(/\n\s+at /);
    });

    it.each([
      ['senderName', 101],
      ['newsletterName', 101],
      ['postalAddress', 301],
    ])('bounds %s to fewer than %i characters', (key, length) => {
      expect(errorFor({ ...REQUIRED, [key]: 'x'.repeat(length) })).toContain(`${key}: Too big`);
      expect(() => load({ ...REQUIRED, [key]: 'x'.repeat(length - 1) })).not.toThrow();
    });

    it('bounds topics, keywords and keywords per topic', () => {
      expect(errorFor({ ...REQUIRED, topics: ['x'.repeat(51)] })).toContain('topics.0: Too big');
      expect(errorFor({ ...REQUIRED, topics: Array.from({ length: 51 }, (_, i) => `t${i}`) })).toContain('topics: Too big');
      expect(errorFor({ ...REQUIRED, topics: ['a'], topicRules: { a: ['k'.repeat(101)] } })).toContain('topicRules.a.0: Too big');
      expect(errorFor({ ...REQUIRED, topics: ['a'], topicRules: { a: Array.from({ length: 101 }, (_, i) => `k${i}`) } })).toContain('topicRules.a: Too big');
    });
  });

  describe('an SES identity that already exists', () => {
    it('accepts the sender address as SES has it, or a domain the sender is at (lower-cased)', () => {
      expect(load({ ...REQUIRED, existingIdentity: 'Briefs@Example.com' }).existingIdentity).toBe('Briefs@Example.com');
      expect(load({ ...REQUIRED, existingIdentity: 'Example.COM' }).existingIdentity).toBe('example.com');
    });

    it.each([
      [{ existingIdentity: 'other@example.com' }, 'senderAddress: must be the existing identity "other@example.com"'],
      [{ existingIdentity: 'example.org' }, 'senderAddress: must be an address at the existing identity "example.org"'],
      [{ existingIdentity: 'example.com', domain: 'example.com' }, 'existingIdentity: cannot be combined with domain or hostedZoneId'],
      [{ existingIdentity: 'not an identity' }, 'existingIdentity: must be a verified SES identity'],
    ])('refuses %j', (bad, expected) => {
      expect(errorFor({ ...REQUIRED, ...bad })).toContain(expected);
    });
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
