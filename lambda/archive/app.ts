import type { HttpApp, HttpResult } from '../shared/http.ts';
import type { Log } from '../shared/logger.ts';
import { archiveUrls, type ArchiveMode } from '../shared/archive/model.ts';
import { atomFeed, indexPage, type IndexContext } from '../shared/archive/pages.ts';
import { latestEntries, readPage, type ArchiveReader } from '../shared/archive/read.ts';

/**
 * The HTTP edge of the archive function (API Gateway HTTP API, payload v2): GET /archive (index),
 * GET /archive/feed.xml (Atom) and GET /archive/{id} (an issue's web version). It only reads
 * objects below `archive/` in the bucket; pages were written there when the issue was rendered.
 */

export type ArchiveApp = HttpApp;

export interface ArchiveAppOptions {
  readonly reader: ArchiveReader;
  readonly mode: ArchiveMode;
  readonly newsletterName: string;
  readonly publicUrl: string;
  readonly log: Log;
  readonly now?: () => number;
}

/** Issues the index and the feed show. */
export const INDEX_SIZE = 50;

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  // An unlisted page's URL is its only protection: never send it on as a Referer to the sites it links.
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

function respond(statusCode: number, type: string, body: string, extra: Record<string, string>): HttpResult {
  return { statusCode, headers: { ...BASE_HEADERS, 'content-type': type, ...extra }, body };
}

function notFound(): HttpResult {
  return respond(
    404,
    'text/html; charset=utf-8',
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><p>There is no such issue.</p></body></html>\n',
    { 'cache-control': 'no-store' },
  );
}

/** Build the archive's request handler. */
export function createArchiveApp(options: ArchiveAppOptions): ArchiveApp {
  const urls = archiveUrls(options.publicUrl);
  const ctx: IndexContext = {
    newsletterName: options.newsletterName,
    subscribeUrl: `${options.publicUrl.replace(/\/+$/, '')}/`,
    indexUrl: urls.index,
    feedUrl: urls.feed,
    pageUrl: urls.page,
  };
  const now = options.now ?? Date.now;
  const listed = options.mode === 'public';
  // Unlisted pages stay out of search engines; a public archive is meant to be found.
  const robots: Record<string, string> = listed ? {} : { 'x-robots-tag': 'noindex, nofollow' };

  return async (event) => {
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    const path = (event.rawPath || '/').replace(/(.)\/+$/, '$1');
    if (options.mode === 'off' || !(path === '/archive' || path.startsWith('/archive/'))) return notFound();
    if (method !== 'GET' && method !== 'HEAD') {
      return respond(405, 'application/json; charset=utf-8', JSON.stringify({ error: 'method_not_allowed', message: 'Only GET.' }), { allow: 'GET', 'cache-control': 'no-store' });
    }
    try {
      if (path === '/archive' || path === '/archive/feed.xml') {
        if (!listed) return notFound();
        const entries = await latestEntries(options.reader, INDEX_SIZE);
        // Short caching: a new issue appears within five minutes.
        const cache = { 'cache-control': 'public, max-age=300' };
        return path === '/archive'
          ? respond(200, 'text/html; charset=utf-8', indexPage(ctx, entries), cache)
          : respond(200, 'application/atom+xml; charset=utf-8', atomFeed(ctx, entries, new Date(now())), cache);
      }
      const id = path.slice('/archive/'.length);
      const page = await readPage(options.reader, id);
      if (page === null) return notFound();
      // A page never changes once written.
      return respond(200, 'text/html; charset=utf-8', page, { 'cache-control': 'public, max-age=86400, immutable', ...robots });
    } catch (error) {
      options.log.error('archive request failed', { errorName: (error as Error)?.name ?? typeof error });
      return respond(500, 'application/json; charset=utf-8', JSON.stringify({ error: 'internal', message: 'Something went wrong on our side. Please try again later.' }), {
        'cache-control': 'no-store',
      });
    }
  };
}
