import type { FeedConfig } from './config.ts';
import type { FeedItem } from './parse.ts';
import type { ExtractedPage } from './pages.ts';
import { htmlToParagraphs, textToParagraphs } from './text.ts';

/**
 * From a feed item to the JSON article the ingest path reads (`{title, publishedAt, url, source,
 * topics, body}`, lambda/shared/article/parse.ts), and the keys that say whether it was seen.
 */

/** Query parameters that only track a click, never change the story. */
const TRACKING = /^(utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|igshid|ref|ref_src|cmpid|ito|at_medium|at_campaign)$/i;

/** A link as a dedup key: no scheme, fragment, tracking parameters or trailing slash; lower-case host, default port dropped. */
export function canonicalLink(link: string): string | undefined {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return undefined;
  }
  url.hash = '';
  for (const name of [...url.searchParams.keys()]) if (TRACKING.test(name)) url.searchParams.delete(name);
  // http and https are the same story; URL has already lower-cased the host and dropped a default port.
  return `${url.host}${url.pathname.replace(/\/+$/, '') || '/'}${url.search}`;
}

/**
 * A GUID is global when it is a URI that names its authority (http(s), tag:, urn:): the same story in
 * two feeds then carries the same GUID. Anything else ("4411") is only unique within its own feed.
 */
function guidKey(guid: string, feedUrl: string): string {
  return /^(https?:\/\/[^/\s]+\/|tag:|urn:)/i.test(guid) ? `guid:${guid}` : `guid:${feedUrl}#${guid}`;
}

/** The dedup keys known before any page fetch: GUID, then canonical link. */
export function itemKeys(item: FeedItem, feedUrl: string): string[] {
  const keys: string[] = [];
  if (item.guid) keys.push(guidKey(item.guid, feedUrl));
  const link = item.link !== undefined ? canonicalLink(item.link) : undefined;
  if (link !== undefined) keys.push(`link:${link}`);
  return keys;
}

/** The key of an article's content hash (the ingest's article id). */
export function contentKey(articleId: string): string {
  return `content:${articleId}`;
}

/** The full content the item carries, as paragraphs; empty when it has none. */
export function itemContent(item: FeedItem): string[] {
  if (item.contentHtml !== undefined) return htmlToParagraphs(item.contentHtml);
  if (item.contentText !== undefined) return textToParagraphs(item.contentText);
  return [];
}

/** The item's summary as paragraphs (HTML or text); empty when it has none. */
export function itemSummary(item: FeedItem): string[] {
  return item.summary !== undefined ? htmlToParagraphs(item.summary) : [];
}

/** Whether the item's page should be fetched for its text. */
export function wantsPage(item: FeedItem, feed: Pick<FeedConfig, 'fullText'>): boolean {
  if (feed.fullText === 'never' || item.link === undefined) return false;
  return feed.fullText === 'always' || itemContent(item).length === 0;
}

/** The JSON article for an item, its text from `paragraphs`, with `page` metadata filling gaps. */
export interface JsonArticle {
  title?: string;
  publishedAt: string | null;
  url?: string;
  source?: string;
  topics: string[];
  body: string[];
}

export function jsonArticle(
  item: FeedItem,
  context: { readonly feedTitle?: string | undefined; readonly paragraphs: readonly string[]; readonly page?: ExtractedPage | undefined; readonly topics: readonly string[] },
): JsonArticle {
  const { page } = context;
  const title = item.title ?? page?.title;
  const url = item.link ?? page?.canonicalUrl;
  const source = context.feedTitle ?? page?.siteName;
  return {
    ...(title !== undefined && { title }),
    publishedAt: item.publishedAt ?? page?.publishedAt ?? null,
    ...(url !== undefined && { url }),
    ...(source !== undefined && { source }),
    topics: [...context.topics],
    body: [...context.paragraphs],
  };
}
