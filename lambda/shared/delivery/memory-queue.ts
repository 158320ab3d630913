import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SendJob } from './ports.ts';

/**
 * An in-process stand-in for the SQS send queue with the semantics the sender relies on: a received
 * message is invisible for the visibility timeout and comes back if not deleted; a message received
 * `maxReceives` times without success moves to the dead-letter list (SQS redrive policy); a handler
 * reporting `batchItemFailures` gets only those messages back (ReportBatchItemFailures). `npm start`,
 * the tests and the benchmarks drive the real sender handler through it (a `JobQueue` of send jobs);
 * `npm run serve` drives the confirmation worker through one of confirmation jobs.
 */

export interface MemoryQueueOptions {
  /** Default 30 s. */
  readonly visibilityTimeoutMs?: number;
  /** Receives before a message moves to the dead-letter list. Default 5. */
  readonly maxReceives?: number;
  /** Epoch ms; a test passes a virtual clock. */
  readonly now?: () => number;
  /** Waits while every remaining message is in flight; default a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
  firstReceivedAt?: number;
}

/** A message the handler gave up on, with how often it was received. */
export interface DeadLetter<J = SendJob> {
  readonly messageId: string;
  readonly job: J;
  readonly receiveCount: number;
}

/** What one drain did. */
export interface DrainReport {
  readonly batches: number;
  readonly handlerErrors: number;
  readonly redelivered: number;
}

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

/** In-process queue of jobs `J` (send jobs by default) with visibility timeout, redelivery and a dead-letter list. */
export class MemoryJobQueue<J = SendJob> {
  private readonly messages = new Map<string, Message>();
  readonly deadLetters: DeadLetter<J>[] = [];
  private readonly visibilityMs: number;
  private readonly maxReceives: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Every job ever enqueued, in order (tests and the summary count them). */
  readonly enqueued: J[] = [];

  constructor(options: MemoryQueueOptions = {}) {
    this.visibilityMs = options.visibilityTimeoutMs ?? 30_000;
    this.maxReceives = options.maxReceives ?? 5;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async enqueue(jobs: readonly J[]): Promise<void> {
    const at = this.now();
    for (const job of jobs) {
      const messageId = randomUUID();
      this.messages.set(messageId, { messageId, body: JSON.stringify(job), sentAt: at, receiveCount: 0, visibleAt: at });
      this.enqueued.push(structuredClone(job));
    }
  }

  /** Messages not yet deleted or dead-lettered (visible or in flight). */
  get size(): number {
    return this.messages.size;
  }

  /** When the next hidden message becomes visible again (undefined when none is hidden). */
  nextVisibleAt(): number | undefined {
    const at = this.now();
    const hidden = [...this.messages.values()].filter((m) => m.visibleAt > at).map((m) => m.visibleAt);
    return hidden.length > 0 ? Math.min(...hidden) : undefined;
  }

  /** Receive up to `max` visible messages as SQS records, making them invisible for the timeout. */
  receive(max = 10): SQSRecord[] {
    const at = this.now();
    const records: SQSRecord[] = [];
    for (const m of this.messages.values()) {
      if (records.length >= max) break;
      if (m.visibleAt > at) continue;
      if (m.receiveCount >= this.maxReceives) {
        // The redrive policy: moved on the receive after the last allowed one.
        this.messages.delete(m.messageId);
        this.deadLetters.push({ messageId: m.messageId, job: JSON.parse(m.body) as J, receiveCount: m.receiveCount });
        continue;
      }
      m.receiveCount++;
      m.visibleAt = at + this.visibilityMs;
      m.receiptHandle = randomUUID();
      m.firstReceivedAt ??= at;
      records.push({
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentAt),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(m.body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:send-jobs',
        awsRegion: 'local',
      });
    }
    return records;
  }

  /** Delete a received message; a stale receipt handle (the message was received again since) is ignored, as in SQS. */
  delete(messageId: string, receiptHandle: string): void {
    const m = this.messages.get(messageId);
    if (m && m.receiptHandle === receiptHandle) this.messages.delete(messageId);
  }

  /** Hide a received message for `ms` more (SQS ChangeMessageVisibility); a stale receipt handle is ignored. */
  hold(messageId: string, receiptHandle: string, ms: number): boolean {
    const m = this.messages.get(messageId);
    if (!m || m.receiptHandle !== receiptHandle) return false;
    m.visibleAt = this.now() + ms;
    return true;
  }

  /** Move every dead letter back to the queue as a new message (SQS start-message-move-task); returns how many. */
  redrive(): number {
    const letters = this.deadLetters.splice(0);
    const at = this.now();
    for (const letter of letters) {
      const messageId = randomUUID();
      this.messages.set(messageId, { messageId, body: JSON.stringify(letter.job), sentAt: at, receiveCount: 0, visibleAt: at });
    }
    return letters.length;
  }

  /**
   * Run `handler` like the SQS event source mapping until the queue is empty: batches of `batchSize`,
   * delete what succeeded, leave failures to reappear after the visibility timeout, dead-letter
   * after `maxReceives`. A handler that throws fails its whole batch. Stops after `maxBatches`, or
   * when `stopped()` says so (checked before each batch).
   */
  async drain(
    handler: SqsHandler,
    options: { readonly batchSize?: number; readonly maxBatches?: number; readonly stopped?: () => boolean } = {},
  ): Promise<DrainReport> {
    let batches = 0;
    let handlerErrors = 0;
    let redelivered = 0;
    const maxBatches = options.maxBatches ?? 100_000;
    while (this.messages.size > 0 && batches < maxBatches && !options.stopped?.()) {
      const records = this.receive(options.batchSize ?? 10);
      if (records.length === 0) {
        const next = this.nextVisibleAt();
        if (next === undefined) continue; // a message reached the dead-letter list on that receive
        await this.sleep(Math.max(1, next - this.now()));
        continue;
      }
      batches++;
      redelivered += records.filter((r) => r.attributes.ApproximateReceiveCount !== '1').length;
      let failed: Set<string>;
      try {
        const response = await handler({ Records: records });
        failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch {
        handlerErrors++;
        failed = new Set(records.map((r) => r.messageId));
      }
      for (const r of records) if (!failed.has(r.messageId)) this.delete(r.messageId, r.receiptHandle);
    }
    return { batches, handlerErrors, redelivered };
  }
}
