import * as z from 'zod';

/**
 * The contracts between the delivery steps: what the digest and ingest steps put on the send queue,
 * and the ports for the queue, the object store and the mailer. Adapters: SQS / S3 / SES in AWS;
 * an in-process queue, a folder and the SES emulator locally.
 */

/** Recipients per send job: small enough that one SQS message's retries stay cheap. */
export const MAX_RECIPIENTS_PER_JOB = 50;

export const sendJobSchema = z
  .object({
    /** The run this job belongs to: a digest run id or an alert id. The ledger is keyed by (runId, subscriberId). */
    runId: z.string().min(1).max(200),
    kind: z.enum(['digest', 'alert']),
    /** Object key of the rendered issue (JSON `RenderedIssue`) in the issues archive. */
    issueKey: z.string().min(1).max(1024),
    /** Subscriber ids, never addresses: queue messages are not a place for personal data. */
    recipients: z.array(z.string().min(1).max(100)).min(1).max(MAX_RECIPIENTS_PER_JOB),
  })
  .strict();
export type SendJob = z.infer<typeof sendJobSchema>;

/** Puts send jobs on the queue. The SQS adapter batches 10 per SendMessageBatch call. */
export interface JobQueue {
  enqueue(jobs: readonly SendJob[]): Promise<void>;
}

/** Reads and writes objects (articles in, rendered issues out). S3 in AWS, a folder locally. */
export interface BlobStore {
  get(key: string): Promise<Buffer | null>;
  put(key: string, body: string | Buffer, contentType: string): Promise<void>;
}

/** One raw message for SES SendRawEmail. */
export interface OutgoingMessage {
  readonly raw: Buffer | string;
  readonly to: string;
  /** Logged and tagged instead of the address. */
  readonly subscriberId: string;
}

/** Sends one raw message; resolves with SES's message id or rejects with the SDK's error. */
export interface Mailer {
  send(message: OutgoingMessage): Promise<{ messageId: string }>;
}
