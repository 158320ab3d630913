/**
 * Classify what SES SendRawEmail threw, so the sender knows whether to back off, stop, record or retry.
 *
 * SES (v1 API) signals both of its sending limits with the same error code `Throttling` and tells them
 * apart only by the message: "Maximum sending rate exceeded." (retry after a pause) and
 * "Daily message quota exceeded." (nothing will succeed until the 24-hour window rolls; stop).
 * See the SES developer guide, "Errors related to sending limits".
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
  /** Anything else (network, timeout, 5xx): retry with backoff like throttling, bounded. */
  | 'transient';

const DAILY_QUOTA = /daily message quota exceeded/i;
const MAX_RATE = /maximum sending rate exceeded/i;

const PAUSED = new Set([
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
  'ConfigurationSetDoesNotExistException',
  'MailFromDomainNotVerifiedException',
  'FromEmailAddressNotVerifiedException',
]);

/** Map an error thrown by SendRawEmail (SDK v3 error or anything else) to what the sender should do. */
export function classifySesError(error: unknown): SesFailureKind {
  if (typeof error !== 'object' || error === null) return 'transient';
  const e = error as { name?: unknown; Code?: unknown; code?: unknown; message?: unknown };
  const name = [e.name, e.Code, e.code].find((v): v is string => typeof v === 'string') ?? '';
  const message = typeof e.message === 'string' ? e.message : '';
  // The quota check comes first: its code is also `Throttling`, but retrying it only burns attempts.
  if (DAILY_QUOTA.test(message)) return 'quota-exceeded';
  if (name === 'Throttling' || name === 'ThrottlingException' || MAX_RATE.test(message)) return 'throttled';
  if (name === 'MessageRejected') return 'rejected';
  if (PAUSED.has(name)) return 'sending-paused';
  return 'transient';
}
