import type { Frequency, Subscriber } from './model.ts';
import type { SubscribeRequest } from './requests.ts';
import type { SubscriberStore } from './store.ts';
import { createSubscriberStore, InvalidCursorError, type RecordBackend, type SubscriberRecord } from './record-store.ts';

/**
 * The in-memory adapter of the subscriber store: the same logic as the DynamoDB adapter over Maps, for
 * property tests and benchmarks where dynalite would be too slow. It passes the same contract suite.
 * Records are copied in and out, so callers can never mutate stored state by accident.
 */

function indexKey(record: SubscriberRecord): string | null {
  const s = record.subscriber;
  return s.status === 'confirmed' && record.frequencySince !== undefined ? `${record.frequencySince}#${s.id}` : null;
}

/** The record backend over Maps (exported so tests can inject faults around it). */
export function memoryRecordBackend(): RecordBackend {
  const records = new Map<string, SubscriberRecord>();
  const lookups = new Map<string, string>();
  const requests = new Map<string, SubscribeRequest>();
  const mailboxes = new Map<string, string>();
  return {
    async getRecord(id) {
      const r = records.get(id);
      return r ? structuredClone(r) : null;
    },
    async putRecord(record, expectedVersion) {
      const current = records.get(record.subscriber.id);
      if (expectedVersion === null ? current !== undefined : current?.version !== expectedVersion) return false;
      records.set(record.subscriber.id, structuredClone(record));
      return true;
    },
    async getLookup(emailHash) {
      return lookups.get(emailHash) ?? null;
    },
    async putLookup(emailHash, subscriberId) {
      if (lookups.has(emailHash)) return false;
      lookups.set(emailHash, subscriberId);
      return true;
    },
    async putRequest(request) {
      requests.set(request.id, structuredClone(request));
    },
    async getRequest(id) {
      const r = requests.get(id);
      return r ? structuredClone(r) : null;
    },
    async deleteRequest(id) {
      requests.delete(id);
    },
    async claimMailbox(mailbox, at, notAfter) {
      const last = mailboxes.get(mailbox);
      if (last !== undefined && last > notAfter) return false;
      mailboxes.set(mailbox, at);
      return true;
    },
    async releaseMailbox(mailbox, at) {
      if (mailboxes.get(mailbox) === at) mailboxes.delete(mailbox);
    },
    async getLookups(hashes) {
      return new Map(hashes.flatMap((h) => (lookups.has(h) ? [[h, lookups.get(h)!] as const] : [])));
    },
    async getRecords(ids) {
      return new Map(ids.flatMap((id) => (records.has(id) ? [[id, structuredClone(records.get(id)!)] as const] : [])));
    },
    async putNewRecords(list) {
      for (const record of list) records.set(record.subscriber.id, structuredClone(record));
    },
    async queryConfirmed(frequency: Frequency, { enteredBefore, enteredFrom, cursor, limit }) {
      let after = '';
      if (cursor) {
        after = Buffer.from(cursor, 'base64url').toString('utf8');
        if (!after.includes('#')) throw new InvalidCursorError('paging cursor is malformed');
      }
      const matching: { key: string; subscriber: Subscriber }[] = [];
      for (const r of records.values()) {
        const key = indexKey(r);
        if (key !== null && r.subscriber.frequency === frequency && key < enteredBefore && key >= (enteredFrom ?? '') && key > after) {
          matching.push({ key, subscriber: r.subscriber });
        }
      }
      matching.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const page = matching.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((m) => structuredClone(m.subscriber)),
        ...(matching.length > limit && last ? { cursor: Buffer.from(last.key).toString('base64url') } : {}),
      };
    },
    async scanSubscribers({ cursor, limit }) {
      const all = [...records.values()].sort((a, b) => (a.subscriber.id < b.subscriber.id ? -1 : 1));
      const start = cursor === undefined ? 0 : all.findIndex((r) => r.subscriber.id > Buffer.from(cursor, 'base64url').toString('utf8'));
      const page = start < 0 ? [] : all.slice(start, start + limit);
      const last = page[page.length - 1];
      const more = start >= 0 && start + limit < all.length;
      return { items: page.map((r) => structuredClone(r.subscriber)), ...(more && last ? { cursor: Buffer.from(last.subscriber.id).toString('base64url') } : {}) };
    },
  };
}

/** A fresh, empty in-memory subscriber store. */
export function createMemorySubscriberStore(): SubscriberStore {
  return createSubscriberStore(memoryRecordBackend());
}
