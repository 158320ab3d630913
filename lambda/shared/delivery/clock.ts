/**
 * Time as a port. The sender's token bucket, retry backoff and ledger leases all read time through
 * this, so tests drive a virtual clock instead of sleeping, and no test is timed.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolve after `ms` milliseconds (virtual clocks resolve at once and move time forward). */
  sleep(ms: number): Promise<void>;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * A virtual clock for tests. In `instant` mode (the default) `sleep` advances time at once and records
 * the delay; in `timers` mode sleepers wait until the test calls `tick`, so concurrent waiters are
 * observed at the virtual times they would really wake.
 */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  private readonly timers: { at: number; wake: () => void }[] = [];
  constructor(
    private time = Date.UTC(2026, 0, 1),
    private readonly mode: 'instant' | 'timers' = 'instant',
  ) {}
  now(): number {
    return this.time;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    if (this.mode === 'instant') {
      this.time += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise((wake) => this.timers.push({ at: this.time + Math.max(0, ms), wake }));
  }
  /** Move time forward without recording a sleep (e.g. an SQS visibility timeout passing). */
  advance(ms: number): void {
    this.time += ms;
  }
  /** Timers mode: move time forward by `ms`, waking each sleeper due by then in time order. */
  async tick(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.wake();
      // Let the woken code run before the next timer fires.
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    this.time = until;
  }
}
