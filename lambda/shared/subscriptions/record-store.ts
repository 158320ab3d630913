import pLimit from 'p-limit';
import { FREQUENCY_HISTORY_KEPT, type Frequency, type Subscriber } from './model.ts';
import { SUBSCRIBE_REQUEST_TTL_MS, type SubscribeRequest } from './requests.ts';
import type { ImportedState, NewSubscriber, Page, SubscriberStore, Transition } from './store.ts';

/**
 * The subscriber store's logic, written once over a tiny record backend (get, conditional put,
 * lookup, index query) that the DynamoDB and in-memory adapters implement. Every state change is
 * read → pure transition → put conditioned on the version read, retried on conflict: optimistic
 * concurrency without transactions, so two racing requests can never both win.
 */

/** A subscriber as stored, with the bookkeeping that never leaves the store. */
export interface SubscriberRecord {
  readonly subscriber: Subscriber;
  /** Bumped by every write; the condition of the next one. */
  readonly version: number;
  readonly emailHash?: string;
  /** When a confirmed subscriber entered their current frequency: the byFrequency sort key's time. */
  readonly frequencySince?: string;
  /** Last confirmation mail, for the one-per-10-minutes limit. */
  readonly lastConfirmMailAt?: string;
  /** The last transient bounces counted (SES feedback ids), so a redelivered one is not counted twice. */
  readonly countedBounces?: readonly string[];
}

/** How many counted bounce ids a record keeps: far more than SNS redelivers within. */
const COUNTED_BOUNCES_KEPT = 10;

/** The primitive operations each adapter implements. */
export interface RecordBackend {
  getRecord(id: string): Promise<SubscriberRecord | null>;
  /** Write `record` if the stored version equals `expectedVersion` (null: only if absent). False on conflict. */
  putRecord(record: SubscriberRecord, expectedVersion: number | null): Promise<boolean>;
  getLookup(emailHash: string): Promise<string | null>;
  /** Create the lookup item if absent. False when it already exists. */
  putLookup(emailHash: string, subscriberId: string, at: string): Promise<boolean>;
  /** Confirmed subscribers of `frequency` with enteredFrom ≤ frequencySince < enteredBefore, ordered by (frequencySince, id). */
  queryConfirmed(
    frequency: Frequency,
    options: { readonly enteredBefore: string; readonly enteredFrom?: string; readonly cursor?: string; readonly limit: number },
  ): Promise<Page<Subscriber>>;
  /** Write a subscribe request (a fresh random id: unconditional), expiring at `expiresAt` (epoch s). */
  putRequest(request: SubscribeRequest, expiresAt: number): Promise<void>;
  getRequest(id: string): Promise<SubscribeRequest | null>;
  deleteRequest(id: string): Promise<void>;
  /** Set the mailbox's last mail to `at` if it is absent or not after `notAfter`. False when it is. */
  claimMailbox(mailbox: string, at: string, notAfter: string, expiresAt: number): Promise<boolean>;
  /** Remove the mailbox's claim if it is still the one made at `at`. */
  releaseMailbox(mailbox: string, at: string): Promise<void>;
  /** The lookups of many hashes at once (batched reads): hash → subscriber id, for those that exist. */
  getLookups(emailHashes: readonly string[]): Promise<Map<string, string>>;
  /** Many records at once (batched reads): id → record, for those that exist. */
  getRecords(ids: readonly string[]): Promise<Map<string, SubscriberRecord>>;
  /**
   * Write new records without a condition, in batches (DynamoDB's BatchWriteItem takes none). Only
   * for records whose fresh id no other writer can have used yet: see createImportedMany.
   */
  putNewRecords(records: readonly SubscriberRecord[]): Promise<void>;
  /** Every subscriber, one page at a time, in no particular order (a table scan: for the operator's export only). */
  scanSubscribers(options: { readonly cursor?: string; readonly limit: number }): Promise<Page<Subscriber>>;
}

/** The record an import creates: confirmed with its consent (in the index from `at`), or the opt-out. */
function importedRecord(input: NewSubscriber, state: ImportedState, at: string): SubscriberRecord {
  const base: Subscriber = { id: input.id, email: input.email, status: state.status, topics: [...input.topics], frequency: input.frequency, createdAt: at, updatedAt: at };
  if (state.status === 'confirmed') {
    // Confirmed now, so it joins the byFrequency index now: a digest run already started does not include it.
    return { subscriber: { ...base, confirmedAt: at, consent: state.consent }, version: 1, emailHash: input.emailHash, frequencySince: at };
  }
  return { subscriber: state.status === 'suppressed' ? { ...base, suppressedReason: state.reason } : base, version: 1, emailHash: input.emailHash };
}

/** A write kept losing races (more than MAX_ATTEMPTS conflicting writers): surfaced, never swallowed. */
export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
}

/** An opaque paging cursor that this store did not make. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

const MAX_ATTEMPTS = 8;

/** Conditional lookup writes of one createImportedMany call in flight at once (the import runs a few calls side by side). */
const IMPORT_WRITES_IN_FLIGHT = 8;

function without<T extends object, K extends keyof T>(obj: T, ...keys: K[]): Omit<T, K> {
  const copy = { ...obj };
  for (const k of keys) delete copy[k];
  return copy;
}

/** Whether a subscriber already has this choice of topics (kept in a stable order) and frequency. */
function sameChoice(s: Subscriber, choice: { readonly topics: readonly string[]; readonly frequency: Frequency }): boolean {
  return s.frequency === choice.frequency && s.topics.length === choice.topics.length && s.topics.every((t, i) => t === choice.topics[i]);
}

/** DynamoDB TTL wants epoch seconds. */
function epochSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/** The subscriber back to pending with a new choice, its confirmation gone (subscribe again, resubscribe). */
function pendingAgain(s: Subscriber, choice: { readonly topics: readonly string[]; readonly frequency: Frequency }, at: string): Subscriber {
  return { ...without(s, 'confirmedAt'), status: 'pending', topics: [...choice.topics], frequency: choice.frequency, updatedAt: at };
}

/** Build the full SubscriberStore over a record backend. */
export function createSubscriberStore(backend: RecordBackend): SubscriberStore {
  /** Read-modify-write with a version condition, retried on conflict. */
  async function mutate(
    id: string,
    decide: (record: SubscriberRecord) => { outcome: Transition; next?: SubscriberRecord },
  ): Promise<Transition> {
    return (await mutateRecord(id, decide)).outcome;
  }

  /** mutate(), also giving back the record as it now stands (null when unknown). */
  async function mutateRecord(
    id: string,
    decide: (record: SubscriberRecord) => { outcome: Transition; next?: SubscriberRecord },
  ): Promise<{ outcome: Transition; record: SubscriberRecord | null }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const record = await backend.getRecord(id);
      if (!record) return { outcome: 'unknown', record: null };
      const step = decide(record);
      if (!step.next) return { outcome: step.outcome, record };
      const next = { ...step.next, version: record.version + 1 };
      if (await backend.putRecord(next, record.version)) return { outcome: step.outcome, record: next };
      // Lost a race: back off a little, with jitter, so racing writers spread out instead of colliding again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 4 * (attempt + 1)));
    }
    throw new ConcurrentUpdateError(`subscriber ${id}: too many concurrent updates`);
  }

  const leaveIndex = (r: SubscriberRecord): SubscriberRecord => without(r, 'frequencySince');

  const store: SubscriberStore = {
    async get(id) {
      return (await backend.getRecord(id))?.subscriber ?? null;
    },

    listConfirmed(frequency, options) {
      return backend.queryConfirmed(frequency, options);
    },

    listAll(options) {
      return backend.scanSubscribers(options);
    },

    async findByEmailHash(hashes) {
      for (const hash of hashes) {
        const subscriberId = await backend.getLookup(hash);
        if (subscriberId) return { subscriberId, emailHash: hash, subscriber: await store.get(subscriberId) };
      }
      return null;
    },

    async createPending(input: NewSubscriber, at: string, options?: { claimConfirmationMailAt?: string }) {
      if (!(await backend.putLookup(input.emailHash, input.id, at))) {
        const existing = await backend.getLookup(input.emailHash);
        if (existing && existing !== input.id) return { subscriberId: existing, created: false };
      }
      const subscriber: Subscriber = {
        id: input.id,
        email: input.email,
        status: 'pending',
        topics: [...input.topics],
        frequency: input.frequency,
        createdAt: at,
        updatedAt: at,
      };
      const claim = options?.claimConfirmationMailAt ? { lastConfirmMailAt: options.claimConfirmationMailAt } : {};
      const created = await backend.putRecord({ subscriber, version: 1, emailHash: input.emailHash, ...claim }, null);
      return created ? { subscriberId: input.id, created, subscriber } : { subscriberId: input.id, created };
    },

    async findManyByEmailHash(hashes) {
      const lookups = await backend.getLookups(hashes);
      const records = await backend.getRecords([...new Set(lookups.values())]);
      return new Map([...lookups].map(([hash, subscriberId]) => [hash, { subscriberId, subscriber: records.get(subscriberId)?.subscriber ?? null }]));
    },

    async createImportedMany(items, at) {
      // The lookups first, each with attribute_not_exists as createPending does: one address, one subscriber.
      // A few at a time: the conditional writes are CPU-bound (SDK and database), so more in flight only
      // queue in the HTTP agent (the SDK warns past its 50 sockets) and cost more per write.
      const limit = pLimit(IMPORT_WRITES_IN_FLIGHT);
      const claimed = await Promise.all(
        items.map(({ input }) =>
          limit(async () => {
            if (await backend.putLookup(input.emailHash, input.id, at)) return { fresh: true, existing: input.id };
            return { fresh: false, existing: (await backend.getLookup(input.emailHash)) ?? input.id };
          }),
        ),
      );
      const batch: SubscriberRecord[] = [];
      const results = await Promise.all(
        items.map(async ({ input, state }, i) => {
          const { fresh, existing } = claimed[i]!;
          if (existing !== input.id) return { subscriberId: existing, created: false };
          const record = importedRecord(input, state, at);
          // A new confirmed record goes in a batch, unconditionally. Its id is fresh and its lookup
          // just created, so the only other writer possible is a subscribe request that found the
          // lookup before the record and created it pending: the same person, whom this makes
          // confirmed as the operator attests. Any other record (an opt-out, or a lookup left by a
          // crash) is written only if absent, so nobody is made unsubscribed or suppressed by a race.
          if (fresh && state.status === 'confirmed') {
            batch.push(record);
            return { subscriberId: input.id, created: true };
          }
          return { subscriberId: input.id, created: await backend.putRecord(record, null) };
        }),
      );
      await backend.putNewRecords(batch);
      return results;
    },

    async requestConfirmation(id, choice, { requestedAt, at, notSentSince }) {
      let mail = false;
      const { outcome, record } = await mutateRecord(id, (r) => {
        mail = false;
        const s = r.subscriber;
        if ((s.status !== 'pending' && s.status !== 'unsubscribed') || !s.email) return { outcome: 'refused' };
        // Handled after a later change (an unsubscribe, another request): that change stands.
        if (requestedAt < s.updatedAt) return { outcome: 'unchanged' };
        mail = !r.lastConfirmMailAt || r.lastConfirmMailAt <= notSentSince;
        if (!mail && s.status === 'pending' && sameChoice(s, choice)) return { outcome: 'unchanged' };
        const next = pendingAgain(s, choice, requestedAt);
        return { outcome: 'changed', next: { ...leaveIndex(r), subscriber: next, ...(mail ? { lastConfirmMailAt: at } : {}) } };
      });
      return { outcome, mail: outcome === 'changed' && mail, subscriber: record?.subscriber ?? null };
    },

    resubscribe(id, choice, at) {
      return mutate(id, (r) => {
        const s = r.subscriber;
        if (s.status !== 'pending' && s.status !== 'unsubscribed') return { outcome: 'refused' };
        const next = pendingAgain(s, choice, at);
        return { outcome: 'changed', next: { ...leaveIndex(r), subscriber: next } };
      });
    },

    async claimConfirmationMail(id, at, notSentSince) {
      const outcome = await mutate(id, (r) => {
        if (r.subscriber.status !== 'pending' || !r.subscriber.email) return { outcome: 'refused' };
        if (r.lastConfirmMailAt && r.lastConfirmMailAt > notSentSince) return { outcome: 'unchanged' };
        return { outcome: 'changed', next: { ...r, lastConfirmMailAt: at } };
      });
      return outcome === 'changed';
    },

    async releaseConfirmationMail(id, at) {
      await mutate(id, (r) =>
        r.lastConfirmMailAt === at ? { outcome: 'changed', next: without(r, 'lastConfirmMailAt') } : { outcome: 'unchanged' },
      );
    },

    confirm(id, at) {
      return mutate(id, (r) => {
        const s = r.subscriber;
        if (s.status === 'confirmed') return { outcome: 'unchanged' };
        if (s.status !== 'pending' || !s.email) return { outcome: 'refused' };
        // A fresh start: frequencies held in an earlier subscription no longer say anything.
        const next: Subscriber = { ...without(s, 'frequencyHistory'), status: 'confirmed', confirmedAt: at, updatedAt: at };
        return { outcome: 'changed', next: { ...r, subscriber: next, frequencySince: at } };
      });
    },

    unsubscribe(id, at) {
      return mutate(id, (r) => {
        const s = r.subscriber;
        if (s.status === 'unsubscribed' || s.status === 'suppressed') return { outcome: 'unchanged' };
        const next: Subscriber = { ...s, status: 'unsubscribed', updatedAt: at };
        return { outcome: 'changed', next: { ...leaveIndex(r), subscriber: next } };
      });
    },

    updatePreferences(id, change, at) {
      return mutate(id, (r) => {
        const s = r.subscriber;
        if (s.status !== 'pending' && s.status !== 'confirmed') return { outcome: 'refused' };
        // Merged with the record this write is conditioned on, so a concurrent change to the other field survives.
        const choice = { topics: change.topics ?? s.topics, frequency: change.frequency ?? s.frequency };
        const sameTopics = s.topics.length === choice.topics.length && s.topics.every((t, i) => t === choice.topics[i]);
        if (sameTopics && s.frequency === choice.frequency) return { outcome: 'unchanged' };
        const switched = s.status === 'confirmed' && s.frequency !== choice.frequency;
        // The frequency left is remembered: articles ingested while it was held still go out through it.
        const left = { frequency: s.frequency, from: r.frequencySince ?? s.confirmedAt ?? at, until: at };
        const history = switched ? { frequencyHistory: [...(s.frequencyHistory ?? []), left].slice(-FREQUENCY_HISTORY_KEPT) } : {};
        const next: Subscriber = { ...s, ...history, topics: [...choice.topics], frequency: choice.frequency, updatedAt: at };
        // A new frequency re-enters the index now, so a digest run already under way does not pick them up twice.
        const since = switched ? at : r.frequencySince;
        const base = { ...leaveIndex(r), subscriber: next };
        return { outcome: 'changed', next: since ? { ...base, frequencySince: since } : base };
      });
    },

    forget(id, at) {
      return mutate(id, (r) => {
        const s = r.subscriber;
        if (s.status === 'suppressed' && s.suppressedReason === 'forgotten' && !s.email) return { outcome: 'unchanged' };
        const next: Subscriber = {
          ...without(s, 'email'),
          status: 'suppressed',
          suppressedReason: 'forgotten',
          topics: [],
          updatedAt: at,
        };
        return { outcome: 'changed', next: { ...without(leaveIndex(r), 'lastConfirmMailAt'), subscriber: next } };
      });
    },

    async suppress(id, reason, at) {
      const outcome = await mutate(id, (r) => {
        if (r.subscriber.status === 'suppressed') return { outcome: 'unchanged' };
        const next: Subscriber = { ...r.subscriber, status: 'suppressed', suppressedReason: reason, updatedAt: at };
        return { outcome: 'changed', next: { ...leaveIndex(r), subscriber: next } };
      });
      return outcome !== 'unknown';
    },

    async recordTransientBounce(id, bounceId, at) {
      let count = 0;
      let counted = false;
      await mutate(id, (r) => {
        counted = !(r.countedBounces ?? []).includes(bounceId);
        count = (r.subscriber.transientBounces ?? 0) + (counted ? 1 : 0);
        if (!counted) return { outcome: 'unchanged' };
        const next: Subscriber = { ...r.subscriber, transientBounces: count, updatedAt: at };
        const countedBounces = [...(r.countedBounces ?? []), bounceId].slice(-COUNTED_BOUNCES_KEPT);
        return { outcome: 'changed', next: { ...r, subscriber: next, countedBounces } };
      });
      return { count, counted };
    },

    async resetTransientBounces(id) {
      await mutate(id, (r) => {
        if (!r.subscriber.transientBounces) return { outcome: 'unchanged' };
        return { outcome: 'changed', next: { ...r, subscriber: without(r.subscriber, 'transientBounces') } };
      });
    },

    saveRequest(request) {
      return backend.putRequest(request, epochSeconds(Date.parse(request.requestedAt) + SUBSCRIBE_REQUEST_TTL_MS));
    },

    getRequest(id) {
      return backend.getRequest(id);
    },

    deleteRequest(id) {
      return backend.deleteRequest(id);
    },

    claimMailbox(mailbox, at, windowMs) {
      const atMs = Date.parse(at);
      return backend.claimMailbox(mailbox, at, new Date(atMs - windowMs).toISOString(), epochSeconds(atMs + windowMs));
    },

    releaseMailbox(mailbox, at) {
      return backend.releaseMailbox(mailbox, at);
    },
  };
  return store;
}
