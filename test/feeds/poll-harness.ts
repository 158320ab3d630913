/** A poll under test: local HTTP server for feeds and pages, in-memory stores, the real HTML extractor and ingest path. */
import { analyze } from '../../lambda/shared/analysis/analyze.ts';
import { parseArticle } from '../../lambda/shared/article/parse.ts';
import { MemoryArticleStore } from '../../lambda/shared/delivery/articles.ts';
import { ingestArticle, type RenderAlert } from '../../lambda/shared/delivery/ingest.ts';
import { MemoryRunStore } from '../../lambda/shared/delivery/runs.ts';
import { parseTopicRules } from '../../lambda/shared/delivery/topics.ts';
import { feedListSchema, type FeedConfig } from '../../lambda/shared/feeds/config.ts';
import { createFetcher, type FetchPolicy } from '../../lambda/shared/feeds/fetch.ts';
import { htmlPageExtractor } from '../../lambda/shared/feeds/pages.ts';
import { pollFeeds, type FeedMetrics, type PollSummary } from '../../lambda/shared/feeds/poll.ts';
import { MemoryFeedStore } from '../../lambda/shared/feeds/state.ts';
import type { Log } from '../../lambda/shared/logger.ts';
import { memoryRecordBackend } from '../../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriberStore } from '../../lambda/shared/subscriptions/record-store.ts';
import { confirmed, fakeEmail, MapBlobs, RecordingQueue, seed, TestClock } from '../delivery/digest-fixtures.ts';
import { startServer, type TestServer } from './servers.ts';

export interface Doc {
  body: string | Buffer;
  type: string;
  etag?: string;
  status?: number;
  headers?: Record<string, string>;
}

export interface PollHarness {
  readonly server: TestServer;
  /** Documents served by path; change them between polls. */
  readonly docs: Map<string, Doc>;
  readonly clock: TestClock;
  readonly store: MemoryFeedStore;
  readonly articles: MemoryArticleStore;
  readonly queue: RecordingQueue;
  readonly warnings: { message: string; extra?: Record<string, unknown> }[];
  readonly metrics: { failed: number; ingested: number; oldest: number[] };
  url(path: string): string;
  feed(path: string, extra?: Partial<Omit<FeedConfig, 'url'>> & { every?: number }): FeedConfig;
  poll(feeds: readonly FeedConfig[]): Promise<PollSummary>;
  close(): Promise<void>;
}

export async function pollHarness(options: { fetch?: Partial<FetchPolicy> } = {}): Promise<PollHarness> {
  const docs = new Map<string, Doc>();
  const server = await startServer((req, res) => {
    const doc = docs.get((req.url ?? '/').split('?')[0]!);
    if (!doc) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const headers: Record<string, string> = { 'content-type': doc.type, ...doc.headers };
    if (doc.etag) headers.etag = doc.etag;
    if (doc.etag && req.headers['if-none-match'] === doc.etag) return res.writeHead(304, headers).end();
    res.writeHead(doc.status ?? 200, headers).end(doc.body);
  });
  const clock = new TestClock(Date.parse('2026-07-01T10:00:00.000Z'));
  const backend = memoryRecordBackend();
  await seed(backend, [confirmed('everything-now', 'immediate', [])]);
  const subscribers = createSubscriberStore(backend);
  const store = new MemoryFeedStore();
  const articles = new MemoryArticleStore();
  const runs = new MemoryRunStore();
  const queue = new RecordingQueue();
  const blobs = new MapBlobs();
  const renderAlert: RenderAlert = async (brief, ctx) => fakeEmail('alert', [brief], ctx.topics);
  const rules = parseTopicRules('{"climate":["monsoon","glacier"],"asia":["kerala","mumbai"]}');
  const warnings: PollHarness['warnings'] = [];
  const log: Log = { debug() {}, info() {}, warn: (message, extra) => void warnings.push({ message, ...(extra && { extra }) }), error: (message, extra) => void warnings.push({ message, ...(extra && { extra }) }) };
  const metrics = { failed: 0, ingested: 0, oldest: [] as number[] };
  const feedMetrics: FeedMetrics = {
    feedFailed: () => void metrics.failed++,
    itemsIngested: (n) => void (metrics.ingested += n),
    oldestFailure: (s) => void metrics.oldest.push(s),
  };
  const fetcher = createFetcher({ userAgent: 'newsbrief-test', allowLoopback: true, now: clock.now, timeoutMs: 2_000, ...options.fetch });
  const url = (path: string) => `${server.url}${path}`;
  return {
    server, docs, clock, store, articles, queue, warnings, metrics, url,
    feed: (path, extra = {}) => feedListSchema.parse([{ url: url(path), ...extra }])[0]!,
    poll: (feeds) =>
      pollFeeds({
        feeds,
        store,
        fetcher,
        extractPage: htmlPageExtractor,
        ingest: (json, origin) =>
          ingestArticle(
            json,
            origin,
            { articles, runs, subscribers, queue, blobs, parse: (c, o) => parseArticle(c, o, 'json'), analyze, renderAlert, rules, log, now: clock.now, remainingMs: () => 60_000 },
            { owner: 'test' },
          ),
        rules,
        offeredTopics: ['world', 'asia', 'climate', 'business'],
        periodMinutes: 10,
        log,
        metrics: feedMetrics,
        now: clock.now,
        remainingMs: () => 5 * 60_000,
      }),
    async close() {
      await fetcher.close();
      await server.close();
    },
  };
}

/** An RSS 2.0 document with the given items (each a raw <item> body). */
export function rss(title: string, items: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>${title}</title><link>https://example.org/</link>
${items.map((i) => `<item>${i}</item>`).join('\n')}
</channel></rss>`;
}

/** An RSS item with full content. */
export function rssItem(fields: { title: string; guid?: string; link?: string; date?: string; content?: string; description?: string; categories?: string[] }): string {
  return [
    `<title>${fields.title}</title>`,
    fields.link !== undefined ? `<link>${fields.link}</link>` : '',
    fields.guid !== undefined ? `<guid isPermaLink="false">${fields.guid}</guid>` : '',
    fields.date !== undefined ? `<pubDate>${fields.date}</pubDate>` : '',
    ...(fields.categories ?? []).map((c) => `<category>${c}</category>`),
    fields.description !== undefined ? `<description>${fields.description}</description>` : '',
    fields.content !== undefined ? `<content:encoded><![CDATA[${fields.content}]]></content:encoded>` : '',
  ].join('');
}
