import { ArticleParseError } from '../article/errors.ts';
import { parseArticle } from '../article/parse.ts';
import { articleId } from '../delivery/articles.ts';
import type { IngestResult } from '../delivery/ingest.ts';
import { topicsOf, toSlug, type TopicRules } from '../delivery/topics.ts';
import type { Log } from '../logger.ts';
import type { FeedConfig } from './config.ts';
import { FetchError, RateLimitedError } from './errors.ts';
import type { Fetcher } from './fetch.ts';
import { canonicalLink, contentKey, itemContent, itemKeys, itemSummary, jsonArticle, wantsPage } from './items.ts';
import { fetchPage, type ExtractedPage, type PageExtractor } from './pages.ts';
import { parseFeedDocument, type FeedItem } from './parse.ts';
import { backoffMs, initialState, type FeedState, type FeedStore, type PendingItem } from './state.ts';

/**
 * One poll of every configured feed that is due. Each feed is polled on its own: a feed that fails
 * (network, HTTP status, malformed document, even a storage error) is recorded on its state with a
 * backoff, logged and counted, and the next feed is polled as usual. Each new item becomes a JSON
 * article and goes through the ingest path (analysis, record, alerts), exactly like an uploaded file.
 *
 * Feeds are polled one after another (a few per run, each within seconds), so the same story in
 * two feeds is seen by the second after the first recorded it, and no host sees two requests at once.
 */

/** Feed media types, most specific first. */
export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, application/json;q=0.7, */*;q=0.1';
/** A newly added feed starts with its newest items only; older ones are recorded as seen and never sent. */
export const INITIAL_ITEMS = 5;
/** A page that cannot be fetched is retried on each poll for this long; then the item goes out with the feed's own text. */
export const PAGE_RETRY_WINDOW_MS = 24 * 3600_000;
/** No new feed or item is started with less time left than this. */
export const STOP_MARGIN_MS = 60_000;
/** Longer than any poll runs (the function's 4-minute timeout), so a crashed poller's lease has expired by the next run but one. */
export const LEASE_MS = 5 * 60_000;
/** Schedules fire with some jitter: a feed due within this much is polled now rather than a period late. */
const DUE_SLACK_MS = 60_000;

/** The feed metrics port (Powertools Metrics in Lambda, EMF in the function's log). */
export interface FeedMetrics {
  /** One feed's poll failed. */
  feedFailed(): void;
  /** New articles ingested from feeds. */
  itemsIngested(count: number): void;
  /** Seconds the longest-failing feed has been failing (0 when none is): the 24-hour alarm watches it. */
  oldestFailure(seconds: number): void;
}

export interface PollDeps {
  readonly feeds: readonly FeedConfig[];
  readonly store: FeedStore;
  readonly fetcher: Fetcher;
  readonly extractPage: PageExtractor;
  /** The ingest path for one JSON article (ingestArticle bound to the delivery runtime). */
  readonly ingest: (json: string, origin: string) => Promise<IngestResult>;
  readonly rules: TopicRules;
  /** Topic slugs the operator offers: item categories that name one of them become topics. */
  readonly offeredTopics: readonly string[];
  /** The schedule's period in minutes (the base of the backoff). */
  readonly periodMinutes: number;
  readonly log: Log;
  readonly metrics: FeedMetrics;
  readonly now: () => number;
  readonly remainingMs: () => number;
}

export type FeedOutcome = 'polled' | 'not-modified' | 'not-due' | 'busy' | 'failed' | 'out-of-time';
export type ItemOutcome = 'ingested' | 'duplicate' | 'deferred' | 'skipped';

export interface FeedPollResult {
  readonly url: string;
  readonly outcome: FeedOutcome;
  readonly items: Readonly<Record<ItemOutcome, number>>;
  /** The failure's name and message, when the poll failed. */
  readonly error?: string;
  readonly failingSince?: string;
}

export interface PollSummary {
  readonly feeds: FeedPollResult[];
  /** Every item that went through ingest in this poll (new articles and ones ingest already had). */
  readonly articles: { readonly feedUrl: string; readonly result: IngestResult }[];
  /** Seconds the longest-failing feed has been failing. */
  readonly oldestFailureSeconds: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const zero = (): Record<ItemOutcome, number> => ({ ingested: 0, duplicate: 0, deferred: 0, skipped: 0 });

/** Drop undefined fields (exactOptionalPropertyTypes: an absent field, not an undefined one). */
function compact(state: { [K in keyof FeedState]?: FeedState[K] | undefined } & Pick<FeedState, 'url' | 'failures' | 'pending' | 'version'>): FeedState {
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) as unknown as FeedState;
}

function isDue(state: FeedState | null, now: number): boolean {
  return state?.nextPollAt === undefined || Date.parse(state.nextPollAt) - DUE_SLACK_MS <= now;
}

/** Newest first when every item has a date; otherwise the feed's own order (newest first by convention). */
function newestFirst(items: readonly FeedItem[]): FeedItem[] {
  if (items.some((i) => i.publishedAt === null)) return [...items];
  return [...items].sort((a, b) => Date.parse(b.publishedAt!) - Date.parse(a.publishedAt!));
}

/** Poll every due feed once. Never throws for one feed's failure. */
export async function pollFeeds(deps: PollDeps): Promise<PollSummary> {
  const states = new Map<string, FeedState | null>();
  // A state that cannot be read now is read again by the claim, which records the feed's failure if it fails too.
  for (const feed of deps.feeds) states.set(feed.url, await deps.store.get(feed.url).catch(() => null));
  // Feeds waiting longest go first, so a run cut short by time starves no feed for long.
  const order = [...deps.feeds].sort((a, b) => (states.get(a.url)?.lastAttemptAt ?? '').localeCompare(states.get(b.url)?.lastAttemptAt ?? ''));
  const results: FeedPollResult[] = [];
  const articles: PollSummary['articles'] = [];
  for (const feed of order) {
    if (deps.remainingMs() < STOP_MARGIN_MS) {
      results.push({ url: feed.url, outcome: 'out-of-time', items: zero() });
      continue;
    }
    const { result, state } = await pollFeed(feed, states.get(feed.url) ?? null, deps, articles);
    if (state) states.set(feed.url, state);
    results.push(result);
  }
  const now = deps.now();
  const oldestFailureSeconds = Math.max(
    0,
    ...deps.feeds.map((f) => states.get(f.url)?.failingSince).filter((s): s is string => s !== undefined).map((s) => Math.floor((now - Date.parse(s)) / 1000)),
  );
  deps.metrics.oldestFailure(oldestFailureSeconds);
  const ingested = results.reduce((n, r) => n + r.items.ingested, 0);
  deps.metrics.itemsIngested(ingested);
  return { feeds: results, articles, oldestFailureSeconds };
}

async function pollFeed(
  feed: FeedConfig,
  known: FeedState | null,
  deps: PollDeps,
  articles: PollSummary['articles'],
): Promise<{ result: FeedPollResult; state?: FeedState }> {
  const now = deps.now();
  if (!isDue(known, now)) return { result: { url: feed.url, outcome: 'not-due', items: zero() } };
  const claimed = await deps.store.claim(feed.url, now, now + LEASE_MS).catch((error: unknown) => error as Error);
  if (claimed === null) return { result: { url: feed.url, outcome: 'busy', items: zero() } };
  const state = claimed instanceof Error ? { ...(known ?? initialState(feed.url)) } : claimed;
  const counts = zero();
  try {
    if (claimed instanceof Error) throw claimed;
    // Items waiting for their page are not in a 304: ask for the whole feed while any wait.
    const conditional = Object.keys(state.pending).length === 0;
    const fetched = await deps.fetcher.fetch({
      url: feed.url,
      accept: FEED_ACCEPT,
      ...(conditional && { etag: state.etag, lastModified: state.lastModified }),
    });
    const healthy = { ...state, lastAttemptAt: iso(now), lastSuccessAt: iso(now), failures: 0, failingSince: undefined, lastError: undefined, nextPollAt: feed.every !== undefined ? iso(now + feed.every * 60_000) : undefined };
    if (fetched.status === 'not-modified') {
      const saved = compact(healthy);
      await save(saved, deps);
      return { result: { url: feed.url, outcome: 'not-modified', items: counts }, state: saved };
    }
    const parsed = parseFeedDocument(fetched.body, fetched.url, fetched.contentType);
    const { pending, complete } = await pollItems(feed, parsed.title, parsed.items, state, deps, counts, articles);
    // Keep the validators only when every item is done: otherwise the next poll must see the whole feed again.
    const done = complete && Object.keys(pending).length === 0;
    const saved = compact({ ...healthy, pending, etag: done ? fetched.etag : undefined, lastModified: done ? fetched.lastModified : undefined });
    await save(saved, deps);
    deps.log.info('feed polled', { feedUrl: feed.url, ...counts, complete });
    return { result: { url: feed.url, outcome: 'polled', items: counts }, state: saved };
  } catch (error) {
    const failures = state.failures + 1;
    const failingSince = state.failingSince ?? iso(now);
    const retryAt = error instanceof RateLimitedError ? error.retryAt : 0;
    const reason = `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
    const saved = compact({
      ...state,
      lastAttemptAt: iso(now),
      failures,
      failingSince,
      lastError: reason.slice(0, 500),
      nextPollAt: iso(Math.max(now + backoffMs(failures, deps.periodMinutes), retryAt)),
    });
    deps.metrics.feedFailed();
    deps.log.warn('feed failed', { feedUrl: feed.url, reason, failures, failingSince, nextPollAt: saved.nextPollAt, ...counts });
    if (!(claimed instanceof Error)) await save(saved, deps).catch((e: unknown) => deps.log.error('feed state not saved', { feedUrl: feed.url, reason: (e as Error)?.message }));
    return { result: { url: feed.url, outcome: 'failed', items: counts, error: reason, failingSince }, state: saved };
  }
}

async function save(state: FeedState, deps: PollDeps): Promise<void> {
  if (!(await deps.store.save(state))) deps.log.warn('feed state changed by another poll; this poll\'s state dropped', { feedUrl: state.url });
}

async function pollItems(
  feed: FeedConfig,
  feedTitle: string | undefined,
  all: readonly FeedItem[],
  state: FeedState,
  deps: PollDeps,
  counts: Record<ItemOutcome, number>,
  articles: PollSummary['articles'],
): Promise<{ pending: Record<string, PendingItem>; complete: boolean }> {
  let items = newestFirst(all);
  if (state.lastSuccessAt === undefined) {
    // A feed's first poll: its archive is history, not news.
    const older = items.slice(INITIAL_ITEMS);
    items = items.slice(0, INITIAL_ITEMS);
    for (const item of older) {
      const keys = itemKeys(item, feed.url);
      if (keys.length > 0) await deps.store.markSeen(keys, { articleId: null, feedUrl: feed.url, at: iso(deps.now()) });
    }
    if (older.length > 0) deps.log.info('new feed: older items recorded as seen', { feedUrl: feed.url, older: older.length });
  }
  const pending: Record<string, PendingItem> = {};
  // Oldest first, so ingest order follows publication order.
  for (const item of items.reverse()) {
    if (deps.remainingMs() < STOP_MARGIN_MS) return { pending, complete: false };
    const outcome = await pollItem(item, feed, feedTitle, state, deps, articles);
    counts[outcome.outcome] += 1;
    if (outcome.pending) pending[outcome.pending.key] = outcome.pending.item;
    if (outcome.paused) return { pending, complete: false };
  }
  return { pending, complete: true };
}

interface ItemResult {
  readonly outcome: ItemOutcome;
  readonly pending?: { key: string; item: PendingItem };
  /** The alert fan-out paused (time): the item is retried, and nothing after it this poll. */
  readonly paused?: boolean;
}

async function pollItem(
  item: FeedItem,
  feed: FeedConfig,
  feedTitle: string | undefined,
  state: FeedState,
  deps: PollDeps,
  articles: PollSummary['articles'],
): Promise<ItemResult> {
  const at = iso(deps.now());
  const keys = itemKeys(item, feed.url);
  const seen = keys.length > 0 ? await deps.store.seen(keys) : null;
  if (seen) {
    // Found by a later key (the link): record the GUID too, so next time one read answers.
    if (seen.key !== keys[0]) await deps.store.markSeen(keys, { articleId: seen.articleId, feedUrl: feed.url, at });
    return { outcome: 'duplicate' };
  }

  let paragraphs = itemContent(item);
  let page: ExtractedPage | undefined;
  const pendingKey = keys[0] ?? `title:${item.title ?? ''}`;
  if (wantsPage(item, feed)) {
    try {
      page = (await fetchPage(deps.fetcher, deps.extractPage, item.link!)).page;
      paragraphs = [...page.paragraphs];
    } catch (error) {
      if (!(error instanceof FetchError)) throw error;
      const before = state.pending[pendingKey];
      const since = before?.since ?? at;
      const reason = `${error.name}: ${error.message}`;
      if (Date.parse(at) - Date.parse(since) < PAGE_RETRY_WINDOW_MS) {
        deps.log.info('item page not fetched; retried next poll', { feedUrl: feed.url, itemUrl: item.link, reason });
        return { outcome: 'deferred', pending: { key: pendingKey, item: { since, attempts: (before?.attempts ?? 0) + 1, reason: reason.slice(0, 300) } } };
      }
      deps.log.warn('item page unavailable for 24 hours; using the feed\'s own text', { feedUrl: feed.url, itemUrl: item.link, reason });
    }
  }
  if (paragraphs.length === 0) paragraphs = itemSummary(item);

  const title = item.title ?? page?.title ?? '';
  const offered = new Set(deps.offeredTopics);
  const topics = [
    ...new Set([
      ...feed.topics,
      ...item.categories.map(toSlug).filter((t) => offered.has(t)),
      ...topicsOf({ title, paragraphs, topics: [] }, deps.rules),
    ]),
  ].sort();
  const json = JSON.stringify(jsonArticle(item, { feedTitle, paragraphs, page, topics }));
  const origin = item.link ?? `${feed.url}#${item.guid ?? title}`;
  let id: string;
  try {
    id = articleId(parseArticle(json, origin, 'json'));
  } catch (error) {
    if (!(error instanceof ArticleParseError)) throw error;
    deps.log.warn('feed item skipped', { feedUrl: feed.url, itemUrl: item.link, reason: error.reason });
    if (keys.length > 0) await deps.store.markSeen(keys, { articleId: null, feedUrl: feed.url, at });
    return { outcome: 'skipped' };
  }

  const canonical = page?.canonicalUrl !== undefined ? canonicalLink(page.canonicalUrl) : undefined;
  const lateKeys = [...(canonical !== undefined ? [`link:${canonical}`] : []), contentKey(id)].filter((k) => !keys.includes(k));
  const lateSeen = await deps.store.seen(lateKeys);
  if (lateSeen) {
    await deps.store.markSeen(keys, { articleId: lateSeen.articleId, feedUrl: feed.url, at });
    return { outcome: 'duplicate' };
  }
  const result = await deps.ingest(json, origin);
  articles.push({ feedUrl: feed.url, result });
  if (result.outcome === 'paused') return { outcome: 'deferred', paused: true };
  await deps.store.markSeen([...keys, ...lateKeys], { articleId: result.article.id, feedUrl: feed.url, at });
  return { outcome: result.outcome === 'ingested' ? 'ingested' : 'duplicate' };
}
