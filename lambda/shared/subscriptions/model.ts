/** Subscriber model: who gets mail, about what, how often, and in which state. */

export const FREQUENCIES = ['immediate', 'daily', 'weekly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** Digest frequencies run on a schedule; `immediate` subscribers get alerts at ingest instead. */
export type DigestFrequency = Exclude<Frequency, 'immediate'>;

export const STATUSES = ['pending', 'confirmed', 'unsubscribed', 'suppressed'] as const;
export type SubscriberStatus = (typeof STATUSES)[number];

export interface Subscriber {
  /** Random id (not derived from the address); the only identifier that appears in logs and tokens. */
  readonly id: string;
  /** Normalised address (trimmed, domain lower-cased). Absent once the subscriber asked to be forgotten. */
  readonly email?: string;
  readonly status: SubscriberStatus;
  /** Topic slugs; empty means every topic. */
  readonly topics: string[];
  readonly frequency: Frequency;
  readonly createdAt: string;
  readonly confirmedAt?: string;
  readonly updatedAt: string;
  /** Why a subscriber was suppressed (permanent bounce, complaint, transient bounces, forgotten). */
  readonly suppressedReason?: string;
  /** Consecutive transient bounces; 3 in a row suppress. Reset by a delivery. */
  readonly transientBounces?: number;
  /** Consent the operator attested on import (`subscribers import --confirmed`); absent for a double opt-in. */
  readonly consent?: Consent;
  /**
   * The frequencies a confirmed subscriber held before the current one, oldest first: each from one
   * change to the next (`until` is when they left it). Delivery sends each article through the
   * frequency held when it was ingested, so a change neither loses nor repeats an article.
   */
  readonly frequencyHistory?: readonly FrequencyInterval[];
}

/**
 * Consent recorded without our double opt-in: the operator attests that the person agreed elsewhere
 * (their old newsletter tool), and the record keeps where that came from and when, as GDPR Art. 7(1)
 * asks of whoever relies on consent ("able to demonstrate that the data subject has consented").
 */
export interface Consent {
  readonly method: 'operator-attested';
  /** The import it came from: format and file name, e.g. `mailchimp:subscribed_members.csv`. */
  readonly source: string;
  /** When the operator attested it (the import's time). */
  readonly attestedAt: string;
  /** When the person opted in at the source, when the export says. */
  readonly sourceOptInAt?: string;
}

/** A frequency a subscriber held (after `from`, until and including `until`, both ISO). */
export interface FrequencyInterval {
  readonly frequency: Frequency;
  readonly from: string;
  readonly until: string;
}

/** Past frequencies kept per subscriber: the articles of older ones have long been delivered. */
export const FREQUENCY_HISTORY_KEPT = 10;

/**
 * The frequency a subscriber held at `at` (an article's ingest time): the current one after the last
 * change, else the one whose interval holds `at`; before the first recorded change, the first one.
 */
export function frequencyAt(subscriber: Subscriber, at: string): Frequency {
  const past = subscriber.frequencyHistory ?? [];
  for (const interval of past) if (at <= interval.until) return interval.frequency;
  return subscriber.frequency;
}

/** Whether a subscriber with these topics wants an article with those topics. Empty selection = everything. */
export function wantsTopics(subscriberTopics: readonly string[], articleTopics: readonly string[]): boolean {
  if (subscriberTopics.length === 0) return true;
  return articleTopics.some((t) => subscriberTopics.includes(t));
}
