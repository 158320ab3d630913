import { parseFeed } from 'feedsmith';
import { parseDate } from '../article/dateline.ts';
import { FeedParseError } from './errors.ts';
import { plainText } from './text.ts';

/**
 * A feed document to a list of items, with feedsmith (RSS 0.9x/2.0, RSS 1.0/RDF, Atom 0.3/1.0,
 * JSON Feed 1.0/1.1). This file only maps feedsmith's per-format objects to one item shape:
 * absolute links (relative ones resolve against xml:base and the feed's own URL), ISO dates or
 * null, full content apart from summaries.
 */

export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json';

/** One feed item, whatever the format. */
export interface FeedItem {
  /** RSS guid, Atom id, JSON Feed id, RDF rdf:about. */
  readonly guid?: string;
  /** The story's page, absolute. */
  readonly link?: string;
  /** Plain text. */
  readonly title?: string;
  /** ISO 8601, or null when the item has no readable date. */
  readonly publishedAt: string | null;
  /** Full content as the publisher syndicated it: content:encoded, Atom content, JSON Feed content_html. */
  readonly contentHtml?: string;
  /** JSON Feed content_text. */
  readonly contentText?: string;
  /** A summary (RSS description, Atom summary, JSON Feed summary), HTML or text. */
  readonly summary?: string;
  readonly authors: string[];
  readonly categories: string[];
}

export interface ParsedFeed {
  readonly format: FeedFormat;
  readonly title?: string;
  readonly items: FeedItem[];
}

const utf8 = new TextDecoder('utf-8');

/** Decode feed bytes: BOM, then the Content-Type charset, then the XML declaration, else UTF-8. */
export function decodeFeed(body: Uint8Array, contentType?: string): string {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return utf8.decode(body.subarray(3));
  if (body[0] === 0xfe && body[1] === 0xff) return new TextDecoder('utf-16be').decode(body.subarray(2));
  if (body[0] === 0xff && body[1] === 0xfe) return new TextDecoder('utf-16le').decode(body.subarray(2));
  const head = Buffer.from(body.subarray(0, 200)).toString('latin1');
  const label =
    /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1] ??
    /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1] ??
    'utf-8';
  try {
    return new TextDecoder(label.toLowerCase()).decode(body);
  } catch {
    throw new FeedParseError(`unknown character encoding "${label}"`);
  }
}

/** An absolute http(s) URL for `href` against `base`, or undefined. */
export function absoluteUrl(href: string | undefined, base: string | undefined): string | undefined {
  if (href === undefined || href.trim() === '') return undefined;
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** A feed date to ISO 8601 (keeping an ISO offset; RFC 822 dates become UTC), or null. */
export function feedDate(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const iso = parseDate(value.trim());
  if ('iso' in iso) return iso.iso;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

const text = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'string') return text((v as { value: string }).value);
  return undefined;
};
const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);
const defined = <T>(values: (T | undefined)[]): T[] => values.filter((x): x is T => x !== undefined);

function item(fields: {
  guid?: string | undefined;
  link?: string | undefined;
  title?: string | undefined;
  date?: unknown;
  contentHtml?: string | undefined;
  contentText?: string | undefined;
  summary?: string | undefined;
  authors: (string | undefined)[];
  categories: (string | undefined)[];
}): FeedItem {
  const title = fields.title !== undefined ? plainText(fields.title) : undefined;
  return {
    ...(fields.guid !== undefined && { guid: fields.guid.trim() }),
    ...(fields.link !== undefined && { link: fields.link }),
    ...(title && { title }),
    publishedAt: feedDate(fields.date),
    ...(fields.contentHtml !== undefined && { contentHtml: fields.contentHtml }),
    ...(fields.contentText !== undefined && { contentText: fields.contentText }),
    ...(fields.summary !== undefined && { summary: fields.summary }),
    authors: defined(fields.authors).map((a) => a.trim()).filter(Boolean),
    categories: defined(fields.categories).map((c) => c.trim()).filter(Boolean),
  };
}

/**
 * Parse a feed fetched from `feedUrl` (the final URL, after redirects). Throws FeedParseError with
 * a reason a person can act on.
 */
export function parseFeedDocument(body: Uint8Array | string, feedUrl: string, contentType?: string): ParsedFeed {
  const source = typeof body === 'string' ? body : decodeFeed(body, contentType);
  if (source.trim() === '') throw new FeedParseError('the document is empty');
  let parsed: ReturnType<typeof parseFeed>;
  try {
    parsed = parseFeed(source);
  } catch (error) {
    const name = (error as Error)?.name;
    if (/^\s*(<!doctype html|<html)/i.test(source)) {
      throw new FeedParseError('an HTML page, not a feed (is the URL the site rather than its feed?)', { cause: error });
    }
    if (name === 'DetectError') {
      throw new FeedParseError('not a feed: neither RSS, RSS 1.0/RDF, Atom nor JSON Feed', { cause: error });
    }
    throw new FeedParseError(`malformed feed (${(error as Error)?.message ?? String(error)})`, { cause: error });
  }

  switch (parsed.format) {
    case 'rss': {
      const feed = parsed.feed;
      const base = absoluteUrl(text(feed.link), feedUrl) ?? feedUrl;
      return {
        format: 'rss',
        ...(text(feed.title) !== undefined && { title: plainText(text(feed.title)!) }),
        items: list(feed.items).map((i) => {
          const guid = text(i.guid?.value);
          // A permalink guid (the RSS 2.0 default) is the link when there is no <link>.
          const permalink = i.guid?.isPermaLink !== false ? guid : undefined;
          return item({
            guid,
            link: absoluteUrl(text(i.link) ?? permalink, feedUrl) ?? absoluteUrl(text(i.link), base),
            title: text(i.title),
            date: i.pubDate ?? i.dc?.dates?.[0] ?? i.dcterms?.created,
            contentHtml: text(i.content?.encoded),
            summary: text(i.description),
            authors: [text(i.authors?.[0]), ...list(i.dc?.creators).map(text)],
            categories: list(i.categories).map((c) => text(c.name)),
          });
        }),
      };
    }
    case 'rdf': {
      const feed = parsed.feed;
      return {
        format: 'rdf',
        ...(text(feed.title) !== undefined && { title: plainText(text(feed.title)!) }),
        items: list(feed.items).map((i) =>
          item({
            guid: text(i.rdf?.about) ?? text(i.link),
            link: absoluteUrl(text(i.link) ?? text(i.rdf?.about), feedUrl),
            title: text(i.title),
            date: i.dc?.dates?.[0],
            contentHtml: text(i.content?.encoded),
            summary: text(i.description),
            authors: list(i.dc?.creators).map(text),
            categories: list(i.dc?.subjects).map(text),
          }),
        ),
      };
    }
    case 'atom': {
      const feed = parsed.feed;
      const feedBase = absoluteUrl(text(feed.xml?.base), feedUrl) ?? feedUrl;
      return {
        format: 'atom',
        ...(text(feed.title) !== undefined && { title: plainText(text(feed.title)!) }),
        items: list(feed.entries).map((e) => {
          const base = absoluteUrl(text(e.xml?.base), feedBase) ?? feedBase;
          const links = list(e.links);
          const alternate =
            links.find((l) => (l.rel ?? 'alternate') === 'alternate' && (l.type === undefined || /html/i.test(l.type))) ??
            links.find((l) => (l.rel ?? 'alternate') === 'alternate');
          const content = e.content;
          // Atom content with src (out-of-line) or a non-text media type is not prose.
          const inline = content !== undefined && !(content as { src?: string }).src && /^(text|html|xhtml)?$/.test(content.type ?? '') ? text(content) : undefined;
          return item({
            guid: text(e.id),
            link: absoluteUrl(text(alternate?.href), base),
            title: text(e.title),
            date: e.published ?? e.updated ?? e.dc?.dates?.[0],
            ...(inline !== undefined && (content?.type === 'text' ? { contentText: inline } : { contentHtml: inline })),
            summary: text(e.summary),
            authors: list(e.authors).map((a) => text(a.name)),
            categories: list(e.categories).map((c) => text(c.label) ?? text(c.term)),
          });
        }),
      };
    }
    case 'json': {
      const feed = parsed.feed;
      return {
        format: 'json',
        ...(text(feed.title) !== undefined && { title: plainText(text(feed.title)!) }),
        items: list(feed.items).map((i) =>
          item({
            guid: text(i.id),
            link: absoluteUrl(text(i.url) ?? text(i.external_url), feedUrl),
            title: text(i.title),
            date: i.date_published ?? i.date_modified,
            contentHtml: text(i.content_html),
            contentText: text(i.content_text),
            summary: text(i.summary),
            authors: list(i.authors).map((a) => text(a.name)),
            categories: list(i.tags).map(text),
          }),
        ),
      };
    }
  }
}
