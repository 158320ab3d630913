import { createHash } from 'node:crypto';

/**
 * What newsbrief remembers about feeds: per feed, the conditional-GET validators, when it was last
 * polled, whether it is failing (since when, how often, why) and when it may be asked again; per
 * item key (GUID, canonical link, content hash), that the item was seen and which article it became.
 * The DynamoDB adapter is state-dynamo.ts; the in-memory one below has the same contract.
 */

/** An item whose page could not be fetched yet; retried on later polls. */
export interface PendingItem {
  /** ISO time of the first failure. */
  readonly since: string;
  readonly attempts: number;
  readonly reason: string;
}

export interface FeedState {
  readonly url: string;
  readonly etag?: string;
  readonly lastModified?: string;
  /** ISO times. */
  readonly lastAttemptAt?: string;
  readonly lastSuccessAt?: string;
  /** First failure of the current run of failures; absent while the feed is healthy. */
  readonly failingSince?: string;
  /** Consecutive failed polls. */
  readonly failures: number;
  readonly lastError?: string;
  /** Not to be polled before this ISO time (backoff, Retry-After, or the feed's `every`). */
  readonly nextPollAt?: string;
  /** Items deferred because their page could not be fetched, by item key. */
  readonly pending: Readonly<Record<string, PendingItem>>;
  /** Bumped by every claim and save; saves are conditional on it. */
  readonly version: number;
}

/** A seen item: the article it became, or null when it was recorded without ingesting (an older item of a new feed, an unusable one). */
export interface SeenItem {
  readonly key: string;
  readonly articleId: string | null;
  readonly feedUrl: string;
  readonly at: string;
}

/** The feed state port. */
export interface FeedStore {
  get(url: string): Promise<FeedState | null>;
  /**
   * Take the feed for one poll: sets a lease until `leaseUntil` (epoch ms) unless another poller
   * holds an unexpired one. Returns the state with its new version, or null when the feed is busy.
   */
  claim(url: string, now: number, leaseUntil: number): Promise<FeedState | null>;
  /** Write the state after a poll and drop the lease; false when another poller claimed it meanwhile. */
  save(state: FeedState): Promise<boolean>;
  /** The first of `keys` seen before, or null. */
  seen(keys: readonly string[]): Promise<SeenItem | null>;
  /** Record `keys` as seen (existing records are kept: the first article wins). */
  markSeen(keys: readonly string[], item: Omit<SeenItem, 'key'>): Promise<void>;
}

/** Feed store errors (storage failures, corrupt records). */
export class FeedStoreError extends Error {
  override readonly name = 'FeedStoreError';
}

/** A short stable hash for keys (feed URLs, item keys), so table keys stay small whatever the URL. */
export function keyHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 40);
}

/** A fresh state for a feed never polled. */
export function initialState(url: string): FeedState {
  return { url, failures: 0, pending: {}, version: 0 };
}

/** Backoff after `failures` consecutive failures: the poll period doubled each time, at most 6 hours. */
export function backoffMs(failures: number, periodMinutes: number): number {
  return Math.min(periodMinutes * 60_000 * 2 ** Math.max(0, failures - 1), 6 * 3600_000);
}

/** In-memory feed store: tests. Same contract as the DynamoDB one. */
export class MemoryFeedStore implements FeedStore {
  private readonly states = new Map<string, FeedState & { leaseUntil?: number }>();
  private readonly items = new Map<string, SeenItem>();

  async get(url: string): Promise<FeedState | null> {
    const s = this.states.get(url);
    if (!s) return null;
    const { leaseUntil: _lease, ...state } = s;
    return structuredClone(state);
  }

  async claim(url: string, now: number, leaseUntil: number): Promise<FeedState | null> {
    const s = this.states.get(url) ?? { ...initialState(url) };
    if (s.leaseUntil !== undefined && s.leaseUntil > now) return null;
    const claimed = { ...s, version: s.version + 1, leaseUntil };
    this.states.set(url, claimed);
    const { leaseUntil: _lease, ...state } = claimed;
    return structuredClone(state);
  }

  async save(state: FeedState): Promise<boolean> {
    const s = this.states.get(state.url);
    if (!s || s.version !== state.version) return false;
    this.states.set(state.url, structuredClone({ ...state, version: state.version + 1 }));
    return true;
  }

  async seen(keys: readonly string[]): Promise<SeenItem | null> {
    for (const key of keys) {
      const item = this.items.get(key);
      if (item) return { ...item };
    }
    return null;
  }

  async markSeen(keys: readonly string[], item: Omit<SeenItem, 'key'>): Promise<void> {
    for (const key of keys) if (!this.items.has(key)) this.items.set(key, { ...item, key });
  }
}
