/**
 * Each article reaches each subscriber once, through exactly one of alerts and digests: when an
 * article's write lands late, and when the subscriber changes frequency between runs.
 */
import { describe, expect, it } from 'vitest';
import type { ArticleRecord } from '../../lambda/shared/delivery/articles.ts';
import { confirmed, seed } from './digest-fixtures.ts';
import { pipeline } from './pipeline-fixtures.ts';

describe('an article whose write lands late', () => {
  it('goes out in the next digest, however late the write landed', async () => {
    const p = pipeline('2026-11-27T06:59:45.000Z');
    await seed(p.backend, [confirmed('reader', 'daily', [])]);
    // Ingest stamps the article at 06:59:45, then its write is held back (SDK retries) until after the 07:00 run.
    let land!: () => void;
    const landed = new Promise<void>((resolve) => (land = resolve));
    const putIfAbsent = p.articles.putIfAbsent.bind(p.articles);
    const slow = Object.assign(Object.create(p.articles) as typeof p.articles, {
      putIfAbsent: async (record: ArticleRecord) => {
        await landed;
        return putIfAbsent(record);
      },
    });
    const ingest = p.ingest('Late harbour vote', { articles: slow });

    p.at('2026-11-27T07:00:00.000Z');
    await p.ingest('Punctual bridge vote');
    p.at('2026-11-27T07:00:05.000Z');
    const first = await p.digest('daily');
    p.at('2026-11-27T07:00:15.000Z');
    land();
    await ingest;

    p.at('2026-11-28T07:00:00.000Z');
    const second = await p.digest('daily');
    expect([first.articleIds.length, second.articleIds.length]).toEqual([1, 1]);
    expect(await p.sentTo('reader')).toEqual({ 'Punctual bridge vote': 1, 'Late harbour vote': 1 });
  });
});

describe('a frequency change', () => {
  it('from daily to immediate: what was ingested before the change still comes in the next digest, what came after as alerts', async () => {
    const p = pipeline('2026-11-27T07:00:00.000Z');
    await seed(p.backend, [confirmed('switcher', 'daily', [], '2026-11-01T00:00:00.000Z')]);
    await p.ingest('Before the switch');
    p.at('2026-11-27T09:00:00.000Z');
    expect(await p.subscribers.updatePreferences('switcher', { frequency: 'immediate' }, p.clock.iso())).toBe('changed');
    p.at('2026-11-27T10:00:00.000Z');
    await p.ingest('After the switch');
    p.at('2026-11-28T07:00:00.000Z');
    await p.digest('daily');
    expect(await p.sentTo('switcher')).toEqual({ 'Before the switch': 1, 'After the switch': 1 });
  });

  it('from immediate to daily: articles already alerted are not in the next digest', async () => {
    const p = pipeline('2026-11-27T07:00:00.000Z');
    await seed(p.backend, [confirmed('switcher', 'immediate', [], '2026-11-01T00:00:00.000Z')]);
    await p.ingest('Alerted before the switch');
    p.at('2026-11-27T09:00:00.000Z');
    await p.subscribers.updatePreferences('switcher', { frequency: 'daily' }, p.clock.iso());
    p.at('2026-11-27T10:00:00.000Z');
    await p.ingest('Digested after the switch');
    p.at('2026-11-28T07:00:00.000Z');
    await p.digest('daily');
    expect(await p.sentTo('switcher')).toEqual({ 'Alerted before the switch': 1, 'Digested after the switch': 1 });
  });

  it('from weekly to daily and back to weekly within the week: every article once, by the frequency held when it was ingested', async () => {
    const p = pipeline('2026-11-23T07:00:00.000Z');
    await seed(p.backend, [confirmed('switcher', 'weekly', [], '2026-11-01T00:00:00.000Z'), confirmed('steady', 'daily', [])]);
    await p.digest('weekly');
    await p.ingest('Monday');
    p.at('2026-11-24T09:00:00.000Z');
    await p.subscribers.updatePreferences('switcher', { frequency: 'daily' }, p.clock.iso());
    p.at('2026-11-24T10:00:00.000Z');
    await p.ingest('Tuesday');
    p.at('2026-11-25T07:00:00.000Z');
    await p.digest('daily');
    p.at('2026-11-25T09:00:00.000Z');
    await p.subscribers.updatePreferences('switcher', { frequency: 'weekly' }, p.clock.iso());
    p.at('2026-11-25T10:00:00.000Z');
    await p.ingest('Wednesday');
    p.at('2026-11-26T07:00:00.000Z');
    await p.digest('daily');
    p.at('2026-11-30T07:00:00.000Z');
    await p.digest('weekly');
    expect(await p.sentTo('switcher')).toEqual({ Monday: 1, Tuesday: 1, Wednesday: 1 });
    expect(await p.sentTo('steady')).toEqual({ Monday: 1, Tuesday: 1, Wednesday: 1 });
  });
});
