import type { DigestFrequency, Frequency, Subscriber } from './model.ts';

/** One page of a paged query; `cursor` is opaque and absent on the last page. */
export interface Page<T> {
  readonly items: T[];
  readonly cursor?: string;
}

/**
 * The subscriber store port, as delivery sees it. The DynamoDB adapter (dynamo-store.ts) and the
 * in-memory adapter (memory-store.ts) implement it and pass the same contract tests. The subscribe
 * flow's own operations (create, confirm, preferences, forget…) extend this interface.
 */
export interface SubscriberReader {
  get(id: string): Promise<Subscriber | null>;
  /**
   * Confirmed subscribers of one frequency who entered it strictly before `enteredBefore` (ISO time),
   * in a stable order, one page at a time: the GSI `byFrequency`, never a table scan. Passing the
   * previous page's cursor resumes exactly after it, so a digest run can checkpoint and resume.
   */
  listConfirmed(
    frequency: Frequency,
    options: { readonly enteredBefore: string; readonly cursor?: string; readonly limit: number },
  ): Promise<Page<Subscriber>>;
}

/** What the mail-events handler needs: suppression on bounces and complaints. */
export interface SubscriberSuppressor {
  /** Suppress at once (permanent bounce, complaint). Idempotent. Returns false when the id is unknown. */
  suppress(id: string, reason: string, at: string): Promise<boolean>;
  /** Count one more transient bounce; returns the new consecutive count. */
  recordTransientBounce(id: string, at: string): Promise<number>;
  /** A delivery resets the consecutive transient-bounce count. */
  resetTransientBounces(id: string): Promise<void>;
}

export type { DigestFrequency };
