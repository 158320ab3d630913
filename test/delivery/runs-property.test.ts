/**
 * Randomized fault schedules for the digest fan-out (in-memory ports, so thousands of runs fit in
 * seconds): queue calls that fail before or midway, checkpoint writes lost before or after they land,
 * time running out. Asserts that the run always completes, everyone is enqueued, and a recipient is
 * enqueued twice only for a page whose checkpoint was uncertain (at most one page per such fault).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { MemoryArticleStore } from '../../lambda/shared/delivery/articles.ts';
import { digestRunId, runDigest, type DigestDeps } from '../../lambda/shared/delivery/digest.ts';
import type { JobQueue, SendJob } from '../../lambda/shared/delivery/ports.ts';
import { MemoryRunStore } from '../../lambda/shared/delivery/runs.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { memoryRecordBackend } from '../../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriberStore } from '../../lambda/shared/subscriptions/record-store.ts';
import { articleRecord, confirmed, fakeEmail, MapBlobs, seed, storeArticle } from './digest-fixtures.ts';

type Fault = 'none' | 'queue-before' | 'queue-midway' | 'checkpoint-lost' | 'checkpoint-landed' | 'timeout';

const faultArb = fc.constantFrom<Fault>('none', 'none', 'none', 'none', 'queue-before', 'queue-midway', 'checkpoint-lost', 'checkpoint-landed', 'timeout');

it('completes every run under random faults, enqueues everyone, and re-enqueues only pages whose checkpoint was uncertain', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 5, max: 60 }),
      fc.array(faultArb, { minLength: 1, maxLength: 80 }),
      async (n, pageSize, faults) => {
        const backend = memoryRecordBackend();
        const topics = [['a'], ['b'], [], ['z']];
        await seed(backend, Array.from({ length: n }, (_, i) => confirmed(`s${String(i).padStart(4, '0')}`, 'daily', topics[i % 4]!)));
        const articles = new MemoryArticleStore();
        await storeArticle(articles, articleRecord('x', '2026-11-26T10:00:00.000Z', ['a']));
        await storeArticle(articles, articleRecord('y', '2026-11-26T10:00:00.000Z', ['b']));
        const runs = new MemoryRunStore();
        let now = Date.parse('2026-11-27T06:00:00.000Z');
        let step = 0;
        // The schedule runs out: afterwards everything works, as when an outage ends.
        const next = (): Fault => faults[step++] ?? 'none';
        let uncertain = 0;
        const enqueued: string[] = [];

        const queue: JobQueue = {
          async enqueue(jobs: readonly SendJob[]) {
            const f = next();
            if (f === 'queue-before') throw new Error('queue down');
            if (f === 'queue-midway') {
              // Part of the page reached the queue (some SendMessageBatch calls succeeded), then a failure.
              const sent = jobs.slice(0, Math.ceil(jobs.length / 2));
              enqueued.push(...sent.flatMap((j) => j.recipients));
              if (sent.length > 0) uncertain++;
              throw new Error('queue failed midway');
            }
            enqueued.push(...jobs.flatMap((j) => j.recipients));
          },
        };
        const checkpoint = runs.checkpoint.bind(runs);
        runs.checkpoint = async (...args) => {
          const f = next();
          if (f === 'checkpoint-lost') {
            uncertain++;
            throw new Error('checkpoint write lost');
          }
          const ok = await checkpoint(...args);
          if (f === 'checkpoint-landed') throw new Error('checkpoint landed, answer lost');
          return ok;
        };
        const finish = runs.finish.bind(runs);
        runs.finish = async (...args) => {
          const f = next();
          if (f === 'checkpoint-lost') {
            uncertain++;
            throw new Error('finish write lost');
          }
          const ok = await finish(...args);
          if (f === 'checkpoint-landed') throw new Error('finish landed, answer lost');
          return ok;
        };

        const deps: DigestDeps = {
          runs,
          articles,
          subscribers: createSubscriberStore(backend),
          queue,
          blobs: new MapBlobs(),
          render: async (briefs, ctx) => fakeEmail('digest', briefs, ctx.topics),
          log: silentLog,
          now: () => now,
          remainingMs: () => (next() === 'timeout' ? 1_000 : 600_000),
        };
        const event = { frequency: 'daily' as const, scheduledTime: '2026-11-27T06:00:00.000Z' };
        let done = false;
        for (let invocation = 0; invocation < 500 && !done; invocation++) {
          try {
            const r = await runDigest(event, deps, { owner: `inv-${invocation}`, pageSize, reserveMs: 20_000 });
            done = r.outcome === 'complete' || r.outcome === 'duplicate';
          } catch {
            // A crashed invocation: Lambda retries after its lease has run out.
          }
          now += 61_000;
        }
        expect(done).toBe(true);
        const run = await runs.get(digestRunId('daily', event.scheduledTime));
        expect(run?.status).toBe('complete');
        expect((await runs.getDigestState('daily')).openRunId).toBeUndefined();

        const expected = Array.from({ length: n }, (_, i) => `s${String(i).padStart(4, '0')}`).filter((_, i) => i % 4 !== 3);
        expect([...new Set(enqueued)].sort()).toEqual(expected);
        const duplicates = enqueued.length - new Set(enqueued).size;
        expect(duplicates).toBeLessThanOrEqual(uncertain * pageSize);
      },
    ),
    { numRuns: Number(process.env.FAULT_RUNS ?? 300) },
  );
});
