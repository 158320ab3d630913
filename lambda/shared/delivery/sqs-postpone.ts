import { ChangeMessageVisibilityBatchCommand, type ChangeMessageVisibilityBatchCommandOutput } from '@aws-sdk/client-sqs';
import { SQS_BATCH_SIZE } from './sqs-queue.ts';

/**
 * Holding send jobs back while SES cannot send (daily quota exhausted, account sending paused).
 *
 * Handing the unsent jobs back to SQS is not enough on its own: they come back after the queue's
 * visibility timeout (30 minutes), every receive counts, and after maxReceiveCount receives they land
 * in the dead-letter queue, hours before SES's rolling 24-hour quota frees up. So the sender hides
 * them for longer each time they meet the stop: 2 h, 4 h, 8 h, then just under SQS's 12 h maximum.
 * With the stack's maxReceiveCount of 5, a job waits about 37 hours before it is dead-lettered.
 */

/**
 * The longest hold: SQS caps a message's visibility at 12 hours from when it was received, and
 * rejects more, so leave room for the time the invocation has already run (at most its timeout).
 */
export const MAX_HOLD_SECONDS = 12 * 3600 - 15 * 60;

/** How long to hide a job on its `receiveCount`-th receive (1 = first) when SES cannot send. */
export function stoppedJobDelaySeconds(receiveCount: number): number {
  const n = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  return Math.min(MAX_HOLD_SECONDS, 2 * 3600 * 2 ** Math.min(n - 1, 8));
}

/** One received message to hide. */
export interface HeldMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly delaySeconds: number;
}

/** Hides received messages for a while (ChangeMessageVisibility); resolves to how many it could not. */
export interface Postponer {
  postpone(messages: readonly HeldMessage[]): Promise<number>;
}

/** The SQS capability the adapter needs (an SQSClient satisfies it). */
export interface SqsVisibilitySend {
  send(command: ChangeMessageVisibilityBatchCommand): Promise<ChangeMessageVisibilityBatchCommandOutput>;
}

/** The Postponer on SQS: ChangeMessageVisibilityBatch, 10 entries per call. */
export class SqsPostponer implements Postponer {
  constructor(
    private readonly sqs: SqsVisibilitySend,
    private readonly queueUrl: string,
  ) {}

  async postpone(messages: readonly HeldMessage[]): Promise<number> {
    let failed = 0;
    for (let i = 0; i < messages.length; i += SQS_BATCH_SIZE) {
      const chunk = messages.slice(i, i + SQS_BATCH_SIZE);
      const out = await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.receiptHandle, VisibilityTimeout: m.delaySeconds })),
        }),
      );
      failed += out.Failed?.length ?? 0;
    }
    return failed;
  }
}
