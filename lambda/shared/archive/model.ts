import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';

/**
 * The web archive of sent issues: each rendered email also gets a web version ("view in browser"),
 * a static page in the bucket under `archive/pages/`, and (when the archive is public) an index
 * entry under `archive/entries/`. Pages are written from the issue as rendered once for everyone,
 * before any recipient's links are filled in, so no address, subscriber id or token can be in them.
 */

/**
 * What the operator publishes (config `archive`):
 * - `public`: every issue has a web version, and an index and an Atom feed list them;
 * - `unlisted`: every issue has a web version at an unguessable URL, linked only from its email;
 * - `off`: no web versions, no "view in browser" link.
 */
export const ARCHIVE_MODES = ['public', 'unlisted', 'off'] as const;
export type ArchiveMode = (typeof ARCHIVE_MODES)[number];

/** Everything the archive writes lives below this prefix; the archive function may read nothing else. */
export const ARCHIVE_PREFIX = 'archive/';
export const PAGES_PREFIX = 'archive/pages/';
export const ENTRIES_PREFIX = 'archive/entries/';

/** A page id: 128 random bits, base64url. Unguessable, so an unlisted page is found only through its link. */
export const PAGE_ID = /^[A-Za-z0-9_-]{22}$/;

/** A fresh page id. */
export function newPageId(): string {
  return randomBytes(16).toString('base64url');
}

/** Object key of a page. */
export function pageKey(id: string): string {
  if (!PAGE_ID.test(id)) throw new TypeError('malformed archive page id');
  return `${PAGES_PREFIX}${id}.html`;
}

/** The public URLs of the archive, on the API's base URL. */
export function archiveUrls(publicUrl: string): { readonly index: string; readonly feed: string; page(id: string): string } {
  const base = publicUrl.replace(/\/+$/, '');
  return { index: `${base}/archive`, feed: `${base}/archive/feed.xml`, page: (id) => `${base}/archive/${id}` };
}

/** What the index and feed show of one archived issue. Plain JSON, no personal data. */
export const entrySchema = z
  .object({
    id: z.string().regex(PAGE_ID),
    kind: z.enum(['digest', 'alert']),
    frequency: z.enum(['immediate', 'daily', 'weekly']),
    /** The issue's date (ISO): the digest's scheduled time, the alert's ingest time. */
    issueDate: z.string().min(1),
    /** The line under the name, e.g. "Daily digest · 27 November 2026". */
    label: z.string().min(1),
    /** The email's subject: the lead story (and "+N more"). */
    subject: z.string().min(1),
    /** The inbox preview line: the headlines, or the alert's summary. */
    preheader: z.string(),
    /** Articles in this issue. */
    articles: z.number().int().positive(),
    /** ISO time the page was written. */
    publishedAt: z.string().min(1),
  })
  .strict();
export type ArchiveEntry = z.infer<typeof entrySchema>;

/** 13 digits: epoch milliseconds up to the year 2286. */
const TIME_SPAN = 9_999_999_999_999;

/**
 * Object key of an index entry. S3 lists keys in ascending order, so the key starts with the
 * issue time counted down (newest first), then the issue it belongs to (every topic selection of
 * one digest run shares it), then the article count counted down, so the first entry of an issue
 * is its fullest edition: the one the index shows.
 */
export function entryKey(entry: ArchiveEntry): string {
  const time = Date.parse(entry.issueDate);
  if (Number.isNaN(time)) throw new TypeError('archive entry has no valid issueDate');
  const newestFirst = String(TIME_SPAN - time).padStart(13, '0');
  const fullestFirst = String(9999 - Math.min(entry.articles, 9999)).padStart(4, '0');
  return `${ENTRIES_PREFIX}${newestFirst}-${issueGroup(entry)}-${fullestFirst}-${entry.id}.json`;
}

/**
 * The issue an entry belongs to: a digest run is its frequency and scheduled time; an alert is one
 * article, so its subject is part of it too.
 */
function issueGroup(entry: ArchiveEntry): string {
  const parts = [entry.kind, entry.frequency, entry.issueDate, entry.kind === 'alert' ? entry.subject : ''];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 12);
}

/** The issue part of an entry key (time and group), to keep one entry per issue when listing. */
export function issueOfEntryKey(key: string): string | null {
  const m = /^archive\/entries\/(\d{13}-[0-9a-f]{12})-\d{4}-[A-Za-z0-9_-]{22}\.json$/.exec(key);
  return m === null ? null : (m[1] as string);
}
