/**
 * Two digest invocations of one frequency at the same time, with different run ids (a manual invoke,
 * a late scheduler retry) or the same one (the scheduler delivering an event twice), on both run
 * stores: the in-memory one and DynamoDB (dynalite, real SDK).
 */
import { describe, expect, it } from 'vitest';
import { runDigest, type DigestDeps } from '../../lambda/shared/delivery/digest.ts';
import { readIssue } from '../../lambda/shared/delivery/issue.ts';
import type { RunStore } from '../../lambda/shared/delivery/runs.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { memoryRecordBackend } from '../../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriberStore } from '../../lambda/shared/subscriptions/record-store.ts';
import { articleRecord, confirmed, deliveryStoreAdapters, fakeEmail, type DeliveryStores, MapBlobs, RecordingQueue, seed, TestClock, storeArticle } from './digest-fixtures.ts';

const adapters = deliveryStoreAdapters('digest-lock');

/** The run store as one invocation sees it: held before its first call of each named method, until that hold is released. */
function holding(runs: RunStore, methods: readonly (keyof RunStore)[]) {
  const holds = new Map<PropertyKey, { reached: Promise<void>; reach: () => void; released: Promise<void>; release: () => void }>();
  for (const m of methods) {
    const h = { reach: () => {}, release: () => {} } as { reached: Promise<void>; reach: () => void; released: Promise<void>; release: () => void };
    h.reached = new Promise<void>((r) => (h.reach = r));
    h.released = new Promise<void>((r) => (h.release = r));
    holds.set(m, h);
  }
  const taken = new Set<PropertyKey>();
  const proxy = new Proxy(runs, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const hold = holds.get(prop);
      if (!hold || taken.has(prop)) return value.bind(target);
      return async (...args: unknown[]) => {
        taken.add(prop);
        hold.reach();
        await hold.released;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const hold = (m: keyof RunStore) => holds.get(m) as NonNullable<ReturnType<typeof holds.get>>;
  return { runs: proxy, reached: (m: keyof RunStore) => hold(m).reached, release: (m: keyof RunStore) => hold(m).release() };
}

/** Stores from `make`, one daily subscriber (s1, every topic), and the digest's ports over them at 06:00. */
async function setUp(make: () => Promise<DeliveryStores>) {
  const { articles, runs } = await make();
  const backend = memoryRecordBackend();
  await seed(backend, [confirmed('s1', 'daily', [])]);
  const clock = new TestClock(Date.parse('2026-11-27T06:00:00.000Z'));
  const queue = new RecordingQueue();
  const blobs = new MapBlobs();
  const deps: DigestDeps = {
    runs,
    articles,
    subscribers: createSubscriberStore(backend),
    queue,
    blobs,
    render: async (briefs, ctx) => fakeEmail('digest', briefs, ctx.topics),
    log: silentLog,
    now: clock.now,
    remainingMs: () => 600_000,
  };
  return { articles, runs, clock, queue, blobs, deps };
}

describe.each(adapters)('concurrent digest invocations (%s)', (_name, make) => {
  it('never take over a live lock: each article reaches each subscriber in one run only', async () => {
    const { articles, runs, clock, queue, blobs, deps } = await setUp(make);
    await storeArticle(articles, articleRecord('a1', '2026-11-26T10:00:00.000Z', ['x']));

    // Invocation A is slow between taking the lock and creating its run record (listing articles, a GC pause).
    let releaseA!: () => void;
    const aPaused = new Promise<void>((resolve) => (releaseA = resolve));
    let aReachedCreate!: () => void;
    const aAtCreate = new Promise<void>((resolve) => (aReachedCreate = resolve));
    let creates = 0;
    const slowRuns = new Proxy(runs, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop !== 'create') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<RunStore['create']>) => {
          if (++creates === 1) {
            aReachedCreate();
            await aPaused;
          }
          return target.create(...args);
        };
      },
    });
    const a = runDigest({ frequency: 'daily', scheduledTime: '2026-11-27T06:00:00.000Z' }, { ...deps, runs: slowRuns }, { owner: 'inv-a' });
    await aAtCreate;

    // B: a manual invoke three minutes later, with its own run id.
    clock.ms += 180_000;
    const b = await runDigest({ frequency: 'daily', scheduledTime: '2026-11-27T06:03:00.000Z' }, deps, { owner: 'inv-b' }).catch((e: unknown) => e);
    releaseA();
    await a;

    const perArticle = new Map<string, number>();
    for (const job of queue.jobs) {
      const issue = await readIssue(blobs, job.issueKey);
      for (const id of issue.articleIds) perArticle.set(id, (perArticle.get(id) ?? 0) + job.recipients.filter((r) => r === 's1').length);
    }
    expect(Object.fromEntries(perArticle), `B answered ${JSON.stringify(b)}`).toEqual({ a1: 1 });
  });

  it('the same event twice, one invocation slow before its lock: no article is carried into the run the other closed', async () => {
    const { articles, runs, clock, queue, blobs, deps } = await setUp(make);
    const event = { frequency: 'daily' as const, scheduledTime: '2026-11-27T06:00:00.000Z' };

    // A read the digest state (no run in progress), and is about to look for its run.
    const a = holding(runs, ['get', 'lockDigest']);
    const ranA = runDigest(event, { ...deps, runs: a.runs }, { owner: 'inv-a' });
    await a.reached('get');
    // B, the same event delivered again, takes the lock and is setting its run up (nothing queued yet: an empty run).
    const b = holding(runs, ['create']);
    const ranB = runDigest(event, { ...deps, runs: b.runs }, { owner: 'inv-b' });
    await b.reached('create');
    // An article lands after B's start: it belongs to the next run.
    clock.ms += 1_000;
    await storeArticle(articles, articleRecord('a2', clock.iso(), ['x']));
    // A finds no run record yet, and stalls right before its lock (starting after the article).
    clock.ms += 1_000;
    a.release('get');
    await a.reached('lockDigest');
    b.release('create');
    await ranB;
    a.release('lockDigest');
    await ranA;

    // The next day's digest.
    clock.ms += 86_400_000;
    await runDigest({ frequency: 'daily', scheduledTime: clock.iso() }, deps, { owner: 'inv-c' });
    const sent = new Map<string, number>();
    for (const job of queue.jobs) {
      for (const id of (await readIssue(blobs, job.issueKey)).articleIds) sent.set(id, (sent.get(id) ?? 0) + job.recipients.length);
    }
    expect(Object.fromEntries(sent), 'a2 reaches s1 in exactly one daily digest').toEqual({ a2: 1 });
  });
});
