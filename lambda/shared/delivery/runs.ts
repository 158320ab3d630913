import type { DigestFrequency, Frequency } from '../subscriptions/model.ts';

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
 * Per digest frequency a state item holds the watermark (the end of the last successful run's
 * article window) and the id of the run in progress, which serialises runs of one frequency.
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
  /** Digest article window [since, until) over ingest times; `until` becomes the watermark on success. */
  readonly since?: string;
  readonly until?: string;
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

/** Per digest frequency: the watermark and the run in progress. */
export interface DigestState {
  /** `until` of the last successful run: the next run collects articles ingested from here on. */
  readonly watermark?: string;
  readonly lastRunId?: string;
  /** The run in progress; while set, no other run of this frequency starts. */
  readonly openRunId?: string;
}

/** The run store port. DynamoDB adapter in runs-dynamo.ts; in-memory below (same contract tests). */
export interface RunStore {
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
  /** Mark `runId` as the frequency's run in progress, unless another one is. */
  lockDigest(frequency: DigestFrequency, runId: string): Promise<boolean>;
  /**
   * The run finished: clear the lock (only if it is `runId`'s) and, when `watermark` is given,
   * move the watermark forward to it (never backwards). Idempotent.
   */
  unlockDigest(frequency: DigestFrequency, runId: string, watermark?: string): Promise<void>;
}

/** Run store failures (not condition failures, which are answers). */
export class RunStoreError extends Error {
  override readonly name = 'RunStoreError';
}

/** In-memory run store with the same conditional semantics as the DynamoDB adapter. */
export class MemoryRunStore implements RunStore {
  readonly runs = new Map<string, RunRecord>();
  readonly states = new Map<DigestFrequency, DigestState>();

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

  async lockDigest(frequency: DigestFrequency, runId: string): Promise<boolean> {
    const s = this.states.get(frequency) ?? {};
    if (s.openRunId !== undefined && s.openRunId !== runId) return false;
    this.states.set(frequency, { ...s, openRunId: runId });
    return true;
  }

  async unlockDigest(frequency: DigestFrequency, runId: string, watermark?: string): Promise<void> {
    const s = this.states.get(frequency) ?? {};
    if (s.openRunId !== runId) return;
    const { openRunId: _open, ...rest } = s;
    const advance = watermark !== undefined && (s.watermark === undefined || watermark > s.watermark);
    this.states.set(frequency, advance ? { ...rest, watermark, lastRunId: runId } : rest);
  }
}
