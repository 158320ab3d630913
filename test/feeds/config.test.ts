/** The `feeds` configuration key: validated at synth (lib/config.ts) and at the poller's cold start (FEEDS). */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../../lib/config.ts';
import { parseFeedsVariable } from '../../lambda/poll/handler.ts';
import { pollMinutes } from '../../lambda/shared/feeds/config.ts';
import { ConfigError } from '../../lambda/shared/config.ts';
import { environmentFor, FUNCTION_ENV } from '../../lib/environment.ts';

const REQUIRED = { senderAddress: 'briefs@example.com', senderName: 'Brief', postalAddress: '1 Main St', topics: ['world', 'asia'] };
const load = (context: Record<string, unknown>) => loadConfig((key) => context[key]);
function errorFor(context: Record<string, unknown>): string {
  try {
    load(context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigurationError');
}

describe('feeds configuration', () => {
  it('defaults to no feeds, fills each feed\'s defaults and reads `every` as a duration', () => {
    expect(load(REQUIRED).feeds).toEqual([]);
    const config = load({ ...REQUIRED, feeds: '[{"url":"https://a.example/rss"},{"url":"https://b.example/atom","topics":["asia"],"fullText":"never","every":"2h"}]' });
    expect(config.feeds).toEqual([
      { url: 'https://a.example/rss', topics: [], fullText: 'auto' },
      { url: 'https://b.example/atom', topics: ['asia'], fullText: 'never', every: 120 },
    ]);
    expect(pollMinutes(config.feeds)).toBe(10);
    expect(pollMinutes([...config.feeds, { url: 'https://c.example/', topics: [], fullText: 'auto', every: 5 }])).toBe(5);
  });

  it.each([
    [[{ url: 'ftp://a.example/rss' }], 'feeds.0.url: must be an http(s) URL of the feed'],
    [[{ url: 'https://a.example/rss', fullText: 'sometimes' }], 'feeds.0.fullText'],
    [[{ url: 'https://a.example/rss', every: '1m' }], 'feeds.0.every: must be at least 5 minutes'],
    [[{ url: 'https://a.example/rss', every: 'soon' }], 'feeds.0.every: must be a duration such as 30m, 2h or 1d'],
    [[{ url: 'https://a.example/rss', topics: ['sports'] }], 'feeds.0.topics: "sports" is not one of topics [world, asia]'],
    [[{ url: 'https://a.example/rss' }, { url: 'https://a.example/rss' }], 'feeds.1.url: https://a.example/rss is listed twice'],
    [[{ url: 'https://a.example/rss', title: 'x' }], 'feeds.0.title: unknown key'],
  ])('refuses %j naming the key', (feeds, message) => {
    expect(errorFor({ ...REQUIRED, feeds: JSON.stringify(feeds) })).toContain(message);
  });

  it('checks FEEDS again at the poller\'s cold start, naming the variable', () => {
    expect(parseFeedsVariable('[{"url":"https://a.example/rss","every":30}]')).toEqual([{ url: 'https://a.example/rss', topics: [], fullText: 'auto', every: 30 }]);
    expect(() => parseFeedsVariable('{')).toThrow(new ConfigError('FEEDS: not valid JSON'));
    expect(() => parseFeedsVariable('[{"url":"nope"}]')).toThrow(/^FEEDS: 0\.url: must be an http\(s\) URL/);
  });
});

describe('the poll function\'s environment', () => {
  it('fails the synth, naming `feeds`, when the feed list would pass Lambda\'s 4 KB', () => {
    const feeds = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ url: `https://news${i}.example.com/rss.xml`, topics: ['world'], fullText: 'auto' })));
    const values = Object.fromEntries(FUNCTION_ENV.poll.map((key) => [key, 'x'])) as Parameters<typeof environmentFor>[1];
    expect(environmentFor('poll', { ...values, FEEDS: feeds(10) }).FEEDS).toBe(feeds(10));
    expect(() => environmentFor('poll', { ...values, FEEDS: feeds(60) })).toThrow(ConfigurationError);
    expect(() => environmentFor('poll', { ...values, FEEDS: feeds(60) })).toThrow(/- feeds: the poll function's environment would take up to \d+ bytes, over Lambda's 4096-byte limit; the largest value is feeds \(FEEDS, \d+ bytes\)/);
  });
});
