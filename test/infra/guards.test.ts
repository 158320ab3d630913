import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../../lib/config.ts';
import { environmentSize, LAMBDA_ENVIRONMENT_LIMIT } from '../../lib/environment.ts';
import { NewsbriefStack } from '../../lib/newsbrief-stack.ts';
import { cdkJsonContext } from './synth.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const EXAMPLE = join(ROOT, 'examples/newsroom.config.yaml');

/** Build the stack (no synth) over the example with `context` on top; returns the error message, if any. */
function constructError(context: Record<string, unknown>): string | undefined {
  const app = new App({ context: { ...cdkJsonContext(), configFile: EXAMPLE, ...context, 'aws:cdk:bundling-stacks': [] } });
  try {
    new NewsbriefStack(app, 'Newsbrief', { config: loadConfig((key) => app.node.tryGetContext(key)) });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
}

/** Run bin/newsbrief.ts as `cdk synth` does, with `context` as -c values. */
function runApp(context: Record<string, unknown>): { status: number | null; stderr: string } {
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  const outdir = mkdtempSync(join(ROOT, 'out', 'infra-guard-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/newsbrief.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), configFile: EXAMPLE, ...context }) },
    timeout: 120_000,
  });
  rmSync(outdir, { recursive: true, force: true });
  return { status: result.status, stderr: result.stderr };
}

// Fifteen topics of fourteen keywords: the size the issue measured at about 4 KB. No feeds: the
// example's feeds follow the example's topics, which these replace.
const topics = Array.from({ length: 15 }, (_, i) => `topic-${i}`);
const bigRules = Object.fromEntries(topics.map((t) => [t, Array.from({ length: 14 }, (_, k) => `keyword number ${k} of ${t}`)]));

describe("Lambda's 4 KB environment limit", () => {
  it('fails synth naming topicRules when the rules would not fit', () => {
    const message = constructError({ topics: JSON.stringify(topics), topicRules: JSON.stringify(bigRules), feeds: '[]' });
    expect(message).toMatch(/topicRules: the (ingest|digest) function's environment would take up to \d+ bytes, over Lambda's 4096-byte limit/);
    expect(message).toContain('topicRules (TOPIC_RULES,');
  });

  it('passes the example, with room to spare', () => {
    expect(constructError({})).toBeUndefined();
  });

  it('counts names and values, and a deploy-time value at its bound', () => {
    expect(environmentSize({ A: 'xy' })).toBe(128 + 3);
    expect(environmentSize({ A: '${Token[TOKEN.1]}' })).toBe(128 + 1 + 256);
    expect(LAMBDA_ENVIRONMENT_LIMIT).toBe(4096);
  });
});

describe('cdk synth with a bad configuration', () => {
  it('names a key holding a CDK token instead of crashing with a stack trace', () => {
    const { status, stderr } = runApp({ senderName: '${Token[TOKEN.1234]}' });
    expect(stderr).toContain('senderName: must be plain text, not a CDK token');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(status).toBe(1);
  }, 120_000);

  it('names topicRules when the environment would be too large', () => {
    const { status, stderr } = runApp({ topics: JSON.stringify(topics), topicRules: JSON.stringify(bigRules), feeds: '[]' });
    expect(stderr).toContain("over Lambda's 4096-byte limit");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(status).toBe(1);
  }, 120_000);
});
