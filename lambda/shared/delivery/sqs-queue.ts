import { SendMessageBatchCommand, type SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import type { JobQueue, SendJob } from './ports.ts';

/** The SQS capability the queue adapter needs (an SQSClient satisfies it). */
export interface SqsSend {
  send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput>;
}

/** Some jobs could not be put on the queue after retries; the caller must not checkpoint past them. */
export class QueueError extends Error {
  override readonly name = 'QueueError';
}

/** SQS accepts at most 10 entries per SendMessageBatch call. */
export const SQS_BATCH_SIZE = 10;

/**
 * The send-job queue on SQS: SendMessageBatch, 10 jobs per call, a few calls in parallel. Entries
 * SQS reports as failed (throttled, internal) are retried; if any still fail, `enqueue` throws, so
 * the digest does not checkpoint that page and the next invocation enqueues it again (the sender's
 * ledger makes the repeats harmless).
 */
export class SqsJobQueue implements JobQueue {
  constructor(
    private readonly sqs: SqsSend,
    private readonly queueUrl: string,
    private readonly options: { readonly parallelCalls?: number; readonly attempts?: number } = {},
  ) {}

  async enqueue(jobs: readonly SendJob[]): Promise<void> {
    const batches: SendJob[][] = [];
    for (let i = 0; i < jobs.length; i += SQS_BATCH_SIZE) batches.push(jobs.slice(i, i + SQS_BATCH_SIZE));
    const parallel = this.options.parallelCalls ?? 4;
    for (let i = 0; i < batches.length; i += parallel) {
      await Promise.all(batches.slice(i, i + parallel).map((b) => this.sendBatch(b)));
    }
  }

  private async sendBatch(batch: readonly SendJob[]): Promise<void> {
    let pending = batch.map((job, i) => ({ Id: String(i), MessageBody: JSON.stringify(job) }));
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let failed: Set<string>;
      try {
        const out = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
        failed = new Set((out.Failed ?? []).map((f) => f.Id ?? ''));
        const permanent = (out.Failed ?? []).find((f) => f.SenderFault);
        if (permanent) throw new QueueError(`SQS rejected a send job: ${permanent.Code ?? 'unknown'}`);
      } catch (error) {
        if (error instanceof QueueError || attempt >= attempts) {
          throw error instanceof QueueError ? error : new QueueError('SendMessageBatch failed', { cause: error });
        }
        continue;
      }
      pending = pending.filter((e) => failed.has(e.Id));
      if (pending.length > 0 && attempt >= attempts) {
        throw new QueueError(`${pending.length} send jobs not accepted by SQS after ${attempts} attempts`);
      }
    }
  }
}
