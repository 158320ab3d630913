import type { Brief } from '../article/model.ts';
import type { Log } from '../logger.ts';
import { wantsTopics, type DigestFrequency, type Subscriber } from '../subscriptions/model.ts';
import type { SubscriberReader } from '../subscriptions/store.ts';
import { byIngestTime, getArticles, type ArticleRecord, type ArticleStore, type DigestEntry } from './articles.ts';
import { audiencePhases, owedArticles, partialSelectionKey } from './audience.ts';
import { fanOut, type FanOutResult } from './fanout.ts';
import { canonicalTopics, issueKey, selectionKey, writeIssue, type StoredEmail } from './issue.ts';
import type { BlobStore, JobQueue } from './ports.ts';
import { ZERO_COUNTS, type DigestState, type RunCounts, type RunRecord, type RunStore } from './runs.ts';
import { LEASE_MARGIN_MS } from './timing.ts';

/**
 * The scheduled digest run of one frequency: take the lock (a lease, with the run's start fixed in
 * the same write), carry every article waiting in the frequency's digest queue (articles.ts: each
 * one enters exactly one run, however late its write landed), create the run record, render each
 * distinct issue once into the archive, and fan the run out to the subscribers it is owed to
 * (audience.ts). See runs.ts for the record protocol and fanout.ts for the checkpoint and its
 * re-enqueue bound.
 *
 * Runs of one frequency are serialised by the digest lock: an invocation first finishes (or
 * resumes) the run in progress, and only then starts its own. A run whose setup was cut short
 * (after the lock, before the record) is completed by the first invocation after its lease ran out.
 */

/** Renders one digest for a selection (the email module's renderDigest, with the operator's options bound). */
export type RenderDigest = (
  briefs: readonly Brief[],
  context: { readonly frequency: DigestFrequency; readonly topics: readonly string[]; readonly issueDate: string },
) => Promise<StoredEmail>;

export interface DigestDeps {
  readonly runs: RunStore;
  readonly articles: ArticleStore;
  readonly subscribers: Pick<SubscriberReader, 'listConfirmed'>;
  readonly queue: JobQueue;
  readonly blobs: BlobStore;
  readonly render: RenderDigest;
  readonly log: Log;
  readonly now: () => number;
  readonly remainingMs: () => number;
}

export interface DigestRunOptions {
  /** This invocation's id (Lambda request id), the fan-out lease owner. */
  readonly owner: string;
  /** Most articles one run carries; the rest wait in the queue for the next run. Default 200. */
  readonly maxArticles?: number;
  readonly pageSize?: number;
  readonly leaseMs?: number;
  readonly reserveMs?: number;
}

export interface DigestEvent {
  readonly frequency: DigestFrequency;
  /** ISO time the schedule fired for; with the frequency it is the run id. */
  readonly scheduledTime: string;
}

export type DigestOutcome =
  | 'complete'
  /** No article since the last successful run: nothing sent, the run recorded empty. */
  | 'empty'
  /** This event's run already exists and is closed: the event was delivered twice. */
  | 'duplicate'
  /** Stopped before the time limit with the checkpoint saved; the next invocation resumes. */
  | 'paused'
  /** Another invocation is fanning a run of this frequency out right now. */
  | 'busy'
  /** A run of this frequency is being set up (locked, no record yet): by a live invocation, or one that died before its lease ends. */
  | 'locked';

export interface DigestResult {
  readonly outcome: DigestOutcome;
  /** The run this invocation worked on (possibly an older, resumed one). */
  readonly runId: string;
  readonly articleIds: readonly string[];
  readonly counts: RunCounts;
  /** Runs this invocation finished that were started by an earlier one. */
  readonly resumed: readonly string[];
}

/** The run id of a schedule event: the same event twice is the same run. */
export function digestRunId(frequency: DigestFrequency, scheduledTime: string): string {
  return `digest#${frequency}#${scheduledTime}`;
}

/** Run (or resume) the digest for one schedule event. */
export async function runDigest(event: DigestEvent, deps: DigestDeps, options: DigestRunOptions): Promise<DigestResult> {
  const { runs, log } = deps;
  const { frequency } = event;
  const myRunId = digestRunId(frequency, event.scheduledTime);
  const resumed: string[] = [];
  // The lock outlives this invocation: a live invocation never loses it.
  const lockUntil = () => deps.now() + deps.remainingMs() + LEASE_MARGIN_MS;
  const busy = (runId: string): DigestResult => ({ outcome: 'busy', runId, articleIds: [], counts: ZERO_COUNTS, resumed });

  // 1. Finish whatever run of this frequency is in progress.
  const state = await runs.getDigestState(frequency);
  if (state.openRunId !== undefined) {
    const open = await runs.get(state.openRunId);
    if (!open) {
      // Locked, and its record not created yet: a live invocation setting it up, or one that died doing so.
      if ((state.lockUntil ?? 0) >= deps.now()) {
        log.info('a digest run of this frequency is being set up', { runId: state.openRunId, lockUntil: state.lockUntil });
        return { ...busy(state.openRunId), outcome: 'locked' };
      }
      if (!(await runs.takeOverDigest(frequency, state, options.owner, lockUntil(), deps.now()))) return { ...busy(state.openRunId), outcome: 'locked' };
      log.warn('completing a digest run whose setup was cut short', { runId: state.openRunId });
      const run = await setUp(frequency, state.openRunId, takenOverStart(state), state, deps, options);
      const result = run.status === 'open' ? await drive(run, deps, options) : null;
      if (result && result.outcome !== 'complete') {
        return { outcome: outcomeOf(result), runId: run.runId, articleIds: run.articleIds, counts: result.counts, resumed };
      }
      await runs.unlockDigest(frequency, run.runId);
      if (run.runId === myRunId) {
        return { outcome: result ? 'complete' : 'empty', runId: run.runId, articleIds: run.articleIds, counts: result?.counts ?? ZERO_COUNTS, resumed };
      }
      resumed.push(run.runId);
    } else {
      const result = open.status === 'open' ? await drive(open, deps, options) : null;
      if (result && result.outcome !== 'complete') {
        return { outcome: outcomeOf(result), runId: open.runId, articleIds: open.articleIds, counts: result.counts, resumed };
      }
      await runs.unlockDigest(frequency, open.runId);
      if (open.runId === myRunId) {
        if (result) return { outcome: 'complete', runId: open.runId, articleIds: open.articleIds, counts: result.counts, resumed };
        return { outcome: 'duplicate', runId: open.runId, articleIds: open.articleIds, counts: open.counts, resumed };
      }
      if (result) resumed.push(open.runId);
    }
  }

  // 2. This event's run: closed already = duplicate delivery.
  const existing = await runs.get(myRunId);
  if (existing) {
    if (existing.status !== 'open') {
      log.info('digest event already handled', { runId: myRunId, status: existing.status });
      return { outcome: 'duplicate', runId: myRunId, articleIds: existing.articleIds, counts: existing.counts, resumed };
    }
    const result = await drive(existing, deps, options);
    if (result.outcome === 'complete') await runs.unlockDigest(frequency, myRunId);
    return { outcome: outcomeOf(result), runId: myRunId, articleIds: existing.articleIds, counts: result.counts, resumed };
  }

  // 3. Start it: the lock fixes the run and its start (the audience) in one write, then the run carries its articles.
  const startedAt = new Date(deps.now()).toISOString();
  if (!(await runs.lockDigest(frequency, { runId: myRunId, owner: options.owner, until: lockUntil(), startedAt }))) {
    log.info('another digest run of this frequency is in progress', { runId: myRunId });
    return busy(myRunId);
  }
  // The same event delivered twice: the other invocation may have run it whole between our look (2) and our lock.
  // A closed run carries nothing more: articles carried into it now would be in no run of this frequency.
  const ran = await runs.get(myRunId);
  if (ran) {
    const result = ran.status === 'open' ? await drive(ran, deps, options) : null;
    if (!result || result.outcome === 'complete') await runs.unlockDigest(frequency, myRunId);
    log.info('digest event already handled', { runId: myRunId, status: ran.status });
    if (result) return { outcome: outcomeOf(result), runId: myRunId, articleIds: ran.articleIds, counts: result.counts, resumed };
    return { outcome: 'duplicate', runId: myRunId, articleIds: ran.articleIds, counts: ran.counts, resumed };
  }
  const run = await setUp(frequency, myRunId, startedAt, await runs.getDigestState(frequency), deps, options);
  if (run.status === 'empty') return { outcome: 'empty', runId: myRunId, articleIds: [], counts: ZERO_COUNTS, resumed };
  const result = await drive(run, deps, options);
  if (result.outcome === 'complete') await runs.unlockDigest(frequency, myRunId);
  return { outcome: outcomeOf(result), runId: myRunId, articleIds: run.articleIds, counts: result.counts, resumed };
}

/** The start of a run taken over after its setup was cut short: fixed by its lock (older locks: its scheduled time). */
function takenOverStart(state: DigestState): string {
  if (state.lockStartedAt !== undefined) return state.lockStartedAt;
  const scheduled = /#([^#]+)$/.exec(state.openRunId ?? '')?.[1];
  return scheduled ?? new Date(0).toISOString();
}

/**
 * Set a locked run up: carry the articles waiting in the queue (with those a cut-short setup already
 * carried), then create its record. An empty run is recorded `empty` and unlocks at once.
 */
async function setUp(
  frequency: DigestFrequency,
  runId: string,
  startedAt: string,
  state: DigestState,
  deps: DigestDeps,
  options: DigestRunOptions,
): Promise<RunRecord> {
  const { runs, articles, log } = deps;
  const maxArticles = options.maxArticles ?? 200;
  if (state.watermark !== undefined) await queueSinceWatermark(frequency, state.watermark, startedAt, deps);
  const at = new Date(deps.now()).toISOString();
  const carried: DigestEntry[] = await articles.carriedBy(frequency, runId);
  if (carried.length < maxArticles) {
    for (const entry of await articles.pendingFor(frequency, { before: startedAt, limit: maxArticles - carried.length })) {
      // A stale index entry another run already carried loses this conditional write.
      if (await articles.carry(frequency, entry.articleId, runId, at)) carried.push(entry);
    }
  }
  const ids = [...new Map(carried.sort(byIngestTime).map((e) => [e.articleId, e])).keys()];
  const base = {
    runId,
    kind: 'digest' as const,
    frequency,
    startedAt,
    scheduledTime: runId.slice(runId.lastIndexOf('#') + 1),
    articleIds: ids,
    counts: ZERO_COUNTS,
    version: 0,
    updatedAt: at,
  };
  const run: RunRecord = ids.length === 0 ? { ...base, status: 'empty', completedAt: at } : { ...base, status: 'open' };
  if ((await runs.create(run)) === 'exists') {
    // Only this lock's holder creates it; an earlier holder's record (then its lease ran out) stands.
    const other = await runs.get(runId);
    if (other) return other;
  }
  log.info('digest run started', { runId, articles: ids.length, startedAt });
  if (run.status === 'empty') await runs.unlockDigest(frequency, runId);
  return run;
}

/**
 * Before the digest queue, runs took the articles ingested since a watermark. Queue those once (the
 * ones the last run did not take), so an upgrade loses none, then forget the watermark.
 */
async function queueSinceWatermark(frequency: DigestFrequency, watermark: string, until: string, deps: DigestDeps): Promise<void> {
  for (const record of await deps.articles.listIngested({ since: watermark, until, limit: 10_000 })) {
    await deps.articles.queueForDigests(record, [frequency]);
  }
  await deps.runs.clearWatermark(frequency, watermark);
}

/** A superseded invocation is, for the caller, one that found another invocation busy with the run. */
function outcomeOf(result: FanOutResult): DigestOutcome {
  return result.outcome === 'superseded' ? 'busy' : result.outcome;
}

/** Fan a digest run out, resolving each subscriber's issue from the archive or rendering it once. */
async function drive(run: RunRecord, deps: DigestDeps, options: DigestRunOptions, known?: readonly ArticleRecord[]): Promise<FanOutResult> {
  const records = known ?? (await getArticles(deps.articles, run.articleIds));
  if (records.length !== run.articleIds.length) {
    deps.log.warn('digest run articles missing from the store', { runId: run.runId, expected: run.articleIds.length, found: records.length });
  }
  const issueDate = run.scheduledTime ?? run.startedAt;
  const frequency = run.frequency as DigestFrequency;
  const issues = new Map<string, Promise<string | null>>();

  /** The issue for `chosen` articles of a selection: read from the archive, or rendered once. */
  const issueOf = (topics: string[], chosen: readonly ArticleRecord[], full: boolean): Promise<string | null> => {
    const selKey = full ? selectionKey(topics) : partialSelectionKey(selectionKey(topics), chosen.map((r) => r.id));
    let pending = issues.get(selKey);
    if (!pending) {
      pending = (async () => {
        const key = issueKey(run.runId, selKey);
        // Rendered by an earlier invocation of this run: reuse it, so every recipient of a selection gets the same issue.
        if ((await deps.blobs.get(key)) !== null) return key;
        const email = await deps.render(
          chosen.map((r) => r.brief),
          { frequency, topics, issueDate },
        );
        await writeIssue(deps.blobs, {
          schemaVersion: 1,
          runId: run.runId,
          kind: 'digest',
          frequency,
          topics,
          selection: selKey,
          articleIds: chosen.map((r) => r.id),
          email,
          renderedAt: new Date(deps.now()).toISOString(),
        });
        deps.log.info('digest issue rendered', { runId: run.runId, selection: selKey, articles: chosen.length });
        return key;
      })();
      issues.set(selKey, pending);
    }
    return pending;
  };

  const resolve = async (subscriber: Subscriber, phase: number): Promise<string | null> => {
    const topics = canonicalTopics(subscriber.topics);
    const owed = owedArticles(subscriber, frequency, records, phase);
    if (owed.length === 0) return null;
    const selection = records.filter((r) => wantsTopics(topics, r.brief.topics));
    return issueOf(topics, owed, owed.length === selection.length);
  };

  const earliest = records.reduce((min, r) => (r.ingestedAt < min ? r.ingestedAt : min), run.startedAt);
  return fanOut(run.runId, resolve, audiencePhases(frequency, run.startedAt, earliest), deps, options);
}
