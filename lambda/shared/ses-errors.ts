/**
 * Classify what SES SendRawEmail threw, so a caller knows whether to back off, stop, record, retry
 * or treat the outcome as unknown. Below delivery and subscriptions: both send through SES.
 *
 * SES (v1 API) signals both of its sending limits with the same error code `Throttling` and tells them
 * apart only by the message: "Maximum sending rate exceeded." (retry after a pause) and
 * "Daily message quota exceeded." (nothing will succeed until the 24-hour window rolls; stop).
 * See the SES developer guide, "Errors related to sending limits".
 *
 * SES has no idempotency key, so an error that may come after SES accepted the message is its own
 * class, `ambiguous`: a request timeout or a reset after the request was written, a 5xx, an answer
 * without a MessageId. Sending again on it may deliver a second copy. Only errors that prove the
 * request never reached SES, or that SES refused it, are safe to retry.
 */

export type SesFailureKind =
  /** Sending-rate throttling: retry with exponential backoff and jitter. */
  | 'throttled'
  /** The 24-hour quota is used up: stop the batch, leave the rest queued. */
  | 'quota-exceeded'
  /** SES refused this one message (MessageRejected): record it, carry on with the others. */
  | 'rejected'
  /** The account or configuration set cannot send at all right now: stop the batch. */
  | 'sending-paused'
  /** SES may have accepted the message and its answer was lost: never retry blindly. */
  | 'ambiguous'
  /** Not sent, for certain (no connection, an SES 4xx we do not single out): retry with backoff, bounded. */
  | 'transient';

const DAILY_QUOTA = /daily message quota exceeded/i;
const MAX_RATE = /maximum sending rate exceeded/i;
/** smithy's connectionTimeout: the socket never connected, so nothing was sent. */
const NOT_CONNECTED = /did not establish a connection/i;

const PAUSED = new Set([
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
  'ConfigurationSetDoesNotExistException',
  'MailFromDomainNotVerifiedException',
  'FromEmailAddressNotVerifiedException',
]);

/** Network errors raised before any byte of the request could reach SES. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);
/** SDK errors raised before the request is made (no credentials, no region). */
const NEVER_SENT_NAMES = new Set(['CredentialsProviderError', 'TokenProviderError', 'ConfigError']);

/** Map an error thrown by SendRawEmail (SDK v3 error or anything else) to what the caller should do. */
export function classifySesError(error: unknown): SesFailureKind {
  if (typeof error !== 'object' || error === null) return 'ambiguous';
  const e = error as { name?: unknown; Code?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const name = [e.name, e.Code].find((v): v is string => typeof v === 'string') ?? '';
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  // The quota check comes first: its code is also `Throttling`, but retrying it only burns attempts.
  if (DAILY_QUOTA.test(message)) return 'quota-exceeded';
  if (name === 'Throttling' || name === 'ThrottlingException' || MAX_RATE.test(message)) return 'throttled';
  if (name === 'MessageRejected') return 'rejected';
  if (PAUSED.has(name)) return 'sending-paused';
  if (NEVER_SENT_CODES.has(code) || NEVER_SENT_NAMES.has(name) || NOT_CONNECTED.test(message)) return 'transient';
  // SES answered with a client error: it refused the request, so nothing was sent.
  if (status !== undefined && status >= 400 && status < 500) return 'transient';
  // Everything else may have reached SES: a timeout or reset after the request was written
  // (the SDK names both TimeoutError), a 5xx, an answer without a MessageId, an unknown throw.
  return 'ambiguous';
}
