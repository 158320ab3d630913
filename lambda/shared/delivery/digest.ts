import type { Brief } from '../article/model.ts';
import type { Log } from '../logger.ts';
import { wantsTopics, type DigestFrequency } from '../subscriptions/model.ts';
import type { SubscriberReader } from '../subscriptions/store.ts';
import { getArticles, type ArticleRecord, type ArticleStore } from './articles.ts';
import { fanOut, type FanOutResult } from './fanout.ts';
import { canonicalTopics, issueKey, selectionKey, writeIssue, type StoredEmail } from './issue.ts';
import type { BlobStore, JobQueue } from './ports.ts';
import { ZERO_COUNTS, type RunCounts, type RunRecord, type RunStore } from './runs.ts';

/**
 * The scheduled digest run of one frequency: collect the articles ingested since the last
 * successful run, render each distinct topic selection once into the issues archive, and fan the
 * run out to the confirmed subscribers who were there when it started. See runs.ts for the record
 * protocol and fanout.ts for the checkpoint and its re-enqueue bound.
 *
 * Runs of one frequency are serialised by the digest lock: an invocation first finishes (or
 * resumes) the run in progress, and only then starts its own. So a run that timed out is resumed by
 * Lambda's retry of the same event, or at the latest by the next scheduled event.
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
  /** Most articles one run carries; the rest wait for the next run (the window ends before them). Default 200. */
  readonly maxArticles?: number;
  /**
   * Articles ingested within this many ms before the run starts wait for the next run, so an ingest
   * in flight (or a GSI entry not yet visible) is never skipped by both runs. Default 0.
   */
  readonly settleMs?: number;
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
  | 'busy';

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

  // 1. Finish whatever run of this frequency is in progress.
  const state = await runs.getDigestState(frequency);
  if (state.openRunId !== undefined) {
    const open = await runs.get(state.openRunId);
    if (!open) {
      // Locked, then crashed before the run record was written: nothing was enqueued for it.
      if (state.openRunId !== myRunId) await runs.unlockDigest(frequency, state.openRunId);
    } else {
      const result = open.status === 'open' ? await drive(open, deps, options) : null;
      if (result && result.outcome !== 'complete') {
        return { outcome: outcomeOf(result), runId: open.runId, articleIds: open.articleIds, counts: result.counts, resumed };
      }
      await runs.unlockDigest(frequency, open.runId, open.until);
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
    if (result.outcome === 'complete') await runs.unlockDigest(frequency, myRunId, existing.until);
    return { outcome: outcomeOf(result), runId: myRunId, articleIds: existing.articleIds, counts: result.counts, resumed };
  }

  // 3. Start it: lock the frequency, fix the article window and the audience, create the record.
  if (!(await runs.lockDigest(frequency, myRunId))) {
    log.info('another digest run of this frequency is in progress', { runId: myRunId });
    return { outcome: 'busy', runId: myRunId, articleIds: [], counts: ZERO_COUNTS, resumed };
  }
  const { watermark } = await runs.getDigestState(frequency);
  const nowMs = deps.now();
  const startedAt = new Date(nowMs).toISOString();
  const since = watermark ?? '';
  let until = new Date(nowMs - (options.settleMs ?? 0)).toISOString();
  if (until < since) until = since;
  const maxArticles = options.maxArticles ?? 200;
  let articles = await deps.articles.listIngested({ since, until, limit: maxArticles + 1 });
  if (articles.length > maxArticles) {
    // Too many for one issue: end the window at the first article left out (the next run starts there).
    until = (articles[maxArticles] as ArticleRecord).ingestedAt;
    articles = articles.slice(0, maxArticles).filter((a) => a.ingestedAt < until);
  }

  const base = {
    runId: myRunId,
    kind: 'digest' as const,
    frequency,
    startedAt,
    scheduledTime: event.scheduledTime,
    since,
    until,
    articleIds: articles.map((a) => a.id),
    counts: ZERO_COUNTS,
    version: 0,
    updatedAt: startedAt,
  };
  const run: RunRecord =
    articles.length === 0 ? { ...base, status: 'empty', completedAt: startedAt } : { ...base, status: 'open' };
  if ((await runs.create(run)) === 'exists') {
    // A concurrent delivery of the same event created it first; that invocation fans it out.
    const other = await runs.get(myRunId);
    return { outcome: 'duplicate', runId: myRunId, articleIds: other?.articleIds ?? [], counts: other?.counts ?? ZERO_COUNTS, resumed };
  }
  log.info('digest run started', { runId: myRunId, articles: articles.length, since, until });
  if (run.status === 'empty') {
    await runs.unlockDigest(frequency, myRunId, until);
    return { outcome: 'empty', runId: myRunId, articleIds: [], counts: ZERO_COUNTS, resumed };
  }

  const result = await drive(run, deps, options, articles);
  if (result.outcome === 'complete') await runs.unlockDigest(frequency, myRunId, until);
  return { outcome: outcomeOf(result), runId: myRunId, articleIds: run.articleIds, counts: result.counts, resumed };
}

/** A superseded invocation is, for the caller, one that found another invocation busy with the run. */
function outcomeOf(result: FanOutResult): DigestOutcome {
  return result.outcome === 'superseded' ? 'busy' : result.outcome;
}

/** Fan a digest run out, resolving each selection's issue from the archive or rendering it once. */
async function drive(
  run: RunRecord,
  deps: DigestDeps,
  options: DigestRunOptions,
  known?: readonly ArticleRecord[],
): Promise<FanOutResult> {
  const records = known ?? (await getArticles(deps.articles, run.articleIds));
  if (records.length !== run.articleIds.length) {
    deps.log.warn('digest run articles missing from the store', { runId: run.runId, expected: run.articleIds.length, found: records.length });
  }
  const issueDate = run.scheduledTime ?? run.startedAt;
  const frequency = run.frequency as DigestFrequency;

  const resolve = async (selection: readonly string[]): Promise<string | null> => {
    const topics = canonicalTopics(selection);
    const chosen = records.filter((r) => wantsTopics(topics, r.brief.topics));
    if (chosen.length === 0) return null;
    const selKey = selectionKey(topics);
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
  };

  return fanOut(run.runId, resolve, deps, options);
}
