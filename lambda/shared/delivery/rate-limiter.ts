import type { Clock } from './clock.ts';

/**
 * A token bucket that holds one sender instance to its share of the account's SES MaxSendRate
 * (MAX_SEND_RATE / SENDER_CONCURRENCY). It refills continuously at `ratePerSecond` up to `capacity`
 * (one second's worth). Rate control is the bucket, not fixed sleeps between sends: a caller waits
 * only for the moment its own token becomes available.
 *
 * Concurrent callers reserve tokens in arrival order: the balance may go negative, and each caller
 * waits for exactly the time its reservation takes to refill, so N waiters never share one token.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  readonly capacity: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly clock: Clock,
    options: { readonly capacity?: number; readonly initialTokens?: number } = {},
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError(`token bucket rate must be a positive number, got ${ratePerSecond}`);
    }
    this.capacity = options.capacity ?? Math.max(1, ratePerSecond);
    this.tokens = Math.min(this.capacity, options.initialTokens ?? this.capacity);
    this.updatedAt = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSecond) / 1000);
  }

  /** Milliseconds until a token would be free, without taking one. */
  waitTime(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }

  /**
   * Take one token, waiting for it if the bucket is empty. With `notAfter` (epoch ms), a token that
   * would come only later is not reserved: false, and the caller stops instead of waiting past its deadline.
   */
  async take(notAfter?: number): Promise<boolean> {
    this.refill();
    const wait = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
    if (notAfter !== undefined && this.clock.now() + wait > notAfter) return false;
    this.tokens -= 1;
    if (this.tokens >= 0) return true;
    await this.clock.sleep(Math.ceil((-this.tokens * 1000) / this.ratePerSecond));
    return true;
  }

  /** Take a token only if one is free now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One instance's share of the account rate: MAX_SEND_RATE divided across the sender's concurrency. */
export function instanceRate(maxSendRate: number, senderConcurrency: number): number {
  return maxSendRate / Math.max(1, senderConcurrency);
}
