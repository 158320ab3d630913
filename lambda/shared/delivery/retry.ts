/**
 * Exponential backoff with jitter for throttled sends. "Equal jitter" (half fixed, half random, see
 * the AWS Architecture Blog, "Exponential Backoff And Jitter"): every retry waits at least half the
 * exponential step, so retries are provably spaced, while the random half spreads the sender
 * instances that were throttled together.
 */

export interface BackoffPolicy {
  /** Attempts per message within one invocation, the first included; then the job fails back to SQS. */
  readonly maxAttempts: number;
  /** Step of the first retry, in milliseconds. */
  readonly baseMs: number;
  /** No single wait exceeds this. */
  readonly capMs: number;
}

/** Defaults sized for SES: a throttled second clears in about a second, and 5 attempts stay well inside a sender timeout. */
export const DEFAULT_BACKOFF: BackoffPolicy = { maxAttempts: 5, baseMs: 200, capMs: 5_000 };

/** Delay before retry number `retry` (1 = the first retry): in [step/2, step], step = min(cap, base·2^(retry−1)). */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** The longest total wait one message can spend in backoff: bounds an invocation's duration. */
export function maxTotalBackoff(policy: BackoffPolicy): number {
  let total = 0;
  for (let r = 1; r < policy.maxAttempts; r++) total += Math.min(policy.capMs, policy.baseMs * 2 ** (r - 1));
  return total;
}
