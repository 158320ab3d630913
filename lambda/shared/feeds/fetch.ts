import pLimit, { type LimitFunction } from 'p-limit';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { addressAllowed, guardedLookup, ipLiteral, systemResolve, type Resolve } from './address-policy.ts';
import {
  BlockedAddressError,
  FetchError,
  FetchTimeoutError,
  HttpStatusError,
  NetworkError,
  RateLimitedError,
  ResponseTooLargeError,
  TooManyRedirectsError,
  UnsupportedUrlError,
} from './errors.ts';

/**
 * The one way newsbrief fetches a URL that an operator, a feed or a CMS names: undici (Node's own
 * HTTP client) under a polite and safe policy.
 * - http and https only, on every hop; at most 5 redirects, followed here so each hop is checked;
 * - every connection goes through a guarded DNS lookup and an address check of the socket actually
 *   connected, so no hop reaches a private, loopback, link-local or metadata address (no SSRF);
 * - a connect timeout and an overall deadline per hop; bodies capped at 5 MB, counted after decompression;
 * - a User-Agent naming the newsletter; one request at a time per host;
 * - 429 and 503 honour Retry-After (RFC 9110 §10.2.3): the host is left alone until then;
 * - conditional GET with If-None-Match / If-Modified-Since (RFC 9110 §13.1), 304 reported as such.
 */

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;
export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** A Retry-After longer than this is cut to it, so a feed is not dropped for good by one answer. */
export const MAX_RETRY_AFTER_MS = 24 * 3600_000;

export interface FetchPolicy {
  /** Sent with every request; name the newsletter and a contact URL (see userAgentFor). */
  readonly userAgent: string;
  /**
   * Let loopback addresses through (127.0.0.0/8, ::1). Only the local run and tests set it.
   * @default false
   */
  readonly allowLoopback?: boolean;
  /** @default DEFAULT_MAX_BYTES (5 MB) */
  readonly maxBytes?: number;
  /** @default DEFAULT_MAX_REDIRECTS (5) */
  readonly maxRedirects?: number;
  /** Deadline for one hop: connect, headers and body. @default DEFAULT_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** @default DEFAULT_CONNECT_TIMEOUT_MS */
  readonly connectTimeoutMs?: number;
  /** DNS resolution. @default dns.lookup */
  readonly resolve?: Resolve;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface FetchRequest {
  readonly url: string;
  /** Accept header, e.g. feed or HTML media types. */
  readonly accept: string;
  /** Validators from the last 200, for a conditional GET. */
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
}

export type FetchResult =
  | { readonly status: 'not-modified'; readonly url: string }
  | {
      readonly status: 'ok';
      /** The final URL, after redirects: relative links resolve against it. */
      readonly url: string;
      readonly body: Buffer;
      readonly contentType?: string;
      readonly etag?: string;
      readonly lastModified?: string;
    };

/** The fetch capability the feed poller and the webhook take. */
export interface Fetcher {
  fetch(request: FetchRequest): Promise<FetchResult>;
  /** Close idle connections. */
  close(): Promise<void>;
}

/** The User-Agent of every request: who is fetching, and where to read about it. */
export function userAgentFor(newsletterName: string, contactUrl: string): string {
  return `newsbrief/1.0 (${newsletterName.replace(/[^\x20-\x7e]/g, '?').replace(/[()]/g, '')}; +${contactUrl})`;
}

/** Retry-After as an absolute time (epoch ms): delay-seconds or an HTTP-date. Undefined when absent or unreadable. */
export function retryAfterTime(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  const at = /^\d+$/.test(v) ? now + Number(v) * 1000 : Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at, now), now + MAX_RETRY_AFTER_MS);
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function checkedUrl(raw: string, base?: string): URL {
  let url: URL;
  try {
    url = base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    throw new UnsupportedUrlError(raw, `not a valid URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsupportedUrlError(url.href, `only http and https URLs are fetched, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new UnsupportedUrlError(url.origin, 'URLs with credentials are not fetched');
  url.hash = '';
  return url;
}

/** The FetchError inside what undici throws ("fetch failed" with a cause), or one describing it. */
function asFetchError(error: unknown, url: string, timeoutMs: number): FetchError {
  if (error instanceof FetchError) return error;
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof FetchError) return cause;
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError' || (cause as { code?: string })?.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new FetchTimeoutError(url, `no complete answer within ${timeoutMs} ms`, { cause: error });
  }
  const code = (cause as { code?: string })?.code ?? (error as { code?: string })?.code;
  const detail = code ?? (cause as Error)?.message ?? (error as Error)?.message ?? String(error);
  return new NetworkError(url, `network error (${detail})`, { cause: error });
}

/** Build a fetcher under `policy`. One per invocation; close() it at the end. */
export function createFetcher(policy: FetchPolicy): Fetcher {
  const allowLoopback = policy.allowLoopback ?? false;
  const maxBytes = policy.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = policy.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const timeoutMs = policy.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = policy.now ?? Date.now;
  const refuse = (host: string, address: string) =>
    new BlockedAddressError(host, `${host} resolves to ${address}, an address that is not fetched (private, loopback, link-local or reserved)`);

  const connector = buildConnector({
    timeout: policy.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    lookup: guardedLookup(policy.resolve ?? systemResolve, allowLoopback, refuse),
  });
  const agent = new Agent({
    connect(options, callback) {
      // An IP literal skips DNS: check it before any packet is sent.
      const literal = ipLiteral(options.hostname);
      if (literal !== undefined && !addressAllowed(literal, allowLoopback)) {
        callback(new BlockedAddressError(options.hostname, `${literal} is not an address that is fetched (private, loopback, link-local or reserved)`), null);
        return;
      }
      connector(options, (error, socket) => {
        if (error !== null) {
          callback(error, null);
          return;
        }
        // The last word: the address this socket is really connected to.
        const remote = socket.remoteAddress ?? '';
        if (!addressAllowed(remote, allowLoopback)) {
          socket.destroy();
          callback(refuse(options.hostname, remote || 'an unknown address'), null);
          return;
        }
        callback(null, socket);
      });
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });

  const perHost = new Map<string, LimitFunction>();
  const retryAt = new Map<string, { at: number; status: number }>();
  const limiterOf = (host: string): LimitFunction => {
    let limit = perHost.get(host);
    if (limit === undefined) {
      limit = pLimit(1);
      perHost.set(host, limit);
    }
    return limit;
  };

  /** One request to one URL, no redirect following; resolves with the response and its body read under the cap. */
  const hop = async (url: URL, request: FetchRequest) => {
    const wait = retryAt.get(url.host);
    if (wait !== undefined && wait.at > now()) {
      throw new RateLimitedError(url.href, wait.status, wait.at, `${url.host} asked not to be fetched before ${new Date(wait.at).toISOString()}`);
    }
    const headers: Record<string, string> = { 'user-agent': policy.userAgent, accept: request.accept };
    if (request.etag) headers['if-none-match'] = request.etag;
    if (request.lastModified) headers['if-modified-since'] = request.lastModified;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await undiciFetch(url, { dispatcher: agent, redirect: 'manual', headers, signal });
      const status = response.status;
      if (REDIRECTS.has(status) || status === 304 || status === 429 || status === 503 || status < 200 || status >= 300) {
        await response.body?.cancel().catch(() => undefined);
        return { response, body: Buffer.alloc(0) };
      }
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (declared > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw new ResponseTooLargeError(url.href, `response is ${declared} bytes; the limit is ${maxBytes} bytes`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      if (response.body) {
        for await (const chunk of response.body) {
          size += (chunk as Uint8Array).byteLength;
          if (size > maxBytes) {
            await response.body.cancel().catch(() => undefined);
            throw new ResponseTooLargeError(url.href, `response is larger than the limit of ${maxBytes} bytes`);
          }
          chunks.push(Buffer.from(chunk as Uint8Array));
        }
      }
      return { response, body: Buffer.concat(chunks) };
    } catch (error) {
      throw asFetchError(error, url.href, timeoutMs);
    }
  };

  return {
    async fetch(request) {
      let url = checkedUrl(request.url);
      for (let redirects = 0; ; redirects++) {
        const current = url;
        const { response, body } = await limiterOf(current.host)(() => hop(current, request));
        const status = response.status;
        if (REDIRECTS.has(status)) {
          const location = response.headers.get('location');
          if (!location) throw new HttpStatusError(current.href, status, `HTTP ${status} without a Location header`);
          if (redirects >= maxRedirects) throw new TooManyRedirectsError(current.href, `more than ${maxRedirects} redirects`);
          url = checkedUrl(location, current.href);
          continue;
        }
        if (status === 304) return { status: 'not-modified', url: current.href };
        if (status === 429 || status === 503) {
          const at = retryAfterTime(response.headers.get('retry-after'), now());
          if (at !== undefined) retryAt.set(current.host, { at, status });
          throw new RateLimitedError(current.href, status, at ?? now(), `HTTP ${status}${at !== undefined ? `, retry after ${new Date(at).toISOString()}` : ''}`);
        }
        if (status < 200 || status >= 300) throw new HttpStatusError(current.href, status, `HTTP ${status}`);
        const contentType = response.headers.get('content-type') ?? undefined;
        const etag = response.headers.get('etag') ?? undefined;
        const lastModified = response.headers.get('last-modified') ?? undefined;
        return {
          status: 'ok',
          url: current.href,
          body,
          ...(contentType !== undefined && { contentType }),
          ...(etag !== undefined && { etag }),
          ...(lastModified !== undefined && { lastModified }),
        };
      }
    },
    async close() {
      await agent.close();
    },
  };
}
