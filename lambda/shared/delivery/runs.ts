import type { DigestFrequency, Frequency } from '../subscriptions/model.ts';
import type { SendJob } from './ports.ts';

/**
 * Run records: one per digest run or per article's alert fan-out. A run fixes its articles and its
 * audience (subscribers who entered before `startedAt`) when it is created, then pages through the
 * audience and checkpoints the cursor after each enqueued page, so any later invocation resumes it.
 *
 * Every state change is a single-item conditional write (no transactions: dynalite has none):
 * - create: `attribute_not_exists` on the run id, so the same schedule event twice is one run;
 * - lease: only one invocation fans a run out at a time; the lease is short and renewed at every
 *   checkpoint, so a crashed invocation's lease runs out before Lambda's retry arrives;
 * - checkpoint / finish: conditional on the lease owner and the record version, so a superseded
 *   invocation can never move the cursor backwards or double-count.
 *
 * Per digest frequency a state item holds the run in progress, which serialises runs of one
 * frequency, as a lease: an owner, an expiry longer than the owner invocation can live, and the run's
 * start (its audience), all fixed in the one write that takes it. Until the run record exists, the
 * lease is taken over only after it expired, and only by a write conditional on the owner seen.
 */

export type RunKind = 'digest' | 'alert';
export type RunStatus = 'open' | 'complete' | 'empty';

/** Counters a run accumulates across invocations. */
export interface RunCounts {
  /** Pages of subscribers read and checkpointed. */
  readonly pages: number;
  /** Subscribers put into send jobs. */
  readonly enqueued: number;
  readonly jobs: number;
  /** Subscribers whose topic selection matched none of the run's articles: sent nothing. */
  readonly skipped: number;
}

export const ZERO_COUNTS: RunCounts = { pages: 0, enqueued: 0, jobs: 0, skipped: 0 };

export interface RunRecord {
  readonly runId: string;
  readonly kind: RunKind;
  /** The audience: confirmed subscribers of this frequency (`immediate` for alerts). */
  readonly frequency: Frequency;
  /** ISO; the audience is fixed here: subscribers who entered the frequency later wait for the next run. */
  readonly startedAt: string;
  /** For digests: the schedule's time this run answers. */
  readonly scheduledTime?: string;
  /** The articles of this run, fixed at creation, in the order shown. Empty for an empty run. */
  readonly articleIds: string[];
  readonly status: RunStatus;
  /** The subscriber-page cursor after the last enqueued page; absent before the first page. */
  readonly cursor?: string;
  readonly counts: RunCounts;
  /** Bumped by every checkpoint; checkpoints are conditional on it. */
  readonly version: number;
  readonly leaseOwner?: string;
  /** Epoch ms; 0 or absent = free. */
  readonly leaseUntil?: number;
  readonly updatedAt: string;
  readonly completedAt?: string;
}

/** Per digest frequency: the run in progress and its lease. */
export interface DigestState {
  readonly lastRunId?: string;
  /** The run in progress; while set, no other run of this frequency starts. */
  readonly openRunId?: string;
  /** The invocation setting the run up. */
  readonly lockOwner?: string;
  /** Epoch ms until which that invocation may still be setting it up (longer than it can live). */
  readonly lockUntil?: number;
  /** The run's start, fixed with the lock: its audience is who entered the frequency before it. */
  readonly lockStartedAt?: string;
  /** Before the digest queue existed: the end of the last run's time window (turned into queue entries once). */
  readonly watermark?: string;
}

/** A digest lock as taken: the run, its owner and lease, and the run's start. */
export interface DigestLock {
  readonly runId: string;
  readonly owner: string;
  readonly until: number;
  readonly startedAt: string;
}

/**
 * One send job a run enqueued, kept with the run: who the run addressed, and with which issue. The
 * ledger says what happened to each of them; a recipient here without a final ledger entry was not
 * sent (`runs show` counts them failed, `runs resend --failed` sends them the same issue again).
 */
export interface RunJobRecord {
  readonly runId: string;
  /** The page the job came from and its place in it: the same page enqueued again after a crash overwrites its records. */
  readonly page: number;
  readonly index: number;
  readonly issueKey: string;
  readonly recipients: readonly string[];
  /** Recipients a sender found the ledger already holding as sent (a redelivered job, a resend): never mailed twice, counted here. */
  readonly alreadySent?: readonly string[];
}

/** Where the sender notes recipients of a job it found already sent (the job's record, runs.ts). */
export interface AlreadySentRecorder {
  /** Add `subscriberIds` to the record's set (idempotent); nothing when the record is gone. */
  recordAlreadySent(runId: string, page: number, index: number, subscriberIds: readonly string[]): Promise<void>;
}

/** The run store port. DynamoDB adapter in runs-dynamo.ts; in-memory below (same contract tests). */
export interface RunStore extends AlreadySentRecorder {
  /** Create the run unless one with this id exists. */
  create(run: RunRecord): Promise<'created' | 'exists'>;
  get(runId: string): Promise<RunRecord | null>;
  /**
   * Take (or renew) the fan-out lease of an open run: succeeds when the run is open and its lease is
   * free, expired, or already ours. Returns the record as leased, or null.
   */
  acquireLease(runId: string, owner: string, now: number, leaseMs: number): Promise<RunRecord | null>;
  /**
   * Save progress after a page was enqueued: the new cursor and counts, version + 1, lease renewed.
   * Conditional on `expectedVersion` and the lease owner; false = superseded (stop, enqueue nothing more).
   */
  checkpoint(
    runId: string,
    update: { expectedVersion: number; owner: string; cursor: string; counts: RunCounts; leaseUntil: number; at: string },
  ): Promise<boolean>;
  /** Close the run (complete or empty) with its final counts; same conditions as `checkpoint`. */
  finish(
    runId: string,
    update: { expectedVersion: number; owner: string; status: 'complete' | 'empty'; counts: RunCounts; at: string },
  ): Promise<boolean>;
  /** Give the lease back (clean stop), so the next invocation need not wait for it to expire. */
  releaseLease(runId: string, owner: string): Promise<void>;

  getDigestState(frequency: DigestFrequency): Promise<DigestState>;
  /** Take the lock for a new run, fixing its start: only when no run of this frequency is in progress. */
  lockDigest(frequency: DigestFrequency, lock: DigestLock): Promise<boolean>;
  /**
   * Take over the lock of a run whose setup was cut short: only once its lease expired (`now` past
   * `lockUntil`), and only if the owner is still the one `seen`. The run and its start are kept.
   */
  takeOverDigest(frequency: DigestFrequency, seen: DigestState, owner: string, until: number, now: number): Promise<boolean>;
  /** The run finished: clear the lock (only if it is `runId`'s) and remember the run. Idempotent. */
  unlockDigest(frequency: DigestFrequency, runId: string): Promise<void>;
  /** Forget the pre-queue watermark once its articles were queued (only while it is `watermark`). */
  clearWatermark(frequency: DigestFrequency, watermark: string): Promise<void>;

  /** Keep the jobs of a run's page (numbered from 0) before they are enqueued; writing a page again overwrites it. */
  recordJobs(runId: string, page: number, jobs: readonly SendJob[], at: string): Promise<void>;
  /** Every job a run recorded, in page order. */
  listJobs(runId: string): Promise<RunJobRecord[]>;
  /** The latest `limit` runs, newest first (by start). */
  listRuns(limit: number): Promise<RunRecord[]>;
}

/** The sort key of a run's job record: page and index, zero-padded so keys sort in enqueue order. */
export function jobSortKey(page: number, index: number): string {
  return `JOB#${String(page).padStart(8, '0')}#${String(index).padStart(4, '0')}`;
}

/** Runs sort by their start, then id: the order `listRuns` answers in (reversed). */
export function runOrderKey(run: Pick<RunRecord, 'startedAt' | 'runId'>): string {
  return `${run.startedAt}#${run.runId}`;
}

/** Run store failures (not condition failures, which are answers). */
export class RunStoreError extends Error {
  override readonly name = 'RunStoreError';
}

/** In-memory run store with the same conditional semantics as the DynamoDB adapter. */
export class MemoryRunStore implements RunStore {
  readonly runs = new Map<string, RunRecord>();
  readonly states = new Map<DigestFrequency, DigestState>();
  readonly jobs = new Map<string, RunJobRecord>();

  async recordJobs(runId: string, page: number, jobs: readonly SendJob[]): Promise<void> {
    jobs.forEach((job, index) =>
      this.jobs.set(`${runId}|${jobSortKey(page, index)}`, { runId, page, index, issueKey: job.issueKey, recipients: [...job.recipients] }),
    );
  }

  async recordAlreadySent(runId: string, page: number, index: number, subscriberIds: readonly string[]): Promise<void> {
    const key = `${runId}|${jobSortKey(page, index)}`;
    const job = this.jobs.get(key);
    if (job) this.jobs.set(key, { ...job, alreadySent: [...new Set([...(job.alreadySent ?? []), ...subscriberIds])] });
  }

  async listJobs(runId: string): Promise<RunJobRecord[]> {
    return [...this.jobs.entries()]
      .filter(([, j]) => j.runId === runId)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, j]) => structuredClone(j));
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    return [...this.runs.values()]
      .sort((a, b) => runOrderKey(b).localeCompare(runOrderKey(a)))
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  async create(run: RunRecord): Promise<'created' | 'exists'> {
    if (this.runs.has(run.runId)) return 'exists';
    this.runs.set(run.runId, structuredClone(run));
    return 'created';
  }

  async get(runId: string): Promise<RunRecord | null> {
    const r = this.runs.get(runId);
    return r ? structuredClone(r) : null;
  }

  async acquireLease(runId: string, owner: string, now: number, leaseMs: number): Promise<RunRecord | null> {
    const r = this.runs.get(runId);
    if (!r || r.status !== 'open') return null;
    const free = r.leaseUntil === undefined || r.leaseUntil < now || r.leaseOwner === owner;
    if (!free) return null;
    const next: RunRecord = { ...r, leaseOwner: owner, leaseUntil: now + leaseMs };
    this.runs.set(runId, next);
    return structuredClone(next);
  }

  async checkpoint(
    runId: string,
    u: { expectedVersion: number; owner: string; cursor: string; counts: RunCounts; leaseUntil: number; at: string },
  ): Promise<boolean> {
    const r = this.heldOpen(runId, u);
    if (!r) return false;
    this.runs.set(runId, {
      ...r,
      cursor: u.cursor,
      counts: { ...u.counts },
      version: r.version + 1,
      leaseUntil: u.leaseUntil,
      updatedAt: u.at,
    });
    return true;
  }

  async finish(
    runId: string,
    u: { expectedVersion: number; owner: string; status: 'complete' | 'empty'; counts: RunCounts; at: string },
  ): Promise<boolean> {
    const r = this.heldOpen(runId, u);
    if (!r) return false;
    const { cursor: _cursor, leaseUntil: _lease, leaseOwner: _owner, ...rest } = r;
    this.runs.set(runId, {
      ...rest,
      status: u.status,
      counts: { ...u.counts },
      version: r.version + 1,
      updatedAt: u.at,
      completedAt: u.at,
    });
    return true;
  }

  /** The open run at the expected version whose lease `owner` holds: the condition of every checkpoint and finish. */
  private heldOpen(runId: string, u: { expectedVersion: number; owner: string }): RunRecord | undefined {
    const r = this.runs.get(runId);
    return r && r.status === 'open' && r.version === u.expectedVersion && r.leaseOwner === u.owner ? r : undefined;
  }

  async releaseLease(runId: string, owner: string): Promise<void> {
    const r = this.runs.get(runId);
    if (r && r.leaseOwner === owner) this.runs.set(runId, { ...r, leaseUntil: 0 });
  }

  async getDigestState(frequency: DigestFrequency): Promise<DigestState> {
    return { ...(this.states.get(frequency) ?? {}) };
  }

  async lockDigest(frequency: DigestFrequency, lock: DigestLock): Promise<boolean> {
    const s = this.states.get(frequency) ?? {};
    if (s.openRunId !== undefined) return false;
    this.states.set(frequency, { ...s, openRunId: lock.runId, lockOwner: lock.owner, lockUntil: lock.until, lockStartedAt: lock.startedAt });
    return true;
  }

  async takeOverDigest(frequency: DigestFrequency, seen: DigestState, owner: string, until: number, now: number): Promise<boolean> {
    const s = this.states.get(frequency) ?? {};
    if (s.openRunId === undefined || s.openRunId !== seen.openRunId || s.lockOwner !== seen.lockOwner || (s.lockUntil ?? 0) >= now) return false;
    this.states.set(frequency, { ...s, lockOwner: owner, lockUntil: until });
    return true;
  }

  async unlockDigest(frequency: DigestFrequency, runId: string): Promise<void> {
    const s = this.states.get(frequency) ?? {};
    if (s.openRunId !== runId) return;
    const { openRunId: _open, lockOwner: _owner, lockUntil: _until, lockStartedAt: _started, ...rest } = s;
    this.states.set(frequency, { ...rest, lastRunId: runId });
  }

  async clearWatermark(frequency: DigestFrequency, watermark: string): Promise<void> {
    const s = this.states.get(frequency) ?? {};
    if (s.watermark !== watermark) return;
    const { watermark: _w, ...rest } = s;
    this.states.set(frequency, rest);
  }
}
