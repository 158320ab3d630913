/**
 * Two digest invocations of one frequency with different run ids (a manual invoke, a late scheduler
 * retry) at the same time, on both run stores: the in-memory one and DynamoDB (dynalite, real SDK).
 */
import { describe, expect, it } from 'vitest';
import { runDigest, type DigestDeps } from '../../lambda/shared/delivery/digest.ts';
import { readIssue } from '../../lambda/shared/delivery/issue.ts';
import type { RunStore } from '../../lambda/shared/delivery/runs.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { memoryRecordBackend } from '../../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriberStore } from '../../lambda/shared/subscriptions/record-store.ts';
import { articleRecord, confirmed, deliveryStoreAdapters, fakeEmail, MapBlobs, RecordingQueue, seed, TestClock, storeArticle } from './digest-fixtures.ts';

const adapters = deliveryStoreAdapters('digest-lock');

describe.each(adapters)('concurrent digest invocations (%s)', (_name, make) => {
  it('never take over a live lock: each article reaches each subscriber in one run only', async () => {
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
});
