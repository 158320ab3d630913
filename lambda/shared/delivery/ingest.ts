import { withLeadIns } from '../article/lead-in.ts';
import type { Analysis, Article, Brief } from '../article/model.ts';
import type { Log } from '../logger.ts';
import type { Subscriber } from '../subscriptions/model.ts';
import { audiencePhases, owedArticles } from './audience.ts';
import type { SubscriberReader } from '../subscriptions/store.ts';
import { articleId, type ArticleRecord, type ArticleStore } from './articles.ts';
import { fanOut, type FanOutOptions, type FanOutResult } from './fanout.ts';
import { canonicalTopics, issueKey, selectionKey, writeIssue, type StoredEmail } from './issue.ts';
import type { BlobStore, JobQueue } from './ports.ts';
import { ZERO_COUNTS, type RunCounts, type RunRecord, type RunStore } from './runs.ts';
import { topicsOf, type TopicRules } from './topics.ts';

/**
 * Ingest one article: parse and analyse it, store its record (idempotent by content hash), queue it
 * for each digest frequency, and alert the subscribers whose topics match and who held `immediate`
 * when it was ingested (audience.ts). The alert is a run like a digest
 * (id `alert#<articleId>`, created with a conditional write), so:
 * - the same article ingested twice is one record and one alert run: no second alert;
 * - a crash after the record was stored but before the alert was fanned out is repaired by the
 *   retry: the record exists, the run does not (or is open), and the retry creates or resumes it.
 */

/** Renders one alert for a selection (the email module's renderAlert, with the operator's options bound). */
export type RenderAlert = (
  brief: Brief,
  context: { readonly topics: readonly string[]; readonly matchedTopic: string; readonly issueDate: string },
) => Promise<StoredEmail>;

export interface IngestDeps {
  readonly articles: ArticleStore;
  readonly runs: RunStore;
  readonly subscribers: Pick<SubscriberReader, 'listConfirmed'>;
  readonly queue: JobQueue;
  readonly blobs: BlobStore;
  /** Article parsing (throws ArticleParseError naming the origin and the reason). */
  readonly parse: (content: string | Uint8Array, origin: string) => Article;
  readonly analyze: (article: Article) => Analysis;
  readonly renderAlert: RenderAlert;
  readonly rules: TopicRules;
  readonly log: Log;
  readonly now: () => number;
  readonly remainingMs: () => number;
}

export type IngestOutcome =
  /** A new article: stored, alerts fanned out. */
  | 'ingested'
  /** Seen before and its alert run is closed: nothing done. */
  | 'duplicate'
  /** Seen before, but its alert had not been (fully) fanned out: finished now. */
  | 'recovered'
  /** Alert fan-out stopped before the time limit (or another invocation holds it); a retry resumes. */
  | 'paused';

export interface IngestResult {
  readonly outcome: IngestOutcome;
  readonly article: ArticleRecord;
  readonly alertRunId: string;
  readonly alerts: RunCounts;
}

/** The alert run id of an article. */
export function alertRunId(id: string): string {
  return `alert#${id}`;
}

/** Build the brief the emails render from. */
export function toBrief(article: Article, analysis: Analysis, topics: string[]): Brief {
  return {
    title: article.title,
    publishedAt: article.publishedAt,
    ...(article.source !== undefined && { source: article.source }),
    ...(article.url !== undefined && { url: article.url }),
    topics,
    summary: analysis.summary,
    keyQuotes: withLeadIns(article, analysis.keyQuotes),
  };
}

/** Ingest one article object or file; `origin` is its key or path (used in errors and on the record). */
export async function ingestArticle(
  content: string | Uint8Array,
  origin: string,
  deps: IngestDeps,
  options: FanOutOptions,
): Promise<IngestResult> {
  const article = deps.parse(content, origin);
  const analysis = deps.analyze(article);
  const id = articleId(article);
  const record: ArticleRecord = {
    id,
    ingestedAt: new Date(deps.now()).toISOString(),
    origin,
    brief: toBrief(article, analysis, topicsOf(article, deps.rules)),
  };
  const stored = await deps.articles.putIfAbsent(record);
  const current = stored === 'created' ? record : ((await deps.articles.get(id)) ?? record);
  // Into each digest frequency's queue, after the record (so no entry points to a missing article);
  // idempotent, so a retry after a crash here queues it, and never twice.
  await deps.articles.queueForDigests(current);
  const runId = alertRunId(id);

  let run = await deps.runs.get(runId);
  if (run && run.status !== 'open') {
    deps.log.info('article already ingested', { articleId: id, origin });
    return { outcome: 'duplicate', article: current, alertRunId: runId, alerts: run.counts };
  }
  if (!run) {
    const created: RunRecord = {
      runId,
      kind: 'alert',
      frequency: 'immediate',
      // The audience is fixed at the first ingest, so a retry alerts the same people.
      startedAt: current.ingestedAt,
      articleIds: [id],
      status: 'open',
      counts: ZERO_COUNTS,
      version: 0,
      updatedAt: current.ingestedAt,
    };
    await deps.runs.create(created);
    run = created;
  }
  deps.log.info('article ingested', { articleId: id, origin, topics: current.brief.topics, new: stored === 'created' });

  const result = await fanOutAlert(run, current, deps, options);
  const outcome: IngestOutcome =
    result.outcome !== 'complete' ? 'paused' : stored === 'created' ? 'ingested' : 'recovered';
  return { outcome, article: current, alertRunId: runId, alerts: result.counts };
}

async function fanOutAlert(run: RunRecord, article: ArticleRecord, deps: IngestDeps, options: FanOutOptions): Promise<FanOutResult> {
  const { brief } = article;
  const issues = new Map<string, Promise<string>>();
  const resolve = async (subscriber: Subscriber, phase: number): Promise<string | null> => {
    // Owed when the topics match and the subscriber held `immediate` when the article was ingested.
    if (owedArticles(subscriber, 'immediate', [article], phase).length === 0) return null;
    const topics = canonicalTopics(subscriber.topics);
    const selKey = selectionKey(topics);
    let pending = issues.get(selKey);
    if (!pending) {
      pending = renderOnce(topics, selKey);
      issues.set(selKey, pending);
    }
    return pending;
  };
  const renderOnce = async (topics: string[], selKey: string): Promise<string> => {
    const key = issueKey(run.runId, selKey);
    if ((await deps.blobs.get(key)) !== null) return key;
    const matchedTopic = topics.find((t) => brief.topics.includes(t)) ?? brief.topics[0] ?? 'news';
    const email = await deps.renderAlert(brief, { topics, matchedTopic, issueDate: article.ingestedAt });
    await writeIssue(deps.blobs, {
      schemaVersion: 1,
      runId: run.runId,
      kind: 'alert',
      frequency: 'immediate',
      topics,
      selection: selKey,
      articleIds: [article.id],
      email,
      renderedAt: new Date(deps.now()).toISOString(),
    });
    return key;
  };
  return fanOut(run.runId, resolve, audiencePhases('immediate', run.startedAt, article.ingestedAt), deps, options);
}
