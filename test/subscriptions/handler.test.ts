import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambda/shared/config.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { appFromEnvironment, lazyHandler } from '../../lambda/subscribe/handler.ts';
import type { App } from '../../lambda/subscribe/app.ts';
import { event } from './harness.ts';

/** A valid environment but for the signing keyring. */
const BASE_ENV = { TABLE_NAME: 't', PUBLIC_URL: 'https://news.example.com', TOPICS: 'world', CONFIRM_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' };

describe('subscribe Lambda entry point', () => {
  it('validates the environment at cold start and names every bad variable', async () => {
    const error = await appFromEnvironment({ PUBLIC_URL: 'not a url', TOPICS: 'Bad Topic' }, silentLog).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['TABLE_NAME', 'PUBLIC_URL', 'TOPICS']) expect(message).toContain(name);
  });

  it('needs the confirmation queue (it sends no mail itself), but no sender or postal address', async () => {
    const env = { ...BASE_ENV, SIGNING_KEYRING: JSON.stringify({ current: 'k1', k1: 'k'.repeat(43) }) };
    const { CONFIRM_QUEUE_URL: _url, ...withoutQueue } = env;
    await expect(appFromEnvironment(withoutQueue, silentLog)).rejects.toThrow(/CONFIRM_QUEUE_URL/);
    await expect(appFromEnvironment(env, silentLog)).resolves.toBeTypeOf('function');
  });

  it('requires a keyring source once the rest is valid', async () => {
    await expect(appFromEnvironment(BASE_ENV, silentLog)).rejects.toThrow(/SIGNING_KEY_SECRET_ARN.*SIGNING_KEYRING/);
  });

  it('takes only known frequencies, and a default among them', async () => {
    const env = { ...BASE_ENV, SIGNING_KEYRING: JSON.stringify({ current: 'k1', k1: 'k'.repeat(43) }) };
    await expect(appFromEnvironment({ ...env, FREQUENCIES: 'daily,hourly' }, silentLog)).rejects.toThrow(/FREQUENCIES/);
    await expect(appFromEnvironment({ ...env, FREQUENCIES: 'immediate,weekly' }, silentLog)).rejects.toThrow(/DEFAULT_FREQUENCY must be one of FREQUENCIES/);
    await expect(appFromEnvironment({ ...env, FREQUENCIES: 'immediate,weekly', DEFAULT_FREQUENCY: 'weekly' }, silentLog)).resolves.toBeTypeOf('function');
  });

  it('rejects a weak signing keyring before serving anything', async () => {
    const env = { ...BASE_ENV, SIGNING_KEYRING: JSON.stringify({ current: 'k1', k1: 'short' }) };
    await expect(appFromEnvironment(env, silentLog)).rejects.toThrow(/shorter than 32/);
  });

  it('answers a failed cold start with a 500 {error, message} that leaks nothing, and retries the build', async () => {
    let builds = 0;
    const ok: App = async () => ({ statusCode: 204, headers: {}, body: '' });
    const handler = lazyHandler(async () => {
      builds++;
      if (builds === 1) throw new ConfigError('invalid environment configuration: SIGNING_KEYRING: secret-ish detail');
      return ok;
    }, silentLog);
    const first = await handler(event('GET', '/'));
    expect(first.statusCode).toBe(500);
    expect(JSON.parse(first.body ?? '')).toEqual({ error: 'internal', message: expect.any(String) as string });
    expect(first.body).not.toContain('SIGNING_KEYRING');
    expect((await handler(event('GET', '/'))).statusCode).toBe(204);
    expect((await handler(event('GET', '/'))).statusCode).toBe(204);
    expect(builds).toBe(2);
  });
});
