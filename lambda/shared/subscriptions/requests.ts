import * as z from 'zod';
import type { Frequency } from './model.ts';

/**
 * Subscribe requests and the confirmation queue. POST /subscribe does the same two writes whatever the
 * address's state: it stores the request and queues its id. Everything that depends on the state (the
 * lookup, creating or updating the subscriber, the mail limits, SES) happens later in the
 * confirmation worker (confirmations.ts), so neither the answer nor its timing tells a new address
 * from a subscribed one. The queue message carries the request id only (a claim check), never the
 * address: the address waits in the table, beside the subscribers, until the worker has handled it.
 */

/** A subscribe request as the API accepted it: validated and normalised, the choice resolved. */
export interface SubscribeRequest {
  /** Random id; the queue message carries only this. */
  readonly id: string;
  readonly email: string;
  readonly topics: readonly string[];
  readonly frequency: Frequency;
  /** When the API accepted it: later requests win over earlier ones handled late (SQS does not keep order). */
  readonly requestedAt: string;
}

/**
 * How long an unhandled request is kept (DynamoDB TTL): past the dead-letter queue's 14-day retention,
 * so a message redriven from it still finds its request. A handled request is deleted at once.
 */
export const SUBSCRIBE_REQUEST_TTL_MS = 15 * 24 * 60 * 60 * 1000;

/** The confirmation queue's message body. */
export const confirmationJobSchema = z.object({ requestId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }).strict();
export type ConfirmationJob = z.infer<typeof confirmationJobSchema>;

/** Puts confirmation jobs on the queue: SQS in AWS (sqs-confirmation-queue.ts), the in-process queue locally. */
export interface ConfirmationQueue {
  enqueue(jobs: readonly ConfirmationJob[]): Promise<void>;
}
