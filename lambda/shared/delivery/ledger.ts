/**
 * The delivery ledger: one item per (run, subscriber) that makes sending exactly once.
 *
 * Protocol (sender.ts):
 *   1. `claim` with a conditional write BEFORE calling SES. It succeeds only if no item exists, or the
 *      item is a claim whose lease has expired (its sender crashed). A live claim or a final state wins.
 *   2. Send through SES.
 *   3. `markSent` (with SES's message id) or `markRejected`, conditional on still holding the claim.
 *   4. On a failure that means "not sent" (throttled out, quota, paused), `release` deletes the claim
 *      so the SQS redelivery can claim again at once instead of waiting out the lease.
 *
 * The one remaining window: a crash (timeout, out of memory, runtime kill) after SES accepted a
 * message and before step 3 leaves a claim that expires; the redelivery then sends that message
 * again. SES has no idempotency key to close this. It is bounded: at most one extra copy per message
 * that was in flight at the moment of the crash (at most the sender's in-invocation parallelism per
 * crash), at most maxReceiveCount crashes per job, and the window itself is one DynamoDB write long.
 * Leases are longer than the sender function's timeout, so a live attempt never loses its claim.
 */

export type LedgerState = 'claimed' | 'sent' | 'rejected';

export interface LedgerKey {
  readonly runId: string;
  readonly subscriberId: string;
}

export interface LedgerEntry extends LedgerKey {
  readonly state: LedgerState;
  /** The holder of a claim; a stale holder can neither mark nor release a claim taken over since. */
  readonly claimId?: string;
  /** Epoch ms until which a claim blocks other senders. */
  readonly leaseUntil?: number;
  readonly messageId?: string;
  /** Why SES rejected the message (an SES error name, never an address). */
  readonly reason?: string;
  readonly updatedAt: number;
}

export type ClaimResult =
  | { readonly outcome: 'claimed' }
  /** Already finished by an earlier attempt: do not send again. */
  | { readonly outcome: 'done'; readonly state: 'sent' | 'rejected' }
  /** Another attempt holds a live lease: leave it and let SQS retry the job later. */
  | { readonly outcome: 'leased'; readonly leaseUntil: number };

export interface ClaimOptions {
  readonly claimId: string;
  readonly now: number;
  readonly leaseMs: number;
}

/** The ledger port. ledger-dynamo.ts (DynamoDB conditional writes) and ledger-memory.ts pass the same contract tests. */
export interface DeliveryLedger {
  claim(key: LedgerKey, options: ClaimOptions): Promise<ClaimResult>;
  /** Record the send; false when this claim was lost (the caller logs a possible duplicate). */
  markSent(key: LedgerKey, claimId: string, messageId: string, now: number): Promise<boolean>;
  /** Record a permanent per-message rejection; false when this claim was lost. */
  markRejected(key: LedgerKey, claimId: string, reason: string, now: number): Promise<boolean>;
  /** Drop a claim whose message was NOT sent, so a retry need not wait for the lease. No-op if not held. */
  release(key: LedgerKey, claimId: string): Promise<void>;
  get(key: LedgerKey): Promise<LedgerEntry | null>;
}

/** How long ledger items are kept: longer than SQS's 14-day maximum retention, so no redelivery outlives its record. */
export const LEDGER_RETENTION_SECONDS = 30 * 24 * 3600;

/** The ledger's single-table keys: one partition per run, one item per subscriber. */
export function ledgerKeys(key: LedgerKey): { pk: string; sk: string } {
  return { pk: `LEDGER#${key.runId}`, sk: `SUB#${key.subscriberId}` };
}

/** Raised when the ledger store itself fails (not a lost claim); the job is retried by SQS. */
export class LedgerError extends Error {
  override readonly name = 'LedgerError';
}
