import type { Log } from '../logger.ts';
import type { Subscriber } from '../subscriptions/model.ts';
import type { SubscriberReader } from '../subscriptions/store.ts';
import type { AudiencePhase } from './audience.ts';
import { MAX_RECIPIENTS_PER_JOB, type JobQueue, type SendJob } from './ports.ts';
import type { RunCounts, RunRecord, RunStore } from './runs.ts';

/**
 * The fan-out loop shared by digest runs and alerts: page through the run's audience, phase after
 * phase (audience.ts), turn each page into send jobs (≤ 50 recipients, one issue per job), enqueue
 * them, then checkpoint. The checkpoint holds the phase and the cursor within it.
 *
 * Resume guarantee: a page's jobs are enqueued BEFORE its checkpoint, and a resumed invocation
 * starts after the last checkpointed page. The time budget is checked before each page, so a clean
 * stop (Lambda close to its limit) always falls between a checkpoint and the next page and
 * re-enqueues nothing. Only a crash or a lost write between `enqueue` and `checkpoint` makes the next
 * invocation enqueue that one page again: at most `pageSize` recipients, and the sender's ledger
 * (one claim per run and subscriber) turns those into no second email.
 *
 * Each page's jobs are recorded with the run (runs.ts `recordJobs`, keyed by page number, so a page
 * enqueued again overwrites its records) before they are enqueued: the run's recipients on record.
 */

/** Returns the archive key of the issue a subscriber found in `phase` is owed, or null when it is owed nothing. */
export type IssueResolver = (subscriber: Subscriber, phase: number) => Promise<string | null>;

export interface FanOutDeps {
  readonly runs: RunStore;
  readonly subscribers: Pick<SubscriberReader, 'listConfirmed'>;
  readonly queue: JobQueue;
  readonly log: Log;
  /** Epoch ms. */
  readonly now: () => number;
  /** Milliseconds left in this invocation (Lambda's context.getRemainingTimeInMillis). */
  readonly remainingMs: () => number;
}

/** The fan-out lease, renewed at each checkpoint: a holder that dies or stalls this long loses the run to the next invocation. */
export const FANOUT_LEASE_MS = 60_000;

export interface FanOutOptions {
  /** This invocation's id, the lease owner. */
  readonly owner: string;
  /** Subscribers per page = per checkpoint; also the bound on re-enqueues after a crash. Default 500. */
  readonly pageSize?: number;
  /** Lease length, renewed at each checkpoint; a crashed holder's lease lapses after it. Default FANOUT_LEASE_MS. */
  readonly leaseMs?: number;
  /** Stop before a page when less than this is left in the invocation. Default 20 s. */
  readonly reserveMs?: number;
}

export type FanOutOutcome =
  /** Every page enqueued; the run is closed. */
  | 'complete'
  /** Stopped cleanly before the time limit, checkpoint saved; the next invocation resumes. */
  | 'paused'
  /** Another invocation holds the lease; it is the one fanning out. */
  | 'busy'
  /** Our lease was taken over (we were too slow); we stopped without enqueueing more. */
  | 'superseded';

export interface FanOutResult {
  readonly outcome: FanOutOutcome;
  readonly counts: RunCounts;
  /** Recipients enqueued by this invocation alone. */
  readonly enqueuedNow: number;
}

/** Split ids into send jobs of at most MAX_RECIPIENTS_PER_JOB for one issue. */
export function toJobs(run: Pick<RunRecord, 'runId' | 'kind'>, issueKey: string, ids: readonly string[]): SendJob[] {
  const jobs: SendJob[] = [];
  for (let i = 0; i < ids.length; i += MAX_RECIPIENTS_PER_JOB) {
    jobs.push({ runId: run.runId, kind: run.kind, issueKey, recipients: ids.slice(i, i + MAX_RECIPIENTS_PER_JOB) });
  }
  return jobs;
}

/** A checkpoint: the phase, and the cursor within it (absent at the phase's start). */
function parseCursor(cursor: string | undefined): { phase: number; inner?: string } {
  if (cursor === undefined) return { phase: 0 };
  const m = /^(\d+)\|(.*)$/s.exec(cursor);
  // A cursor from before phases: a position in the one audience query, phase 0.
  if (!m) return { phase: 0, inner: cursor };
  return m[2] ? { phase: Number(m[1]), inner: m[2] } : { phase: Number(m[1]) };
}

/** Fan an open run out from its checkpoint, phase by phase, until done, out of time, or superseded. */
export async function fanOut(
  runId: string,
  resolveIssue: IssueResolver,
  phases: readonly AudiencePhase[],
  deps: FanOutDeps,
  options: FanOutOptions,
): Promise<FanOutResult> {
  const pageSize = options.pageSize ?? 500;
  const leaseMs = options.leaseMs ?? FANOUT_LEASE_MS;
  const reserveMs = options.reserveMs ?? 20_000;
  const { runs, log } = deps;

  let run = await runs.acquireLease(runId, options.owner, deps.now(), leaseMs);
  if (!run) {
    const current = await runs.get(runId);
    if (current && current.status !== 'open') return { outcome: 'complete', counts: current.counts, enqueuedNow: 0 };
    log.info('run is leased by another invocation', { runId });
    return { outcome: 'busy', counts: current?.counts ?? { pages: 0, enqueued: 0, jobs: 0, skipped: 0 }, enqueuedNow: 0 };
  }

  let counts = run.counts;
  let enqueuedNow = 0;
  let version = run.version;
  let { phase, inner } = parseCursor(run.cursor);

  while (phase < phases.length) {
    if (deps.remainingMs() < reserveMs) {
      await runs.releaseLease(runId, options.owner);
      log.info('run paused before the time limit', { runId, pages: counts.pages, enqueued: counts.enqueued });
      return { outcome: 'paused', counts, enqueuedNow };
    }
    const query = phases[phase] as AudiencePhase;
    const page = await deps.subscribers.listConfirmed(query.frequency, {
      enteredBefore: query.enteredBefore,
      ...(query.enteredFrom !== undefined ? { enteredFrom: query.enteredFrom } : {}),
      limit: pageSize,
      ...(inner !== undefined ? { cursor: inner } : {}),
    });

    // Group the page by issue; subscribers owed no article get nothing (no blank digests). Only the
    // audience fixed at the start counts as skipped; later phases read everyone who moved, to find the few owed.
    const byIssue = new Map<string, string[]>();
    let skipped = 0;
    let owed = 0;
    for (const subscriber of page.items) {
      const key = await resolveIssue(subscriber, phase);
      if (key === null) {
        if (phase === 0) skipped++;
        continue;
      }
      owed++;
      const ids = byIssue.get(key);
      if (ids) ids.push(subscriber.id);
      else byIssue.set(key, [subscriber.id]);
    }
    const pageNumber = counts.pages;
    // Each job names its record, so the sender can note there whom it found already sent.
    const jobs = [...byIssue].flatMap(([key, ids]) => toJobs(run as RunRecord, key, ids)).map((job, index) => ({ ...job, page: pageNumber, index }));
    if (jobs.length > 0) {
      // On record before on the queue: every recipient a job may reach is one `runs show` can account for.
      await runs.recordJobs(runId, pageNumber, jobs, new Date(deps.now()).toISOString());
      await deps.queue.enqueue(jobs);
    }
    const recipients = owed;
    enqueuedNow += recipients;
    counts = {
      pages: counts.pages + 1,
      enqueued: counts.enqueued + recipients,
      jobs: counts.jobs + jobs.length,
      skipped: counts.skipped + skipped,
    };

    const at = new Date(deps.now()).toISOString();
    // The next position: on in this phase, or the start of the next one; none after the last.
    const nextPhase = page.cursor === undefined ? phase + 1 : phase;
    if (nextPhase >= phases.length) {
      const closed = await runs.finish(runId, { expectedVersion: version, owner: options.owner, status: 'complete', counts, at });
      if (!closed) return superseded(log, runId, counts, enqueuedNow);
      log.info('run fan-out complete', { runId, ...counts });
      return { outcome: 'complete', counts, enqueuedNow };
    }
    const cursor = `${nextPhase}|${page.cursor ?? ''}`;
    const saved = await runs.checkpoint(runId, {
      expectedVersion: version,
      owner: options.owner,
      cursor,
      counts,
      leaseUntil: deps.now() + leaseMs,
      at,
    });
    if (!saved) return superseded(log, runId, counts, enqueuedNow);
    version++;
    ({ phase, inner } = parseCursor(cursor));
    run = { ...run, cursor, counts, version };
  }
  // Unreachable: the last phase's last page returns above. Kept for the type checker.
  return { outcome: 'complete', counts, enqueuedNow };
}

function superseded(log: Log, runId: string, counts: RunCounts, enqueuedNow: number): FanOutResult {
  log.warn('run checkpoint lost: another invocation took the lease over', { runId });
  return { outcome: 'superseded', counts, enqueuedNow };
}
