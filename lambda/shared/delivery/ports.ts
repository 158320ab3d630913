import * as z from 'zod';

/**
 * The contracts between the delivery steps: what the digest and ingest steps put on the send queue,
 * and the ports for the queue and the object store (the mailer port is ../mailer.ts, below both delivery and
 * subscriptions). Adapters: SQS and S3 in AWS; an in-process queue and a folder locally.
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
    /**
     * The run's job record this job comes from (runs.ts `recordJobs`: page and place in it), where the
     * sender notes recipients it found already sent. Absent on jobs from before job records.
     */
    page: z.number().int().min(0).optional(),
    index: z.number().int().min(0).optional(),
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
