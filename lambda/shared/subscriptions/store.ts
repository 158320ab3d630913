import type { Consent, DigestFrequency, Frequency, Subscriber } from './model.ts';
import type { SubscribeRequest } from './requests.ts';

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
   * and at or after `enteredFrom` when given, in a stable order, one page at a time: the GSI
   * `byFrequency`, never a table scan. Passing the previous page's cursor resumes exactly after it,
   * so a digest run can checkpoint and resume.
   */
  listConfirmed(
    frequency: Frequency,
    options: { readonly enteredBefore: string; readonly enteredFrom?: string; readonly cursor?: string; readonly limit: number },
  ): Promise<Page<Subscriber>>;
}

/** What the mail-events handler needs: suppression on bounces and complaints. */
export interface SubscriberSuppressor {
  /** Suppress at once (permanent bounce, complaint). Idempotent. Returns false when the id is unknown. */
  suppress(id: string, reason: string, at: string): Promise<boolean>;
  /**
   * Count transient bounce `bounceId` (SES's feedback id) once, in the same write that remembers it,
   * so a redelivered notification is never counted twice nor lost between two writes. Returns the
   * consecutive count (0: unknown subscriber) and whether this call counted it.
   */
  recordTransientBounce(id: string, bounceId: string, at: string): Promise<{ count: number; counted: boolean }>;
  /** A delivery resets the consecutive transient-bounce count. */
  resetTransientBounces(id: string): Promise<void>;
}

export type { DigestFrequency };

/** The new subscriber the subscribe flow creates (status pending). */
export interface NewSubscriber {
  readonly id: string;
  readonly email: string;
  /** Keyed hash of the address (tokens.ts `emailHashes`), the lookup item's key. */
  readonly emailHash: string;
  readonly topics: string[];
  readonly frequency: Frequency;
}

/** The state an imported person is recorded in (subscriptions/import.ts): attested consent, or an opt-out at the source. */
export type ImportedState =
  | { readonly status: 'confirmed'; readonly consent: Consent }
  | { readonly status: 'unsubscribed' }
  | { readonly status: 'suppressed'; readonly reason: string };

/** What a state change found: `changed` did it, `unchanged` found it already so, `refused` found a state it may not leave. */
export type Transition = 'changed' | 'unchanged' | 'refused' | 'unknown';

/**
 * The whole store port: delivery's reader and suppressor plus the subscribe flow's operations. Every
 * state change is a conditional write (optimistic concurrency on a version number), so concurrent
 * requests never corrupt a subscriber; there are no transactions (dynalite lacks them).
 */
export interface SubscriberStore extends SubscriberReader, SubscriberSuppressor {
  /** The subscriber an address hash points to, trying each hash (one per signing key) in order. */
  findByEmailHash(
    hashes: readonly string[],
  ): Promise<{ subscriberId: string; emailHash: string; subscriber: Subscriber | null } | null>;
  /**
   * Create a pending subscriber: the lookup item first (attribute_not_exists, so one address is one
   * subscriber), then the subscriber item. When the lookup already points elsewhere, returns that id
   * and creates nothing; when it points to this id (a retry, or a crash between the two writes), the
   * subscriber item is created if still missing.
   */
  createPending(
    input: NewSubscriber,
    at: string,
    options?: { readonly claimConfirmationMailAt?: string },
  ): Promise<{ subscriberId: string; created: boolean; subscriber?: Subscriber }>;
  /**
   * One conditional write for a repeated subscribe: a pending or unsubscribed subscriber becomes
   * pending with the new choice (`updatedAt` = `requestedAt`), and claims a confirmation mail at `at`
   * unless one went out after `notSentSince`. `mail` says whether the caller should send it. A request
   * older than the subscriber's last change (handled late, out of order) changes nothing, and nothing
   * is written when nothing would change (a repeat of the same choice inside the mail window), so a
   * burst of repeats does not contend for the record.
   */
  requestConfirmation(
    id: string,
    choice: { topics: readonly string[]; frequency: Frequency },
    times: { readonly requestedAt: string; readonly at: string; readonly notSentSince: string },
  ): Promise<{ outcome: Transition; mail: boolean; subscriber: Subscriber | null }>;
  /** A pending or unsubscribed subscriber asks again: pending, with the new topics and frequency. */
  resubscribe(id: string, choice: { topics: string[]; frequency: Frequency }, at: string): Promise<Transition>;
  /**
   * Claim the right to send a confirmation mail: true when none was sent since `notSentSince`
   * (at most one per address per window), recording `at` as the last send.
   */
  claimConfirmationMail(id: string, at: string, notSentSince: string): Promise<boolean>;
  /** Undo a claim whose mail failed to send, so the next request may retry. */
  releaseConfirmationMail(id: string, at: string): Promise<void>;
  /** pending → confirmed (joins the byFrequency index). Idempotent. */
  confirm(id: string, at: string): Promise<Transition>;
  /** pending/confirmed → unsubscribed (leaves the index). Idempotent. */
  unsubscribe(id: string, at: string): Promise<Transition>;
  /** Change topics and frequency of a pending or confirmed subscriber; a frequency change re-enters the index at `at`. */
  updatePreferences(id: string, change: { topics?: readonly string[]; frequency?: Frequency }, at: string): Promise<Transition>;
  /** Erase the address: suppressed with reason "forgotten"; the lookup hash stays so it is never mailed again. */
  forget(id: string, at: string): Promise<Transition>;
  /** Keep a subscribe request until the confirmation worker handles it (expires after SUBSCRIBE_REQUEST_TTL_MS). */
  saveRequest(request: SubscribeRequest): Promise<void>;
  getRequest(id: string): Promise<SubscribeRequest | null>;
  /** Delete a handled request (its address with it). Idempotent. */
  deleteRequest(id: string): Promise<void>;
  /**
   * Claim the one confirmation mail per mailbox per `windowMs` (`mailbox` is a keyed hash of
   * validation.ts `mailboxOf`): true when none was claimed in the window before `at`.
   */
  claimMailbox(mailbox: string, at: string, windowMs: number): Promise<boolean>;
  /** Undo a mailbox claim made at `at` whose mail was not sent. */
  releaseMailbox(mailbox: string, at: string): Promise<void>;
  /**
   * Create imported subscribers directly in their `state` (confirmed with attested consent, or an
   * opt-out kept so no later import adds them), results in the same order. Each lookup item first,
   * with a conditional write as createPending (one address, one subscriber), then the records, new
   * confirmed ones in batches (what makes a 100,000-row import take minutes, not hours). When an
   * address already belongs to another subscriber, returns that id and creates nothing for it.
   */
  createImportedMany(
    items: readonly { readonly input: NewSubscriber; readonly state: ImportedState }[],
    at: string,
  ): Promise<{ subscriberId: string; created: boolean }[]>;
  /** findByEmailHash for many hashes at once (batched reads): each hash found, with its subscriber id and record. */
  findManyByEmailHash(hashes: readonly string[]): Promise<Map<string, { subscriberId: string; subscriber: Subscriber | null }>>;
  /**
   * Every subscriber, in any state, one page at a time and in no order: a scan of the whole table, so
   * for the operator's export only, never a request path.
   */
  listAll(options: { readonly cursor?: string; readonly limit: number }): Promise<Page<Subscriber>>;
}
