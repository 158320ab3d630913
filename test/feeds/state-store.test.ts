/**
 * One contract, two adapters: the feed store over dynalite (the real SDK, conditional writes only)
 * and in memory must behave alike, so the poll tests on the memory one speak for the real one.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFeedStore } from '../../lambda/shared/feeds/state-dynamo.ts';
import { MemoryFeedStore, type FeedStore } from '../../lambda/shared/feeds/state.ts';
import { ensureTable, localDynamo, startStandins, type Standins } from '../../scripts/local/standins.ts';

let standins: Standins;
let dynamo: DynamoFeedStore;
beforeAll(async () => {
  standins = await startStandins();
  const { client, doc } = localDynamo(standins.dynamoEndpoint);
  await ensureTable(client, 'feeds-contract');
  dynamo = new DynamoFeedStore(doc, 'feeds-contract');
});
afterAll(async () => standins.stop());

describe.each([
  ['memory', () => new MemoryFeedStore() as FeedStore],
  ['dynamodb', () => dynamo as FeedStore],
])('feed store (%s)', (_name, make) => {
  const url = () => `https://example.org/${randomUUID()}.xml`;

  it('claims a feed once until the lease ends, and saves only the claimed version', async () => {
    const store = make();
    const u = url();
    expect(await store.get(u)).toBeNull();
    const claimed = await store.claim(u, 1_000, 61_000);
    expect(claimed).toMatchObject({ url: u, failures: 0, pending: {}, version: 1 });
    expect(await store.claim(u, 2_000, 62_000)).toBeNull();
    const saved = { ...claimed!, etag: '"e1"', lastModified: 'Wed, 01 Jul 2026 10:00:00 GMT', failures: 2, failingSince: '2026-07-01T10:00:00.000Z', lastError: 'HttpStatusError: HTTP 500', nextPollAt: '2026-07-01T10:20:00.000Z', pending: { 'guid:x': { since: '2026-07-01T10:00:00.000Z', attempts: 1, reason: 'HTTP 404' } } };
    expect(await store.save(saved)).toBe(true);
    // A second save of the same (now stale) version loses.
    expect(await store.save(saved)).toBe(false);
    const { version: _v, ...rest } = saved;
    expect(await store.get(u)).toEqual({ ...rest, version: 2 });
    // The save dropped the lease: the next poll can claim at once.
    expect(await store.claim(u, 3_000, 63_000)).toMatchObject({ version: 3, etag: '"e1"' });
  });

  it('lets a new poller claim a feed whose lease has expired, and the old poller\'s save then fails', async () => {
    const store = make();
    const u = url();
    const first = await store.claim(u, 1_000, 2_000);
    const second = await store.claim(u, 2_000, 3_000);
    expect(second?.version).toBe(2);
    expect(await store.save({ ...first!, failures: 1 })).toBe(false);
    expect(await store.save(second!)).toBe(true);
  });

  it('records item keys once (the first article wins) and finds any of them', async () => {
    const store = make();
    const k = randomUUID();
    expect(await store.seen([`guid:${k}`, `link:${k}`])).toBeNull();
    await store.markSeen([`guid:${k}`, `link:${k}`], { articleId: 'a1', feedUrl: 'https://a.example/', at: '2026-07-01T10:00:00.000Z' });
    await store.markSeen([`link:${k}`, `content:${k}`], { articleId: 'a2', feedUrl: 'https://b.example/', at: '2026-07-01T11:00:00.000Z' });
    expect(await store.seen([`guid:other`, `link:${k}`])).toEqual({ key: `link:${k}`, articleId: 'a1', feedUrl: 'https://a.example/', at: '2026-07-01T10:00:00.000Z' });
    expect(await store.seen([`content:${k}`])).toMatchObject({ articleId: 'a2' });
    await store.markSeen([`old:${k}`], { articleId: null, feedUrl: 'https://a.example/', at: '2026-07-01T10:00:00.000Z' });
    expect(await store.seen([`old:${k}`])).toMatchObject({ articleId: null });
  });
});
