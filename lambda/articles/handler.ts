import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { readEnv } from '../shared/config.ts';
import { S3BlobStore } from '../shared/delivery/s3-blobs.ts';
import type { BlobStore } from '../shared/delivery/ports.ts';
import { createFetcher, userAgentFor, type FetchPolicy } from '../shared/feeds/fetch.ts';
import { htmlPageExtractor } from '../shared/feeds/pages.ts';
import { powertoolsLog, type Log } from '../shared/logger.ts';
import { keyringLoader } from '../shared/signing-keys.ts';
import { createArticlesApp, type ArticlesApp, type HttpResult } from './app.ts';

/**
 * Lambda entry point of the CMS webhook (`POST /articles` on the HTTP API). Built on the first
 * request: the environment is validated, the webhook secret read from Secrets Manager (or
 * WEBHOOK_KEYRING locally), the S3 client made. Nothing is constructed at import time.
 */

export const articlesEnvSchema = z
  .object({
    /** Bucket whose articles/ prefix the ingest function watches. */
    BUCKET_NAME: z.string().min(1),
    /** Named in the User-Agent of a page fetch. */
    NEWSLETTER_NAME: z.string().min(1).default('newsbrief'),
    PUBLIC_URL: z.url(),
    /** The webhook secret, a keyring `{"current":"k1","k1":"…"}`: in Secrets Manager (AWS) or inline (local). */
    WEBHOOK_SECRET_ARN: z.string().min(1).optional(),
    WEBHOOK_KEYRING: z.string().min(1).optional(),
  })
  .refine((e) => e.WEBHOOK_SECRET_ARN !== undefined || e.WEBHOOK_KEYRING !== undefined, {
    path: ['WEBHOOK_SECRET_ARN'],
    message: 'set WEBHOOK_SECRET_ARN (AWS) or WEBHOOK_KEYRING (local)',
  });

/** A page fetch must fit in API Gateway's 30 s: 4 s per hop, at most 6 hops. */
const WEBHOOK_FETCH_TIMEOUT_MS = 4_000;

export interface ArticlesAppOverrides {
  readonly blobs?: BlobStore;
  /** The local run allows loopback here, never through the environment. */
  readonly fetch?: Partial<Omit<FetchPolicy, 'userAgent'>>;
  readonly log?: Log;
  readonly now?: () => number;
}

/** Build the webhook app from an environment. */
export async function articlesAppFromEnvironment(env: Record<string, string | undefined> = process.env, overrides: ArticlesAppOverrides = {}): Promise<ArticlesApp> {
  const config = readEnv(articlesEnvSchema, env);
  const keyring = await keyringLoader({ SIGNING_KEY_SECRET_ARN: config.WEBHOOK_SECRET_ARN, SIGNING_KEYRING: config.WEBHOOK_KEYRING }, () => new SecretsManagerClient({}))();
  const blobs = overrides.blobs ?? new S3BlobStore(new S3Client({}), config.BUCKET_NAME);
  const log = overrides.log ?? powertoolsLog;
  const userAgent = userAgentFor(config.NEWSLETTER_NAME, config.PUBLIC_URL);
  return createArticlesApp({
    keyring,
    log,
    now: overrides.now ?? Date.now,
    deps: () => {
      const fetcher = createFetcher({ userAgent, timeoutMs: WEBHOOK_FETCH_TIMEOUT_MS, ...overrides.fetch });
      return { blobs, fetcher, extractPage: htmlPageExtractor, log, close: () => fetcher.close() };
    },
  });
}

/** Build once, retry a failed build on the next request, and never leak its error to the caller. */
export function lazyArticlesHandler(build: () => Promise<ArticlesApp>, log: Log = powertoolsLog): (event: APIGatewayProxyEventV2) => Promise<HttpResult> {
  let app: Promise<ArticlesApp> | undefined;
  return async (event) => {
    app ??= build().catch((error: unknown) => {
      app = undefined;
      throw error;
    });
    try {
      return await (await app)(event);
    } catch (error) {
      log.error('webhook failed to start', { errorName: (error as Error)?.name, reason: (error as Error)?.message });
      return {
        statusCode: 500,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        body: JSON.stringify({ error: 'internal', message: 'The service is misconfigured. Please try again later.' }),
      };
    }
  };
}

/** The Lambda handler (API Gateway HTTP API, payload format 2.0). */
export const handler = lazyArticlesHandler(() => articlesAppFromEnvironment());
