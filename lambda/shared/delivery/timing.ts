/**
 * The sender's time budget, in one place: the SDK client settings that bound each AWS call, the
 * reserve that keeps every send and its ledger record inside the Lambda's time limit, and the
 * lease that outlives any invocation. The CDK config (lib/config.ts) and the sender's cold start
 * check the same relations, so a change that breaks one fails `cdk synth` and the function alike.
 */

/** One SendRawEmail attempt ends (answered, or a TimeoutError) within this: smithy's requestTimeout runs from the request's start. */
export const SES_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The SES client makes one attempt per send. An SDK retry after a timeout or a reset would send the
 * message again, uncounted: the sender decides about every retry itself (ledger.ts).
 */
export const SES_MAX_ATTEMPTS = 1;

/** Each DynamoDB attempt of the sender (ledger, subscriber status) ends within this. */
export const DYNAMO_REQUEST_TIMEOUT_MS = 1_000;

/** DynamoDB attempts per call: a throttled or timed-out write is retried once by the SDK. */
export const DYNAMO_MAX_ATTEMPTS = 2;

/**
 * The SDK's longest wait before its retry: the standard strategy waits up to base × 2^0 after the
 * first failure, with a base of 1 s for throttling (50 ms otherwise); DynamoDB sends no Retry-After.
 */
const DYNAMO_RETRY_WAIT_MS = 1_000;

/** The longest one ledger write (or status read) can take with those settings. */
export const LEDGER_CALL_MS = DYNAMO_MAX_ATTEMPTS * DYNAMO_REQUEST_TIMEOUT_MS + (DYNAMO_MAX_ATTEMPTS - 1) * DYNAMO_RETRY_WAIT_MS;

/**
 * What may still run after the deadline (the time no new send starts): an SES call started just
 * before it, then the write that records its outcome; or, without a send, a claim, a status re-read
 * and the release of that claim. The reserve must exceed both.
 */
export const AFTER_DEADLINE_MS = Math.max(SES_REQUEST_TIMEOUT_MS + LEDGER_CALL_MS, 3 * LEDGER_CALL_MS);

/** The default reserve: the time left in an invocation when it stops starting sends. */
export const SENDER_RESERVE_MS = 15_000;

/**
 * A claim outlives the invocation that took it by this much (the lease is the invocation's remaining
 * time plus this), so a live sender never loses its claim, however late in its run it claimed.
 */
export const LEASE_MARGIN_MS = 60_000;

/**
 * Right before an SES call the subscriber's status is read again if the last read is older than
 * this, so an unsubscribe or a bounce suppression during the rate-limit wait or a backoff is
 * honoured; one that lands less than this before the send may not be.
 */
export const STATUS_RECHECK_MS = 1_000;

export interface SenderTiming {
  /** The sender's reserve. */
  readonly reserveMs: number;
  /** The sender function's timeout. */
  readonly functionTimeoutMs: number;
  /** The send queue's visibility timeout. */
  readonly visibilityTimeoutMs: number;
}

/**
 * The relations the delivery guarantee rests on; empty when they hold:
 * - reserve > SES request timeout + a ledger write (and > three ledger calls), so nothing is in
 *   flight at Lambda's hard stop;
 * - lease (function timeout + margin) > function timeout, so a live sender keeps its claims;
 * - lease < visibility timeout, so a redelivery after a crash finds the dead sender's claims expired
 *   instead of spending receives (and reaching the dead-letter queue) on them.
 */
export function senderTimingProblems(t: SenderTiming): string[] {
  const problems: string[] = [];
  if (!(t.reserveMs > AFTER_DEADLINE_MS)) {
    problems.push(
      `the sender's reserve (${t.reserveMs} ms) must exceed the SES request timeout plus a ledger write ` +
        `(${SES_REQUEST_TIMEOUT_MS} + ${LEDGER_CALL_MS} ms) and three ledger calls (${3 * LEDGER_CALL_MS} ms)`,
    );
  }
  if (!(t.reserveMs < t.functionTimeoutMs)) {
    problems.push(`the sender's reserve (${t.reserveMs} ms) must be shorter than its timeout (${t.functionTimeoutMs} ms)`);
  }
  const lease = t.functionTimeoutMs + LEASE_MARGIN_MS;
  if (!(lease > t.functionTimeoutMs && lease < t.visibilityTimeoutMs)) {
    problems.push(
      `the claim lease (function timeout ${t.functionTimeoutMs} ms + ${LEASE_MARGIN_MS} ms) must be shorter than the ` +
        `send queue's visibility timeout (${t.visibilityTimeoutMs} ms)`,
    );
  }
  return problems;
}
