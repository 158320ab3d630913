import { describe, expect, it } from 'vitest';
import {
  createDigestHandler,
  DigestRunBusyError,
  DigestRunPausedError,
  InvalidDigestEventError,
  scheduledTimeOf,
} from '../../lambda/digest/handler.ts';
import { MemoryArticleStore } from '../../lambda/shared/delivery/articles.ts';
import { digestRunId } from '../../lambda/shared/delivery/digest.ts';
import { MemoryRunStore } from '../../lambda/shared/delivery/runs.ts';
import type { DeliveryRuntime } from '../../lambda/shared/delivery/runtime.ts';
import { parseTopicRules } from '../../lambda/shared/delivery/topics.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { memoryRecordBackend } from '../../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriberStore } from '../../lambda/shared/subscriptions/record-store.ts';
import { articleRecord, confirmed, fakeEmail, MapBlobs, RecordingQueue, seed, storeArticle } from './digest-fixtures.ts';

async function runtime(now: () => number) {
  const backend = memoryRecordBackend();
  await seed(backend, Array.from({ length: 30 }, (_, i) => confirmed(`s${String(i).padStart(2, '0')}`, 'daily', [])));
  const articles = new MemoryArticleStore();
  await storeArticle(articles, articleRecord('a1', '2026-11-26T10:00:00.000Z', ['asia']));
  const queue = new RecordingQueue();
  const rt = {
    articles,
    runs: new MemoryRunStore(),
    subscribers: createSubscriberStore(backend),
    queue,
    blobs: new MapBlobs(),
    rules: parseTopicRules('{}'),
    renderDigest: async (briefs, ctx) => fakeEmail('digest', briefs, ctx.topics),
    renderAlert: async (brief, ctx) => fakeEmail('alert', [brief], ctx.topics),
    log: silentLog,
    now,
  } satisfies Omit<DeliveryRuntime, 'env'>;
  return { rt: rt as unknown as DeliveryRuntime, queue };
}

describe('digest handler', () => {
  const env = { DIGEST_PAGE_SIZE: '10', DIGEST_RESERVE_SECONDS: '20' };

  it('derives the run id from the scheduled instant, whatever its spelling, or from now truncated to the minute', () => {
    expect(scheduledTimeOf({ scheduledTime: '2026-11-27T07:00:00+01:00' }, 0)).toBe('2026-11-27T06:00:00.000Z');
    expect(scheduledTimeOf({}, Date.parse('2026-11-27T06:00:59.999Z'))).toBe('2026-11-27T06:00:00.000Z');
  });

  it('starts one run for one schedule event spelled two ways', async () => {
    const { rt, queue } = await runtime(() => Date.parse('2026-11-27T06:00:05.000Z'));
    const handler = createDigestHandler(async () => rt, env);
    const first = await handler({ frequency: 'daily', scheduledTime: '2026-11-27T06:00:00Z' });
    const second = await handler({ frequency: 'daily', scheduledTime: '2026-11-27T07:00:00.000+01:00', extra: 'ignored' });
    expect(first.outcome).toBe('complete');
    expect(second).toMatchObject({ outcome: 'duplicate', runId: first.runId });
    expect(queue.recipients()).toHaveLength(30);
  });

  it('rejects an event that is not a schedule payload, naming the field', async () => {
    const { rt } = await runtime(Date.now);
    const handler = createDigestHandler(async () => rt, env);
    await expect(handler({ frequency: 'hourly' })).rejects.toThrow(InvalidDigestEventError);
    await expect(handler({ frequency: 'daily', scheduledTime: 'tomorrow' })).rejects.toThrow(/scheduledTime/);
    await expect(handler(null)).rejects.toThrow(InvalidDigestEventError);
  });

  it('fails with DigestRunPausedError near the time limit, and the retried event resumes where it stopped', async () => {
    const { rt, queue } = await runtime(() => Date.parse('2026-11-27T06:00:05.000Z'));
    const handler = createDigestHandler(async () => rt, env);
    // Asked once for the lock's lease, then before each page: two pages, then the time is up.
    let left = 3;
    const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => (left-- > 0 ? 300_000 : 10_000) };
    const event = { frequency: 'daily', scheduledTime: '2026-11-27T06:00:00Z' };
    await expect(handler(event, context)).rejects.toThrow(DigestRunPausedError);
    expect(queue.recipients()).toHaveLength(20);
    const retry = await handler(event, { awsRequestId: 'req-2', getRemainingTimeInMillis: () => 300_000 });
    expect(retry).toMatchObject({ outcome: 'complete', runId: digestRunId('daily', '2026-11-27T06:00:00.000Z') });
    expect(queue.recipients()).toHaveLength(30);
    expect(new Set(queue.recipients()).size).toBe(30);
  });

  it("asks for a retry when an earlier event's run is still being fanned out, but not for a duplicate delivery", async () => {
    let now = Date.parse('2026-11-27T06:00:05.000Z');
    const { rt } = await runtime(() => now);
    const handler = createDigestHandler(async () => rt, env);
    let left = 2;
    const pausing = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => (left-- > 0 ? 300_000 : 10_000) };
    const today = { frequency: 'daily', scheduledTime: '2026-11-27T06:00:00Z' };
    await expect(handler(today, pausing)).rejects.toThrow(DigestRunPausedError);
    // Another invocation holds the lease on today's run (taken right now, 60 s).
    await rt.runs.acquireLease(digestRunId('daily', '2026-11-27T06:00:00.000Z'), 'other', now, 60_000);
    await expect(handler(today, { awsRequestId: 'req-2', getRemainingTimeInMillis: () => 300_000 })).resolves.toMatchObject({ outcome: 'busy' });
    now += 86_400_000;
    const tomorrow = { frequency: 'daily', scheduledTime: '2026-11-28T06:00:00Z' };
    await rt.runs.acquireLease(digestRunId('daily', '2026-11-27T06:00:00.000Z'), 'other', now, 60_000);
    await expect(handler(tomorrow, { awsRequestId: 'req-3', getRemainingTimeInMillis: () => 300_000 })).rejects.toThrow(DigestRunBusyError);
  });

  it('asks for a retry while a run is being set up (locked, no record yet), even for a duplicate of its own event', async () => {
    const now = Date.parse('2026-11-27T06:00:05.000Z');
    const { rt, queue } = await runtime(() => now);
    const handler = createDigestHandler(async () => rt, env);
    const runId = digestRunId('daily', '2026-11-27T06:00:00.000Z');
    // A live invocation took the lock a moment ago and is still listing articles; its lease runs 60 s.
    expect(await rt.runs.lockDigest('daily', { runId, owner: 'other', until: now + 60_000, startedAt: new Date(now - 1_000).toISOString() })).toBe(true);
    const event = { frequency: 'daily', scheduledTime: '2026-11-27T06:00:00Z' };
    await expect(handler(event, { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 300_000 })).rejects.toThrow(DigestRunBusyError);
    expect(queue.jobs).toEqual([]);
  });
});
