/**
 * The delivery ledger: one item per (run, subscriber) that makes sending at most twice, and twice
 * only when SES's answer to the first send was lost.
 *
 * Protocol (sender.ts):
 *   1. `claim` with a conditional write right BEFORE calling SES (after the rate-limit wait). It
 *      succeeds only if no item exists, or the item's previous attempt has an unknown outcome
 *      (`unknown`, or a `claimed` whose lease expired because its sender died) and fewer than
 *      MAX_TRIES attempts with an unknown outcome were made. A live lease or a final state wins.
 *   2. Send through SES.
 *   3. `markSent` (with SES's message id), `markRejected`, or `markUnknown` when SES's answer was
 *      lost (timeout, reset, 5xx): each conditional on still holding the claim. An unknown outcome
 *      is never retried within the invocation and its claim is never released.
 *   4. On a failure that means "not sent" for certain (throttled out, quota, paused, the deadline, an
 *      unsubscribe), `release` gives the attempt back: the item is deleted, or returns to `unknown`
 *      if an earlier attempt's outcome is still unknown, so a retry can claim at once.
 *
 * `tries` counts the attempts whose outcome is not known to be "not sent". A message is claimed at
 * most MAX_TRIES times, so it reaches SES at most twice: a second time only after the first
 * attempt's answer was lost (an ambiguous error, or a crash between the claim and the record), and
 * only after that attempt's lease expired. After MAX_TRIES unknown outcomes it is given up: the
 * claim answers `done` with state `unknown` (recording it so, under a new claim id, when the last
 * holder's lease ran out) and the sender counts it. Leases are longer than the
 * sender function's timeout, so a live attempt never loses its claim.
 */

export type LedgerState = 'claimed' | 'sent' | 'rejected' | 'unknown';

/** Attempts with an unknown outcome a message may have: at most 2 copies reach a subscriber. */
export const MAX_TRIES = 2;

export interface LedgerKey {
  readonly runId: string;
  readonly subscriberId: string;
}

export interface LedgerEntry extends LedgerKey {
  readonly state: LedgerState;
  /** The holder of a claim; a stale holder can neither mark nor release a claim taken over since. */
  readonly claimId?: string;
  /** Epoch ms until which a claim (or a fresh unknown outcome) blocks other senders. */
  readonly leaseUntil?: number;
  /** Claims made whose outcome is not known to be "not sent" (the current one included). */
  readonly tries?: number;
  readonly messageId?: string;
  /** Why SES rejected the message (an SES error name, never an address). */
  readonly reason?: string;
  readonly updatedAt: number;
  /** The bounce SES reported for this run's message to this subscriber (the first one; see MailEventRecorder). */
  readonly bounce?: RecordedBounce;
  /** The complaint SES reported for it. */
  readonly complaint?: RecordedMailEvent;
}

/** A bounce or complaint as kept on the ledger entry: ids and times, never an address. */
export interface RecordedMailEvent {
  /** SES's feedback id: the same id again is the same event redelivered. */
  readonly feedbackId: string;
  /** The SES message id the event is about. */
  readonly messageId: string;
  /** When the mail-events function recorded it (ISO). */
  readonly at: string;
}

export interface RecordedBounce extends RecordedMailEvent {
  readonly bounceType: 'Permanent' | 'Transient' | 'Undetermined';
  readonly bounceSubType?: string;
}

/** A bounce or a complaint for one (run, subscriber). */
export type MailEventRecord = { readonly kind: 'bounce'; readonly event: RecordedBounce } | { readonly kind: 'complaint'; readonly event: RecordedMailEvent };

/**
 * Where the mail-events function records a bounce or complaint on the run that sent the message
 * (found by the message's run tag, message-tags.ts): one conditional update of the ledger entry, which
 * keeps the first event of each kind, so SNS's redelivery (or a second copy's bounce) is never counted
 * twice. `unknown`: the run has no entry for the subscriber (expired, or not a run's message).
 */
export interface MailEventRecorder {
  recordMailEvent(key: LedgerKey, record: MailEventRecord): Promise<'recorded' | 'duplicate' | 'unknown'>;
}

export type ClaimResult =
  /** Ours; `tries` counts this attempt with the earlier ones whose outcome is unknown. */
  | { readonly outcome: 'claimed'; readonly tries: number }
  /** Finished by an earlier attempt, or given up after MAX_TRIES unknown outcomes: do not send. */
  | { readonly outcome: 'done'; readonly state: 'sent' | 'rejected' | 'unknown' }
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
  /** SES may have accepted the message and its answer was lost: keep the attempt counted, keep the lease. */
  markUnknown(key: LedgerKey, claimId: string, now: number): Promise<boolean>;
  /** Give back a claim whose message was NOT sent, so a retry need not wait for the lease. No-op if not held. */
  release(key: LedgerKey, claimId: string): Promise<void>;
  get(key: LedgerKey): Promise<LedgerEntry | null>;
}

/** Reads a run's whole ledger partition (the operator's `runs show`); not part of the send path. */
export interface LedgerReader {
  /** Every entry of run `runId`. */
  runEntries(runId: string): Promise<LedgerEntry[]>;
}

/** What a claim attempt finds in an existing entry (shared by both adapters, so they decide alike). */
export function claimVerdict(existing: LedgerEntry, now: number): ClaimResult | 'take-over' {
  if (existing.state === 'sent' || existing.state === 'rejected') return { outcome: 'done', state: existing.state };
  const leaseUntil = existing.leaseUntil ?? 0;
  if (leaseUntil >= now) return { outcome: 'leased', leaseUntil };
  if ((existing.tries ?? 1) >= MAX_TRIES) return { outcome: 'done', state: 'unknown' };
  return 'take-over';
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
