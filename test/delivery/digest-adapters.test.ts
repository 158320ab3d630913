import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChangeMessageVisibilityBatchCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { BlobKeyError, FolderBlobStore } from '../../lambda/shared/delivery/folder-blobs.ts';
import { MemoryJobQueue } from '../../lambda/shared/delivery/memory-queue.ts';
import type { SendJob } from '../../lambda/shared/delivery/ports.ts';
import { QueueError, SqsJobQueue } from '../../lambda/shared/delivery/sqs-queue.ts';
import { MAX_HOLD_SECONDS, SqsPostponer, stoppedJobDelaySeconds } from '../../lambda/shared/delivery/sqs-postpone.ts';

const job = (n: number): SendJob => ({ runId: 'r', kind: 'digest', issueKey: 'issues/r/all.json', recipients: [`s${n}`] });

describe('in-process queue (SQS semantics)', () => {
  it('deletes what the handler did, redelivers reported failures after the visibility timeout, dead-letters after maxReceives', async () => {
    let now = 0;
    const q = new MemoryJobQueue({ visibilityTimeoutMs: 1000, maxReceives: 3, now: () => now, sleep: async (ms) => void (now += ms) });
    await q.enqueue([job(1), job(2), job(3)]);
    const seen: string[] = [];
    const report = await q.drain(async (event) => {
      const failures = [];
      for (const r of event.Records) {
        const j = JSON.parse(r.body) as SendJob;
        seen.push(`${j.recipients[0]}@${r.attributes.ApproximateReceiveCount}`);
        // s2 fails once then succeeds; s3 always fails.
        if ((j.recipients[0] === 's2' && r.attributes.ApproximateReceiveCount === '1') || j.recipients[0] === 's3') {
          failures.push({ itemIdentifier: r.messageId });
        }
      }
      return { batchItemFailures: failures };
    });
    expect(seen).toEqual(['s1@1', 's2@1', 's3@1', 's2@2', 's3@2', 's3@3']);
    expect(q.size).toBe(0);
    expect(q.deadLetters.map((d) => [d.job.recipients[0], d.receiveCount])).toEqual([['s3', 3]]);
    expect(report).toMatchObject({ redelivered: 3 });
    expect(now).toBeGreaterThanOrEqual(2000); // two visibility timeouts passed
  });

  it('keeps a message invisible while in flight and treats a thrown handler as a failed batch', async () => {
    let now = 0;
    const q = new MemoryJobQueue({ visibilityTimeoutMs: 500, maxReceives: 5, now: () => now, sleep: async (ms) => void (now += ms) });
    await q.enqueue([job(1)]);
    const [first] = q.receive();
    expect(q.receive()).toEqual([]);
    now += 501;
    const [second] = q.receive();
    expect(second?.attributes.ApproximateReceiveCount).toBe('2');
    q.delete(first!.messageId, first!.receiptHandle); // stale handle: ignored, as in SQS
    expect(q.size).toBe(1);
    let calls = 0;
    now += 501;
    const report = await q.drain(async () => {
      if (++calls === 1) throw new Error('crash');
    });
    expect(report).toMatchObject({ handlerErrors: 1, batches: 2 });
    expect(q.size).toBe(0);
  });
});

describe('folder blob store', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'blobs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('round-trips objects and answers null for a missing key', async () => {
    const blobs = new FolderBlobStore(root);
    await blobs.put('issues/alert%23x/all.json', '{"a":1}', 'application/json');
    expect((await blobs.get('issues/alert%23x/all.json'))?.toString()).toBe('{"a":1}');
    expect(await blobs.get('issues/none.json')).toBeNull();
  });

  it('refuses keys that would leave the folder', async () => {
    const blobs = new FolderBlobStore(root);
    for (const key of ['../x', '/etc/passwd', 'a//b', 'a/./b', 'a\\..\\b']) {
      await expect(blobs.get(key)).rejects.toThrow(BlobKeyError);
    }
  });
});

describe('SQS job queue', () => {
  // There is no SQS stand-in in this project: a recording fake answers SendMessageBatch, including the
  // partial-failure shape SQS returns under throttling.
  function fakeSqs(failFirstTimes: number) {
    const calls: { entries: number; bodies: string[] }[] = [];
    let failures = failFirstTimes;
    return {
      calls,
      async send(command: SendMessageBatchCommand) {
        const entries = command.input.Entries ?? [];
        calls.push({ entries: entries.length, bodies: entries.map((e) => e.MessageBody ?? '') });
        const failed = failures-- > 0 ? entries.slice(0, 1).map((e) => ({ Id: e.Id, Code: 'ThrottlingException', SenderFault: false })) : [];
        return { Successful: [], Failed: failed, $metadata: {} } as never;
      },
    };
  }

  it('sends 10 jobs per SendMessageBatch and retries entries SQS reported as failed', async () => {
    const sqs = fakeSqs(1);
    const q = new SqsJobQueue(sqs, 'https://sqs.local/q', { parallelCalls: 1 });
    await q.enqueue(Array.from({ length: 23 }, (_, i) => job(i)));
    expect(sqs.calls.map((c) => c.entries)).toEqual([10, 1, 10, 3]);
    expect(JSON.parse(sqs.calls[1]!.bodies[0]!)).toEqual(job(0));
  });

  it('throws a QueueError when entries keep failing, so the digest does not checkpoint the page', async () => {
    const q = new SqsJobQueue(fakeSqs(10), 'https://sqs.local/q', { attempts: 3 });
    await expect(q.enqueue([job(1)])).rejects.toThrow(QueueError);
  });
});

describe('SQS postponer (jobs SES cannot send for hours)', () => {
  it('hides jobs for 2 h, then 4 h, 8 h and just under SQS\'s 12 h cap, so five receives outlast a 24-hour quota', () => {
    const delays = [1, 2, 3, 4, 5].map(stoppedJobDelaySeconds);
    expect(delays).toEqual([2 * 3600, 4 * 3600, 8 * 3600, MAX_HOLD_SECONDS, MAX_HOLD_SECONDS]);
    // SQS refuses a visibility past 12 h from the receive; the sender's 5-minute run must fit in the rest.
    expect(MAX_HOLD_SECONDS).toBeLessThanOrEqual(12 * 3600 - 5 * 60);
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3600);
    expect(stoppedJobDelaySeconds(40)).toBe(MAX_HOLD_SECONDS);
    expect(stoppedJobDelaySeconds(Number.NaN)).toBe(2 * 3600);
  });

  it('changes visibility 10 entries per call and counts the entries SQS could not change', async () => {
    // No SQS stand-in: a recording fake answers ChangeMessageVisibilityBatch, with one failed entry.
    const calls: ChangeMessageVisibilityBatchCommand['input'][] = [];
    const sqs = {
      async send(command: ChangeMessageVisibilityBatchCommand) {
        calls.push(command.input);
        const failed = calls.length === 1 ? [{ Id: '0', Code: 'ReceiptHandleIsInvalid', SenderFault: true }] : [];
        return { Successful: [], Failed: failed, $metadata: {} } as never;
      },
    };
    const messages = Array.from({ length: 12 }, (_, i) => ({ messageId: `m${i}`, receiptHandle: `rh${i}`, delaySeconds: 7200 }));
    expect(await new SqsPostponer(sqs, 'https://sqs.local/q').postpone(messages)).toBe(1);
    expect(calls.map((c) => c.Entries?.length)).toEqual([10, 2]);
    expect(calls[1]).toEqual({
      QueueUrl: 'https://sqs.local/q',
      Entries: [
        { Id: '0', ReceiptHandle: 'rh10', VisibilityTimeout: 7200 },
        { Id: '1', ReceiptHandle: 'rh11', VisibilityTimeout: 7200 },
      ],
    });
  });
});
