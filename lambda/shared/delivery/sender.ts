import { randomUUID } from 'node:crypto';
import type { Log } from '../logger.ts';
import type { Subscriber } from '../subscriptions/model.ts';
import type { SubscriberReader } from '../subscriptions/store.ts';
import type { Clock } from './clock.ts';
import { MAX_TRIES, type DeliveryLedger, type LedgerKey } from './ledger.ts';
import type { Mailer, OutgoingMessage } from '../mailer.ts';
import type { SendJob } from './ports.ts';
import type { AlreadySentRecorder } from './runs.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './retry.ts';
import { classifySesError, type SesFailureKind } from '../ses-errors.ts';
import { LEDGER_CALL_MS, STATUS_RECHECK_MS } from './timing.ts';

/**
 * The sender service: turns send jobs (up to 50 subscriber ids each) into one SES message per
 * confirmed recipient, at the instance's share of the SES rate, through the delivery ledger
 * (ledger.ts): at most 2 copies per (run, subscriber), 2 only when SES's answer to the first was
 * lost. Per recipient: read the status, compose, wait for a rate token, claim, re-read the status if
 * the last read is older than STATUS_RECHECK_MS, call SES, record the outcome.
 */

/** A subscriber the sender may mail: confirmed and with an address. */
export type Sendable = Subscriber & { readonly email: string };

/** Builds the personalised raw message for one recipient of a job (issue archive + links + MIME). */
export interface MessageComposer {
  compose(job: SendJob, subscriber: Sendable): Promise<OutgoingMessage>;
}

/**
 * Thrown by a composer when this one recipient can never be mailed (e.g. a malformed stored address):
 * recorded as rejected like an SES MessageRejected, so it neither blocks nor fails the rest of the job.
 */
export class UndeliverableRecipientError extends Error {
  override readonly name = 'UndeliverableRecipientError';
}

/** Waits for permission to make one SES call (the token bucket). */
export interface SendPermit {
  /** Take a token, waiting for it; false (nothing taken) when it would come only after `notAfter` (epoch ms). */
  take(notAfter?: number): Promise<boolean>;
}

export interface SenderDeps {
  readonly subscribers: Pick<SubscriberReader, 'get'>;
  readonly ledger: DeliveryLedger;
  readonly composer: MessageComposer;
  readonly mailer: Mailer;
  readonly permit: SendPermit;
  readonly clock: Clock;
  readonly log: Log;
  /**
   * How long a claim blocks other attempts. Must exceed the sender function's timeout (so a live
   * attempt never loses its claim) and stay below the queue's visibility timeout (so a redelivery
   * after a crash finds the lease expired).
   */
  readonly leaseMs: number;
  readonly backoff?: BackoffPolicy;
  /** Random source for jitter (tests pass a seeded one). */
  readonly random?: () => number;
  /** Recipients of one job in flight at once; the permit still bounds the rate. */
  readonly parallelism?: number;
  readonly newClaimId?: () => string;
  /** Re-read the status before an SES call when the last read is older than this. Default STATUS_RECHECK_MS. */
  readonly statusRecheckMs?: number;
  /** Where recipients found already sent are noted, on the job's record (`runs show` counts them); nowhere when absent. */
  readonly jobRecords?: AlreadySentRecorder;
}

export type RecipientOutcome =
  /** Sent now. */
  | 'sent'
  /** The ledger says an earlier attempt already sent (or had rejected) it: nothing to do. */
  | 'already-done'
  /** Not confirmed (pending, unsubscribed, suppressed, forgotten or unknown): not mailed. */
  | 'skipped'
  /** SES refused this message (MessageRejected); recorded, not retried. */
  | 'rejected'
  /** Not sent this time; the job is reported failed so SQS redelivers it. */
  | 'failed'
  /** SES's answer was lost (it may have sent): recorded unknown; the redelivery sends once more after the lease. */
  | 'uncertain'
  /** SES's answer was lost on the last allowed attempt too: given up, counted, never sent again. */
  | 'given-up';

/** Why a batch stopped before its end. */
export type StopReason = 'quota-exceeded' | 'sending-paused' | 'deadline';

export interface JobReport {
  readonly runId: string;
  readonly counts: Record<RecipientOutcome, number>;
  /** Recipients to retry (failed, or never reached because the batch stopped). */
  readonly retry: string[];
}

export interface BatchItem {
  /** The SQS message id, echoed in batchItemFailures. */
  readonly id: string;
  readonly job: SendJob;
  /** SQS's ApproximateReceiveCount: a redelivered job first skips, by a ledger read, recipients already finished. */
  readonly receiveCount?: number;
}

export interface BatchReport {
  readonly failedItemIds: string[];
  readonly jobs: JobReport[];
  readonly stopped?: StopReason;
}

export interface BatchOptions {
  /** Clock time (ms) after which no new send or retry starts: the Lambda's remaining time minus a margin. */
  readonly deadline?: number;
  /** Clock time (ms) the invocation is stopped at (Lambda's limit): a failed ledger record is retried only while another write fits before it. */
  readonly hardStop?: number;
  /** Overrides the lease for this batch (the handler derives it from the invocation's remaining time). */
  readonly leaseMs?: number;
}

/** What stopped the batch; the first reason wins. */
class StopSignal {
  reason: StopReason | undefined;
  stop(reason: StopReason): void {
    this.reason ??= reason;
  }
}

/** Zero of every outcome (a report's counts start here). */
export function emptyCounts(): Record<RecipientOutcome, number> {
  return { sent: 0, 'already-done': 0, skipped: 0, rejected: 0, failed: 0, uncertain: 0, 'given-up': 0 };
}

/** Outcomes that leave the recipient to a redelivery of the job. */
const RETRIED: ReadonlySet<RecipientOutcome> = new Set(['failed', 'uncertain']);

function isSendable(s: Subscriber | null): s is Sendable {
  return s !== null && s.status === 'confirmed' && typeof s.email === 'string' && s.email.length > 0;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

export interface SenderService {
  /** Send one job; never throws for per-recipient failures (they land in `retry`). */
  sendJob(job: SendJob, options?: BatchOptions): Promise<JobReport & { stopped?: StopReason }>;
  /** Send an SQS batch (jobs in order, one worker pool); a quota stop or the deadline leaves the rest reported as failed. */
  sendBatch(items: readonly BatchItem[], options?: BatchOptions): Promise<BatchReport>;
}

/** Build the sender service over its ports. */
export function createSender(deps: SenderDeps): SenderService {
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const random = deps.random ?? Math.random;
  const parallelism = Math.max(1, deps.parallelism ?? 4);
  const newClaimId = deps.newClaimId ?? randomUUID;
  const recheckMs = deps.statusRecheckMs ?? STATUS_RECHECK_MS;
  const { log, clock, ledger } = deps;

  const pastDeadline = (options: BatchOptions, extraMs = 0): boolean =>
    options.deadline !== undefined && clock.now() + extraMs > options.deadline;

  /** Give back a claim whose message was not sent; a failure here only delays the retry until the lease ends. */
  async function releaseQuietly(key: LedgerKey, claimId: string): Promise<void> {
    try {
      await ledger.release(key, claimId);
    } catch (error) {
      log.warn('ledger release failed; the retry waits for the lease', { ...key, error: errorName(error) });
    }
  }

  /**
   * Record an outcome, retrying a failed write while a write still fits before the hard stop. A record
   * that never lands leaves the claim to its lease: the attempt then counts as one with an unknown outcome.
   */
  async function record(what: string, key: LedgerKey, options: BatchOptions, write: () => Promise<boolean>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        const delay = backoffDelay(backoff, attempt, random);
        if (attempt >= 3 || options.hardStop !== undefined && clock.now() + delay + LEDGER_CALL_MS > options.hardStop) {
          log.error(`could not record ${what}; the claim stays until its lease ends and counts as an unknown outcome`, { ...key, error: errorName(error) });
          return false;
        }
        await clock.sleep(delay);
      }
    }
  }

  /** Record a send SES accepted. */
  async function recordSent(key: LedgerKey, claimId: string, messageId: string, options: BatchOptions): Promise<void> {
    const held = await record('a sent message', key, options, () => ledger.markSent(key, claimId, messageId, clock.now()));
    if (!held) log.error('the sent message may not be recorded; a second copy is possible', { ...key, messageId });
  }

  /** Record a permanent per-recipient rejection; if that write fails, the recipient is retried instead. */
  async function recordRejection(key: LedgerKey, claimId: string, reason: string): Promise<RecipientOutcome> {
    try {
      await ledger.markRejected(key, claimId, reason, clock.now());
      return 'rejected';
    } catch (error) {
      log.warn('could not record the rejection; it will be retried', { ...key, error: errorName(error) });
      await releaseQuietly(key, claimId);
      return 'failed';
    }
  }

  /** SES's answer was lost: never retried here, never released; the redelivery sends once more, or it is given up. */
  async function recordUnknown(key: LedgerKey, claimId: string, tries: number, error: unknown, options: BatchOptions): Promise<RecipientOutcome> {
    await record('an unknown outcome', key, options, () => ledger.markUnknown(key, claimId, clock.now()));
    if (tries >= MAX_TRIES) {
      log.error('SES answer lost again: the message is given up (SES may have sent it once or twice)', { ...key, tries, error: errorName(error) });
      return 'given-up';
    }
    log.warn('SES answer lost: it may have sent; sent once more after the lease unless recorded otherwise', { ...key, tries, error: errorName(error) });
    return 'uncertain';
  }

  /**
   * Claim the recipient: the claim id and its try, or the outcome when it cannot be claimed now or ever.
   * `onSent` hears when the ledger already holds the message as sent.
   */
  async function claimFor(key: LedgerKey, options: BatchOptions, onSent?: () => void): Promise<{ claimId: string; tries: number } | RecipientOutcome> {
    const claimId = newClaimId();
    let claim;
    try {
      claim = await ledger.claim(key, { claimId, now: clock.now(), leaseMs: options.leaseMs ?? deps.leaseMs });
    } catch (error) {
      log.warn('ledger claim failed', { ...key, error: errorName(error) });
      return 'failed';
    }
    if (claim.outcome === 'done') {
      if (claim.state === 'sent') onSent?.();
      return claim.state === 'unknown' ? 'given-up' : 'already-done';
    }
    if (claim.outcome === 'leased') {
      log.info('recipient is held by another attempt; retrying the job later', { ...key });
      return 'failed';
    }
    return { claimId, tries: claim.tries };
  }

  /** Claim for a recipient who can never be mailed, and record it rejected. */
  async function rejectUndeliverable(key: LedgerKey, reason: string, options: BatchOptions): Promise<RecipientOutcome> {
    const claim = await claimFor(key, options);
    return typeof claim === 'string' ? claim : recordRejection(key, claim.claimId, reason);
  }

  /** A redelivered job: recipients the ledger already finished are skipped before they cost a rate token. */
  async function finishedEarlier(key: LedgerKey, onSent: () => void): Promise<RecipientOutcome | null> {
    try {
      const entry = await ledger.get(key);
      if (entry?.state === 'sent') onSent();
      if (entry?.state === 'sent' || entry?.state === 'rejected') return 'already-done';
      return null;
    } catch {
      return null; // the claim decides
    }
  }

  async function sendOne(
    job: SendJob,
    subscriberId: string,
    signal: StopSignal,
    options: BatchOptions,
    redelivered: boolean,
    onAlreadySent: () => void,
  ): Promise<RecipientOutcome> {
    const key: LedgerKey = { runId: job.runId, subscriberId };
    if (redelivered) {
      const done = await finishedEarlier(key, onAlreadySent);
      if (done) return done;
    }
    let readAt = clock.now();
    let subscriber: Subscriber | null;
    try {
      subscriber = await deps.subscribers.get(subscriberId);
    } catch (error) {
      log.warn('subscriber read failed', { ...key, error: errorName(error) });
      return 'failed';
    }
    // Re-check at send time: the status may have changed since the job was enqueued.
    if (!isSendable(subscriber)) return 'skipped';

    let message: OutgoingMessage;
    try {
      message = await deps.composer.compose(job, subscriber);
    } catch (error) {
      if (error instanceof UndeliverableRecipientError) {
        log.warn('recipient cannot be mailed; recorded as rejected', { ...key, reason: error.message });
        return rejectUndeliverable(key, error.name, options);
      }
      log.error('could not compose the message', { ...key, issueKey: job.issueKey, error: errorName(error) });
      return 'failed';
    }

    let claimId: string | undefined;
    let tries = 0;
    /** Not sent, for certain: give the claim back (if taken) and report `outcome`. */
    const giveBack = async (outcome: RecipientOutcome): Promise<RecipientOutcome> => {
      if (claimId !== undefined) await releaseQuietly(key, claimId);
      return outcome;
    };

    for (let attempt = 1; ; attempt++) {
      if (signal.reason !== undefined || pastDeadline(options)) {
        signal.stop(signal.reason ?? 'deadline');
        return giveBack('failed');
      }
      // A token that would come only after the deadline is not waited for.
      if (!(await deps.permit.take(options.deadline))) {
        signal.stop('deadline');
        return giveBack('failed');
      }
      if (signal.reason !== undefined) return giveBack('failed');
      if (claimId === undefined) {
        const claim = await claimFor(key, options, onAlreadySent);
        if (typeof claim === 'string') return claim;
        ({ claimId, tries } = claim);
      }
      // The wait for a token, a backoff or the claim may have outlasted an unsubscribe or a bounce.
      if (clock.now() - readAt > recheckMs) {
        readAt = clock.now();
        try {
          subscriber = await deps.subscribers.get(subscriberId);
        } catch (error) {
          log.warn('subscriber read failed', { ...key, error: errorName(error) });
          return giveBack('failed');
        }
        if (!isSendable(subscriber)) {
          log.info('subscriber left while the send waited; not mailed', { ...key });
          return giveBack('skipped');
        }
      }
      if (pastDeadline(options)) {
        signal.stop(signal.reason ?? 'deadline');
        return giveBack('failed');
      }
      let messageId: string;
      try {
        ({ messageId } = await deps.mailer.send(message));
      } catch (error) {
        const kind: SesFailureKind = classifySesError(error);
        if (kind === 'ambiguous') return recordUnknown(key, claimId, tries, error, options);
        if (kind === 'rejected') {
          log.warn('SES rejected the message', { ...key, error: errorName(error) });
          return recordRejection(key, claimId, errorName(error));
        }
        if (kind === 'quota-exceeded' || kind === 'sending-paused') {
          log.warn('SES cannot send now; stopping the batch', { ...key, reason: kind });
          signal.stop(kind);
          return giveBack('failed');
        }
        // Throttled, or not sent for certain: back off with jitter, a bounded number of times within this invocation.
        const delay = backoffDelay(backoff, attempt, random);
        if (attempt >= backoff.maxAttempts || pastDeadline(options, delay)) {
          log.warn('send still failing after retries; SQS will redeliver the job', { ...key, kind, attempts: attempt });
          return giveBack('failed');
        }
        log.debug('send failed; backing off', { ...key, kind, attempt, delayMs: delay });
        await clock.sleep(delay);
        continue;
      }
      await recordSent(key, claimId, messageId, options);
      log.debug('sent', { ...key, messageId });
      return 'sent';
    }
  }

  /** Note on the job's record whom the ledger already held as sent; a failure here costs only that count, never a send. */
  async function noteAlreadySent(job: SendJob, subscriberIds: readonly string[]): Promise<void> {
    if (!deps.jobRecords || subscriberIds.length === 0 || job.page === undefined || job.index === undefined) return;
    try {
      await deps.jobRecords.recordAlreadySent(job.runId, job.page, job.index, subscriberIds);
    } catch (error) {
      log.warn('could not note the recipients already sent on the job record', { runId: job.runId, page: job.page, index: job.index, error: errorName(error) });
    }
  }

  /**
   * Every recipient of every job in the batch goes through one pool of `parallelism` workers, in job
   * order, so the pool never drains at a job boundary; outcomes are still counted per job.
   */
  async function runBatch(items: readonly BatchItem[], signal: StopSignal, options: BatchOptions): Promise<JobReport[]> {
    const jobs = items.map((item) => ({
      job: item.job,
      counts: emptyCounts(),
      retry: [] as string[],
      alreadySent: [] as string[],
      left: 0,
    }));
    const work: { job: (typeof jobs)[number]; subscriberId: string; redelivered: boolean }[] = [];
    items.forEach((item, i) => {
      const j = jobs[i] as (typeof jobs)[number];
      const recipients = [...new Set(j.job.recipients)];
      j.left = recipients.length;
      for (const subscriberId of recipients) work.push({ job: j, subscriberId, redelivered: (item.receiveCount ?? 1) > 1 });
    });
    const settle = (j: (typeof jobs)[number], subscriberId: string, outcome: RecipientOutcome): void => {
      j.counts[outcome]++;
      if (RETRIED.has(outcome)) j.retry.push(subscriberId);
      if (--j.left === 0) log.info('send job finished', { runId: j.job.runId, kind: j.job.kind, ...j.counts });
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < work.length) {
        const { job: j, subscriberId, redelivered } = work[next++] as (typeof work)[number];
        if (signal.reason !== undefined || pastDeadline(options)) {
          // Stopped (daily quota, paused, deadline): the rest stays queued, untouched.
          signal.stop(signal.reason ?? 'deadline');
          settle(j, subscriberId, 'failed');
          continue;
        }
        let outcome: RecipientOutcome;
        try {
          outcome = await sendOne(j.job, subscriberId, signal, options, redelivered, () => j.alreadySent.push(subscriberId));
        } catch (error) {
          // sendOne handles port failures itself; this guards against the unexpected.
          log.error('unexpected failure sending to a recipient', { runId: j.job.runId, subscriberId, error: errorName(error) });
          outcome = 'failed';
        }
        settle(j, subscriberId, outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallelism, work.length) }, worker));
    await Promise.all(jobs.map((j) => noteAlreadySent(j.job, j.alreadySent)));
    return jobs.map((j) => ({ runId: j.job.runId, counts: j.counts, retry: j.retry }));
  }

  return {
    async sendJob(job, options = {}) {
      const signal = new StopSignal();
      const [report] = await runBatch([{ id: 'job', job }], signal, options);
      const out = report as JobReport;
      return signal.reason ? { ...out, stopped: signal.reason } : out;
    },

    async sendBatch(items, options = {}) {
      const signal = new StopSignal();
      const jobs = await runBatch(items, signal, options);
      const failedItemIds = items.filter((_, i) => (jobs[i]?.retry.length ?? 0) > 0).map((item) => item.id);
      return signal.reason ? { failedItemIds, jobs, stopped: signal.reason } : { failedItemIds, jobs };
    },
  };
}
