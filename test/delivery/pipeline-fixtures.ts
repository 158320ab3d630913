/**
 * Ingest and digest over one set of in-memory ports, to follow articles to subscribers: which
 * articles each subscriber was sent, through alerts and digests together.
 */
import type { Analysis, Article } from '../../lambda/shared/article/model.ts';
import { parseArticle } from '../../lambda/shared/article/parse.ts';
import { MemoryArticleStore } from '../../lambda/shared/delivery/articles.ts';
import { runDigest, type DigestDeps, type DigestResult } from '../../lambda/shared/delivery/digest.ts';
import { ingestArticle, type IngestDeps, type IngestResult } from '../../lambda/shared/delivery/ingest.ts';
import { readIssue } from '../../lambda/shared/delivery/issue.ts';
import { MemoryRunStore } from '../../lambda/shared/delivery/runs.ts';
import { parseTopicRules } from '../../lambda/shared/delivery/topics.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import type { DigestFrequency } from '../../lambda/shared/subscriptions/model.ts';
import { memoryRecordBackend } from '../../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriberStore } from '../../lambda/shared/subscriptions/record-store.ts';
import { fakeEmail, MapBlobs, RecordingQueue, TestClock } from './digest-fixtures.ts';

/** A stand-in analysis (the real one has its own tests): the first paragraph as the summary, no quotes. */
export function briefAnalysis(article: Article): Analysis {
  return { summary: article.paragraphs.slice(0, 1), quotes: [], keyQuotes: [] };
}

/** A small article text with a unique headline. */
export const articleText = (title: string): string => `${title}\n\nThe council met on ${title}.\n`;

export type Pipeline = ReturnType<typeof pipeline>;

/** Ingest, digest and the subscriber store over shared in-memory ports, on a hand-moved clock. */
export function pipeline(startIso: string) {
  const backend = memoryRecordBackend();
  const subscribers = createSubscriberStore(backend);
  const clock = new TestClock(Date.parse(startIso));
  const articles = new MemoryArticleStore();
  const runs = new MemoryRunStore();
  const queue = new RecordingQueue();
  const blobs = new MapBlobs();
  const common = { articles, runs, subscribers, queue, blobs, log: silentLog, now: clock.now, remainingMs: () => 600_000 };
  const ingestDeps: IngestDeps = {
    ...common,
    parse: parseArticle,
    analyze: briefAnalysis,
    renderAlert: async (brief, ctx) => fakeEmail('alert', [brief], ctx.topics),
    rules: parseTopicRules('{}'),
  };
  const digestDeps: DigestDeps = { ...common, render: async (briefs, ctx) => fakeEmail('digest', briefs, ctx.topics) };
  let invocations = 0;
  return {
    backend,
    subscribers,
    clock,
    articles,
    runs,
    queue,
    blobs,
    ingestDeps,
    digestDeps,
    /** Move the clock to an ISO time. */
    at(iso: string): void {
      clock.ms = Date.parse(iso);
    },
    ingest(title: string, deps: Partial<IngestDeps> = {}): Promise<IngestResult> {
      return ingestArticle(articleText(title), `articles/${title}.txt`, { ...ingestDeps, ...deps }, { owner: `ingest-${++invocations}` });
    },
    digest(frequency: DigestFrequency, deps: Partial<DigestDeps> = {}): Promise<DigestResult> {
      return runDigest({ frequency, scheduledTime: clock.iso() }, { ...digestDeps, ...deps }, { owner: `digest-${++invocations}` });
    },
    /** Headlines `subscriberId` was sent (alerts and digests together), with how often each. */
    async sentTo(subscriberId: string): Promise<Record<string, number>> {
      const out: Record<string, number> = {};
      for (const job of queue.jobs) {
        const n = job.recipients.filter((r) => r === subscriberId).length;
        if (n === 0) continue;
        const issue = await readIssue(blobs, job.issueKey);
        for (const id of issue.articleIds) {
          const title = (await articles.get(id))?.brief.title ?? id;
          out[title] = (out[title] ?? 0) + n;
        }
      }
      return out;
    },
  };
}
