/**
 * What a failed send tells about the message: was it certainly not sent, or may SES have taken it?
 *
 * SES has no idempotency key, so a send whose outcome is unknown must not be repeated where a
 * duplicate matters: a timeout, a reset connection or a 5xx can come after SES accepted the message.
 * Only an answer from SES that refuses the request (HTTP 4xx: Throttling, MessageRejected, sending
 * paused…) or a failure before any byte left (no connection, no credentials) proves it was not sent.
 * SDK-level retries would resend exactly these unknown cases, so clients that use this send with
 * `maxAttempts: 1` and decide themselves.
 */

export type SendOutcome =
  /** SES refused this very message for good (MessageRejected): sending it again will not help. */
  | 'rejected'
  /** Certainly not sent (SES answered with a refusal, or the request never left): safe to retry. */
  | 'not-sent'
  /** May have been sent: timeout, reset, 5xx, an answer without a message id. Never resend it at once. */
  | 'unknown';

/** Connection errors raised before the request could reach SES. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Errors the SDK throws before it sends anything. */
const BEFORE_SENDING = new Set(['CredentialsProviderError', 'TokenProviderError']);

/** Classify what a send threw. Unrecognised errors count as `unknown`: the safe side for a duplicate. */
export function sendOutcome(error: unknown): SendOutcome {
  if (typeof error !== 'object' || error === null) return 'unknown';
  const e = error as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown }; cause?: unknown };
  if (e.name === 'MessageRejected') return 'rejected';
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return 'not-sent';
  if (typeof e.name === 'string' && BEFORE_SENDING.has(e.name)) return 'not-sent';
  const code = typeof e.code === 'string' ? e.code : (e.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && NEVER_CONNECTED.has(code)) return 'not-sent';
  return 'unknown';
}
