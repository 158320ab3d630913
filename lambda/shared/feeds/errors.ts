/**
 * Named errors of the feed domain. Fetch errors say what the fetch policy refused or what the
 * server did, without a stack or a body, so they can go to a log, a metric and a webhook caller as is.
 */

/** Any failure to fetch a URL under the fetch policy. `url` is the URL that failed (after redirects). */
export class FetchError extends Error {
  override readonly name: string = 'FetchError';
  constructor(
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The URL is not http(s), or malformed. */
export class UnsupportedUrlError extends FetchError {
  override readonly name = 'UnsupportedUrlError';
}

/** The host resolves to, or is, an address the policy refuses (private, loopback, link-local, metadata...). */
export class BlockedAddressError extends FetchError {
  override readonly name = 'BlockedAddressError';
}

/** More redirects than the policy allows. */
export class TooManyRedirectsError extends FetchError {
  override readonly name = 'TooManyRedirectsError';
}

/** The body is larger than the cap. */
export class ResponseTooLargeError extends FetchError {
  override readonly name = 'ResponseTooLargeError';
}

/** No complete answer in time (connect, headers or body). */
export class FetchTimeoutError extends FetchError {
  override readonly name = 'FetchTimeoutError';
}

/** An HTTP status other than 2xx/304 (after redirects). */
export class HttpStatusError extends FetchError {
  override readonly name: string = 'HttpStatusError';
  constructor(
    url: string,
    readonly status: number,
    message: string,
  ) {
    super(url, message);
  }
}

/**
 * 429 or 503, or a host still inside the Retry-After it asked for: do not ask again before `retryAt`
 * (epoch ms). RFC 9110 §10.2.3 (Retry-After), RFC 6585 §4 (429).
 */
export class RateLimitedError extends HttpStatusError {
  override readonly name = 'RateLimitedError';
  constructor(
    url: string,
    status: number,
    readonly retryAt: number,
    message: string,
  ) {
    super(url, status, message);
  }
}

/** Connection-level failure: DNS name not found, connection refused or reset, TLS failure. */
export class NetworkError extends FetchError {
  override readonly name = 'NetworkError';
}

/** The document is not a feed we can read (not RSS 2.0, RSS 1.0/RDF, Atom 1.0 or JSON Feed 1.x), or is malformed. */
export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';
}
