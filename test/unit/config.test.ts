import { describe, expect, it } from 'vitest';
import { baseEnvSchema, ConfigError, readEnv } from '../../lambda/shared/config.ts';

const good = {
  TABLE_NAME: 'newsbrief',
  SENDER_ADDRESS: 'news@example.com',
  SENDER_NAME: 'Example News',
  POSTAL_ADDRESS: '1 Example Street, Springfield',
  PUBLIC_URL: 'https://news.example.com',
  TOPICS: 'world, asia ,politics',
};

describe('readEnv', () => {
  it('parses a complete environment and splits the topic list', () => {
    const env = readEnv(baseEnvSchema, good);
    expect(env.TOPICS).toEqual(['world', 'asia', 'politics']);
    expect(env.NEWSLETTER_NAME).toBe('newsbrief');
  });

  it('names every missing or malformed variable', () => {
    const { SENDER_ADDRESS: _s, ...missing } = good;
    expect(() => readEnv(baseEnvSchema, { ...missing, PUBLIC_URL: 'not a url' })).toThrow(ConfigError);
    expect(() => readEnv(baseEnvSchema, { ...missing, PUBLIC_URL: 'not a url' })).toThrow(/SENDER_ADDRESS.*PUBLIC_URL|PUBLIC_URL.*SENDER_ADDRESS/);
  });

  it('rejects topic slugs that could not be used in URLs or keys', () => {
    expect(() => readEnv(baseEnvSchema, { ...good, TOPICS: 'World News' })).toThrow(/TOPICS/);
  });
});
