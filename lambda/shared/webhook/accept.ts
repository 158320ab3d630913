import * as z from 'zod';
import { ArticleParseError } from '../article/errors.ts';
import type { Article } from '../article/model.ts';
import { parseArticle } from '../article/parse.ts';
import { articleId } from '../delivery/articles.ts';
import type { BlobStore } from '../delivery/ports.ts';
import { FetchError } from '../feeds/errors.ts';
import type { Fetcher } from '../feeds/fetch.ts';
import { fetchPage, type PageExtractor } from '../feeds/pages.ts';
import type { Log } from '../logger.ts';

/**
 * What the CMS webhook does with a verified request: a JSON article (the JSON input format), or
 * `{url}` whose page is fetched under the fetch policy and extracted. Either way the article is
 * stored as JSON under `articles/cms/<article id>.json`, where the bucket's notification runs the
 * ingest function on it like any uploaded file. The article id is the ingest's content hash, so the
 * same article sent twice is one object, one record and one alert.
 */

export const CMS_PREFIX = 'articles/cms/';

/** The body is not a valid article or URL request (HTTP 400). */
export class BadArticleError extends Error {
  override readonly name = 'BadArticleError';
}

/** The URL's page could not be fetched or holds no article (HTTP 422). */
export class UnfetchableUrlError extends Error {
  override readonly name = 'UnfetchableUrlError';
}

export interface AcceptDeps {
  readonly blobs: BlobStore;
  readonly fetcher: Fetcher;
  readonly extractPage: PageExtractor;
  readonly log: Log;
}

export interface Accepted {
  readonly id: string;
  readonly key: string;
  /** `duplicate`: this article was sent before; nothing new is stored or sent. */
  readonly status: 'accepted' | 'duplicate';
}

const urlRequestSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  topics: z.array(z.string().regex(/^[a-z0-9-]+$/, 'must be lower-case slugs')).optional(),
});

/** The article in the JSON input format (lambda/shared/article/parse.ts), which parses back to the same id. */
export function toJsonArticle(article: Article): Record<string, unknown> {
  return {
    title: article.title,
    publishedAt: article.publishedAt,
    ...(article.url !== undefined && { url: article.url }),
    ...(article.source !== undefined && { source: article.source }),
    ...(article.topics !== undefined && { topics: article.topics }),
    body: article.paragraphs,
    ...(article.summary !== undefined && { summary: article.summary }),
    ...(article.quotes !== undefined && { quotes: article.quotes }),
  };
}

function parseJsonArticle(value: Record<string, unknown>, origin: string): Article {
  try {
    return parseArticle(JSON.stringify(value), origin, 'json');
  } catch (error) {
    if (error instanceof ArticleParseError) throw new BadArticleError(error.reason, { cause: error });
    throw error;
  }
}

async function articleFromUrl(value: Record<string, unknown>, deps: AcceptDeps): Promise<Article> {
  const request = urlRequestSchema.safeParse(value);
  if (!request.success) {
    throw new BadArticleError(request.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  let fetched;
  try {
    fetched = await fetchPage(deps.fetcher, deps.extractPage, request.data.url);
  } catch (error) {
    if (error instanceof FetchError) throw new UnfetchableUrlError(`${request.data.url}: ${error.message}`, { cause: error });
    throw error;
  }
  const { page } = fetched;
  const json = {
    ...(page.title !== undefined && { title: page.title }),
    publishedAt: page.publishedAt ?? null,
    url: page.canonicalUrl ?? fetched.url,
    ...(page.siteName !== undefined && { source: page.siteName }),
    ...(request.data.topics !== undefined && { topics: request.data.topics }),
    body: [...page.paragraphs],
  };
  try {
    return parseArticle(JSON.stringify(json), fetched.url, 'json');
  } catch (error) {
    if (error instanceof ArticleParseError) throw new UnfetchableUrlError(`${request.data.url}: the page's article is unusable (${error.reason})`, { cause: error });
    throw error;
  }
}

/** Accept one request body (already a JSON object): store the article for ingest, once. */
export async function acceptArticle(body: Record<string, unknown>, deps: AcceptDeps): Promise<Accepted> {
  const isUrlRequest = 'url' in body && !('body' in body) && !('title' in body);
  const article = isUrlRequest ? await articleFromUrl(body, deps) : parseJsonArticle(body, 'request body');
  const id = articleId(article);
  const key = `${CMS_PREFIX}${id}.json`;
  if ((await deps.blobs.get(key)) !== null) {
    deps.log.info('webhook article already received', { articleId: id });
    return { id, key, status: 'duplicate' };
  }
  await deps.blobs.put(key, `${JSON.stringify(toJsonArticle(article), null, 2)}\n`, 'application/json');
  deps.log.info('webhook article accepted', { articleId: id, fromUrl: isUrlRequest });
  return { id, key, status: 'accepted' };
}
