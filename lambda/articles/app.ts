import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MAX_ARTICLE_BYTES } from '../shared/article/parse.ts';
import type { Log } from '../shared/logger.ts';
import type { Keyring } from '../shared/signing-keys.ts';
import { acceptArticle, BadArticleError, UnfetchableUrlError, type AcceptDeps } from '../shared/webhook/accept.ts';
import { SIGNATURE_HEADER, SignatureError, TIMESTAMP_HEADER, verifySignature } from '../shared/webhook/signature.ts';

/**
 * The HTTP edge of the CMS webhook, `POST /articles`: check the signature over the raw body first
 * (nothing unsigned is parsed), then the media type and size, then hand the body to the service and
 * map its named errors: 401 bad signature, 400 bad body, 413, 415, 422 unfetchable URL, 202 accepted.
 * Every error is JSON `{error, message}`; no stack or SDK message reaches the caller.
 */

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}
export type ArticlesApp = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;

export interface ArticlesAppOptions {
  readonly keyring: Keyring;
  /** Made per request: the fetcher is closed after it. */
  readonly deps: () => AcceptDeps & { close(): Promise<void> };
  readonly log: Log;
  readonly now: () => number;
}

function json(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}
const problem = (statusCode: number, error: string, message: string) => json(statusCode, { error, message });

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** Build the webhook app. */
export function createArticlesApp(options: ArticlesAppOptions): ArticlesApp {
  return async (event) => {
    const method = event.requestContext?.http?.method ?? 'POST';
    if (method !== 'POST') return { ...problem(405, 'method_not_allowed', 'use POST'), headers: { ...json(405, {}).headers, allow: 'POST' } };
    const raw = event.body ?? '';
    if (raw.length > Math.ceil((MAX_ARTICLE_BYTES * 4) / 3) + 4) return problem(413, 'payload_too_large', `the body must be at most ${MAX_ARTICLE_BYTES} bytes`);
    const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    if (body.length > MAX_ARTICLE_BYTES) return problem(413, 'payload_too_large', `the body must be at most ${MAX_ARTICLE_BYTES} bytes`);
    try {
      verifySignature({ body, signature: header(event, SIGNATURE_HEADER), timestamp: header(event, TIMESTAMP_HEADER) }, options.keyring, options.now());
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error;
      options.log.warn('webhook request refused', { reason: error.message, sourceIp: event.requestContext?.http?.sourceIp });
      return problem(401, 'unauthorized', error.message);
    }
    const type = (header(event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return problem(415, 'unsupported_media_type', 'send the article as application/json');
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return problem(400, 'invalid_json', 'the body is not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return problem(400, 'invalid_article', 'the body must be a JSON object: an article {title, body, …} or {url}');
    }
    const deps = options.deps();
    try {
      const accepted = await acceptArticle(value as Record<string, unknown>, deps);
      return json(202, { id: accepted.id, status: accepted.status });
    } catch (error) {
      if (error instanceof BadArticleError) return problem(400, 'invalid_article', error.message);
      if (error instanceof UnfetchableUrlError) return problem(422, 'unfetchable_url', error.message);
      options.log.error('webhook failed', { errorName: (error as Error)?.name, reason: (error as Error)?.message });
      return problem(500, 'internal', 'the article could not be stored; send it again');
    } finally {
      await deps.close();
    }
  };
}
