import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { ensureTable, localDynamo, startStandins, type Standins } from '../../scripts/local/standins.ts';
import { createDynamoSubscriberStore } from '../../lambda/shared/subscriptions/dynamo-store.ts';
import { memoryRecordBackend } from '../../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriberStore } from '../../lambda/shared/subscriptions/record-store.ts';
import type { SubscriberStore } from '../../lambda/shared/subscriptions/store.ts';
import type { Frequency } from '../../lambda/shared/subscriptions/model.ts';

/**
 * One contract, two adapters: the DynamoDB adapter (over dynalite and the real SDK) and the in-memory
 * adapter must behave identically, so tests and benchmarks that use the fast one prove the real one.
 */

interface Harness {
  store: SubscriberStore;
  /** Write a lookup item with no subscriber behind it, as a crash between the two writes leaves. */
  orphanLookup(hash: string, id: string): Promise<void>;
}

const t = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000).toISOString();
let seq = 0;
const fresh = (frequency: Frequency = 'daily', topics: string[] = []) => {
  seq++;
  const id = `s${seq.toString().padStart(4, '0')}${randomUUID().slice(0, 8)}`;
  return { id, email: `reader${seq}@example.org`, emailHash: `k1:hash-${id}`, topics, frequency };
};

async function all(store: SubscriberStore, frequency: Frequency, enteredBefore: string, limit = 100) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.listConfirmed(frequency, { enteredBefore, limit, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((s) => s.id));
    cursor = page.cursor;
    pages++;
  } while (cursor && pages < 1000);
  return { ids, pages };
}

function contract(name: string, make: () => Promise<Harness>) {
  describe(`subscriber store contract: ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await make();
    });

    it('creates one pending subscriber per address hash', async () => {
      const a = fresh('weekly', ['asia']);
      expect(await h.store.createPending(a, t(0))).toMatchObject({ subscriberId: a.id, created: true, subscriber: { id: a.id } });
      const s = await h.store.get(a.id);
      expect(s).toMatchObject({ id: a.id, email: a.email, status: 'pending', topics: ['asia'], frequency: 'weekly', createdAt: t(0) });
      expect(await h.store.findByEmailHash(['k1:nope', a.emailHash])).toMatchObject({ subscriberId: a.id, emailHash: a.emailHash, subscriber: { id: a.id } });
      const rival = { ...fresh(), emailHash: a.emailHash };
      expect(await h.store.createPending(rival, t(1))).toEqual({ subscriberId: a.id, created: false });
      expect(await h.store.get(rival.id)).toBeNull();
      expect(await h.store.findByEmailHash(['k1:unknown'])).toBeNull();
    });

    it('heals a lookup left without its subscriber by a crash', async () => {
      const a = fresh();
      await h.orphanLookup(a.emailHash, a.id);
      expect(await h.store.findByEmailHash([a.emailHash])).toEqual({ subscriberId: a.id, emailHash: a.emailHash, subscriber: null });
      expect(await h.store.createPending(a, t(2))).toMatchObject({ subscriberId: a.id, created: true });
      expect((await h.store.get(a.id))?.status).toBe('pending');
    });

    it('confirms idempotently and refuses to confirm an unsubscribed or unknown subscriber', async () => {
      const a = fresh();
      await h.store.createPending(a, t(0));
      expect(await h.store.confirm(a.id, t(5))).toBe('changed');
      expect(await h.store.confirm(a.id, t(6))).toBe('unchanged');
      expect(await h.store.get(a.id)).toMatchObject({ status: 'confirmed', confirmedAt: t(5) });
      expect(await h.store.unsubscribe(a.id, t(7))).toBe('changed');
      expect(await h.store.confirm(a.id, t(8))).toBe('refused');
      expect(await h.store.confirm('no-such-id', t(8))).toBe('unknown');
    });

    it('pages confirmed subscribers of one frequency by entry time, exactly once each', async () => {
      const freq: Frequency = 'immediate';
      const before = (await all(h.store, freq, t(10_000))).ids;
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        const a = fresh(freq);
        await h.store.createPending(a, t(100));
        await h.store.confirm(a.id, t(200 + i));
        made.push(a.id);
      }
      const pending = fresh(freq);
      await h.store.createPending(pending, t(100));
      const other = fresh('weekly');
      await h.store.createPending(other, t(100));
      await h.store.confirm(other.id, t(201));

      const { ids, pages } = await all(h.store, freq, t(10_000), 2);
      expect(ids.filter((id) => !before.includes(id))).toEqual(made);
      expect(pages).toBe(Math.ceil((before.length + 7) / 2));
      // Fixed audience: only those who entered strictly before the run started.
      const early = (await all(h.store, freq, t(203))).ids.filter((id) => made.includes(id));
      expect(early).toEqual(made.slice(0, 3));
      const exact = await h.store.listConfirmed(freq, { enteredBefore: t(10_000), limit: before.length + 7 });
      expect(exact.cursor).toBeUndefined();
    });

    it('unsubscribe leaves the index, is idempotent, and resubscribing starts pending again', async () => {
      const a = fresh('daily', ['world']);
      await h.store.createPending(a, t(0));
      await h.store.confirm(a.id, t(1));
      expect((await all(h.store, 'daily', t(9_999))).ids).toContain(a.id);
      expect(await h.store.unsubscribe(a.id, t(2))).toBe('changed');
      expect(await h.store.unsubscribe(a.id, t(3))).toBe('unchanged');
      expect((await all(h.store, 'daily', t(9_999))).ids).not.toContain(a.id);
      expect(await h.store.resubscribe(a.id, { topics: ['asia'], frequency: 'weekly' }, t(4))).toBe('changed');
      const s = await h.store.get(a.id);
      expect(s).toMatchObject({ status: 'pending', topics: ['asia'], frequency: 'weekly' });
      expect(s?.confirmedAt).toBeUndefined();
      await h.store.confirm(a.id, t(5));
      expect(await h.store.resubscribe(a.id, { topics: [], frequency: 'daily' }, t(6))).toBe('refused');
    });

    it('a frequency change re-enters the index at the change time', async () => {
      const a = fresh('daily');
      await h.store.createPending(a, t(0));
      await h.store.confirm(a.id, t(1));
      expect(await h.store.updatePreferences(a.id, { topics: ['asia'], frequency: 'daily' }, t(2))).toBe('changed');
      expect(await h.store.updatePreferences(a.id, { topics: ['asia'], frequency: 'daily' }, t(3))).toBe('unchanged');
      expect((await all(h.store, 'daily', t(2))).ids).toContain(a.id); // topic change keeps the entry time
      expect(await h.store.updatePreferences(a.id, { topics: ['asia'], frequency: 'weekly' }, t(50))).toBe('changed');
      expect((await all(h.store, 'daily', t(9_999))).ids).not.toContain(a.id);
      expect((await all(h.store, 'weekly', t(50))).ids).not.toContain(a.id);
      expect((await all(h.store, 'weekly', t(51))).ids).toContain(a.id);
      await h.store.unsubscribe(a.id, t(60));
      expect(await h.store.updatePreferences(a.id, { topics: [], frequency: 'daily' }, t(61))).toBe('refused');
    });

    it('remembers the frequencies a subscriber left, and lists those who entered one from a given time', async () => {
      const a = fresh('daily');
      await h.store.createPending(a, t(0));
      await h.store.confirm(a.id, t(1));
      await h.store.updatePreferences(a.id, { topics: ['asia'] }, t(2)); // a topic change is not a frequency change
      await h.store.updatePreferences(a.id, { frequency: 'immediate' }, t(10));
      await h.store.updatePreferences(a.id, { frequency: 'weekly' }, t(20));
      expect((await h.store.get(a.id))?.frequencyHistory).toEqual([
        { frequency: 'daily', from: t(1), until: t(10) },
        { frequency: 'immediate', from: t(10), until: t(20) },
      ]);
      const since = async (from: string) =>
        (await h.store.listConfirmed('weekly', { enteredFrom: from, enteredBefore: t(9_999), limit: 100 })).items.map((x) => x.id);
      expect(await since(t(20))).toContain(a.id);
      expect(await since(t(21))).not.toContain(a.id);
      // A new subscription after an unsubscribe starts without the old history.
      await h.store.unsubscribe(a.id, t(30));
      await h.store.resubscribe(a.id, { topics: [], frequency: 'daily' }, t(31));
      await h.store.confirm(a.id, t(32));
      expect((await h.store.get(a.id))?.frequencyHistory).toBeUndefined();
    });

    it('merges a partial preferences change with the stored record, so concurrent changes to each field both hold', async () => {
      const a = fresh('daily');
      await h.store.createPending(a, t(0));
      await h.store.confirm(a.id, t(1));
      const outcomes = await Promise.all([
        h.store.updatePreferences(a.id, { topics: ['asia'] }, t(2)),
        h.store.updatePreferences(a.id, { frequency: 'weekly' }, t(2)),
      ]);
      expect(outcomes).toEqual(['changed', 'changed']);
      expect(await h.store.get(a.id)).toMatchObject({ topics: ['asia'], frequency: 'weekly' });
      expect(await h.store.updatePreferences('no-such-id', { topics: [] }, t(3))).toBe('unknown');
    });

    it('forget erases the address but keeps the hash, so the address stays known and suppressed', async () => {
      const a = fresh();
      await h.store.createPending(a, t(0));
      await h.store.confirm(a.id, t(1));
      expect(await h.store.forget(a.id, t(2))).toBe('changed');
      expect(await h.store.forget(a.id, t(3))).toBe('unchanged');
      const s = await h.store.get(a.id);
      expect(s).toMatchObject({ status: 'suppressed', suppressedReason: 'forgotten', topics: [] });
      expect(s?.email).toBeUndefined();
      expect((await h.store.findByEmailHash([a.emailHash]))?.subscriber?.status).toBe('suppressed');
      expect((await all(h.store, 'daily', t(9_999))).ids).not.toContain(a.id);
      expect(await h.store.claimConfirmationMail(a.id, t(100), t(90))).toBe(false);
    });

    it('suppresses idempotently, keeps the first reason, and reports unknown ids', async () => {
      const a = fresh();
      await h.store.createPending(a, t(0));
      await h.store.confirm(a.id, t(1));
      expect(await h.store.suppress(a.id, 'complaint', t(2))).toBe(true);
      expect(await h.store.suppress(a.id, 'bounce', t(3))).toBe(true);
      expect(await h.store.get(a.id)).toMatchObject({ status: 'suppressed', suppressedReason: 'complaint' });
      expect((await all(h.store, 'daily', t(9_999))).ids).not.toContain(a.id);
      expect(await h.store.suppress('no-such-id', 'bounce', t(2))).toBe(false);
      expect(await h.store.unsubscribe(a.id, t(4))).toBe('unchanged');
      expect((await h.store.get(a.id))?.status).toBe('suppressed');
    });

    it('counts consecutive transient bounces and resets them, even under concurrent writers', async () => {
      const a = fresh();
      await h.store.createPending(a, t(0));
      expect(await h.store.recordTransientBounce(a.id, 'fb1', t(1))).toEqual({ count: 1, counted: true });
      expect(await h.store.recordTransientBounce(a.id, 'fb2', t(2))).toEqual({ count: 2, counted: true });
      expect(await h.store.recordTransientBounce(a.id, 'fb2', t(2))).toEqual({ count: 2, counted: false });
      await h.store.resetTransientBounces(a.id);
      expect(await h.store.recordTransientBounce(a.id, 'fb3', t(3))).toEqual({ count: 1, counted: true });
      // A bounce redelivered after the reset is still not counted again.
      expect(await h.store.recordTransientBounce(a.id, 'fb2', t(4))).toEqual({ count: 1, counted: false });
      await h.store.resetTransientBounces(a.id);
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => h.store.recordTransientBounce(a.id, `c${i}`, t(10 + i))));
      expect(results.map((r) => r.count).sort()).toEqual([1, 2, 3, 4, 5, 6]);
      expect((await h.store.get(a.id))?.transientBounces).toBe(6);
      // The same bounce from concurrent redeliveries is counted once.
      const same = await Promise.all(Array.from({ length: 4 }, () => h.store.recordTransientBounce(a.id, 'dup', t(20))));
      expect(same.filter((r) => r.counted)).toHaveLength(1);
      expect((await h.store.get(a.id))?.transientBounces).toBe(7);
      expect(await h.store.recordTransientBounce('no-such-id', 'fb', t(1))).toEqual({ count: 0, counted: false });
    });

    it('allows one confirmation mail per window, and a released claim can be retried', async () => {
      const a = fresh();
      await h.store.createPending(a, t(0));
      expect(await h.store.claimConfirmationMail(a.id, t(0), t(-10))).toBe(true);
      expect(await h.store.claimConfirmationMail(a.id, t(5), t(-5))).toBe(false);
      expect(await h.store.claimConfirmationMail(a.id, t(11), t(1))).toBe(true);
      await h.store.releaseConfirmationMail(a.id, t(11));
      expect(await h.store.claimConfirmationMail(a.id, t(12), t(2))).toBe(true);
      const racers = await Promise.all(Array.from({ length: 5 }, () => h.store.claimConfirmationMail(a.id, t(30), t(20))));
      expect(racers.filter(Boolean)).toHaveLength(1);
      await h.store.confirm(a.id, t(40));
      expect(await h.store.claimConfirmationMail(a.id, t(100), t(90))).toBe(false);
    });

    it('createPending can claim the first confirmation mail; requestConfirmation re-claims after the window', async () => {
      const a = fresh('daily', ['world']);
      const times = (requested: number, at = requested, window = 10) => ({ requestedAt: t(requested), at: t(at), notSentSince: t(at - window) });
      const created = await h.store.createPending(a, t(0), { claimConfirmationMailAt: t(0) });
      expect(created).toMatchObject({ created: true, subscriber: { id: a.id, status: 'pending' } });
      expect(await h.store.claimConfirmationMail(a.id, t(5), t(-5))).toBe(false);
      const early = await h.store.requestConfirmation(a.id, { topics: ['asia'], frequency: 'weekly' }, times(5));
      expect(early).toMatchObject({ outcome: 'changed', mail: false, subscriber: { topics: ['asia'], frequency: 'weekly', updatedAt: t(5) } });
      const late = await h.store.requestConfirmation(a.id, { topics: [], frequency: 'daily' }, times(11));
      expect(late).toMatchObject({ outcome: 'changed', mail: true, subscriber: { status: 'pending', topics: [] } });
      const racers = await Promise.all(Array.from({ length: 4 }, () => h.store.requestConfirmation(a.id, { topics: [], frequency: 'daily' }, times(30))));
      expect(racers.filter((r) => r.mail)).toHaveLength(1);
      await h.store.confirm(a.id, t(40));
      expect(await h.store.requestConfirmation(a.id, { topics: [], frequency: 'daily' }, times(100))).toMatchObject({ outcome: 'refused', mail: false });
      await h.store.unsubscribe(a.id, t(101));
      const back = await h.store.requestConfirmation(a.id, { topics: ['asia'], frequency: 'daily' }, times(102));
      expect(back).toMatchObject({ outcome: 'changed', mail: true, subscriber: { status: 'pending' } });
      expect((await all(h.store, 'daily', t(9_999))).ids).not.toContain(a.id);
      expect(await h.store.requestConfirmation('no-such-id', { topics: [], frequency: 'daily' }, times(1))).toMatchObject({ outcome: 'unknown', mail: false });
    });

    it('requestConfirmation: a request older than the last change changes nothing; a repeat inside the window writes nothing', async () => {
      const a = fresh('daily', ['world']);
      await h.store.createPending(a, t(0), { claimConfirmationMailAt: t(0) });
      await h.store.confirm(a.id, t(1));
      await h.store.unsubscribe(a.id, t(20));
      // Subscribed at t(10), handled after the unsubscribe at t(20): the unsubscribe stands, nothing is mailed.
      const stale = await h.store.requestConfirmation(a.id, { topics: [], frequency: 'daily' }, { requestedAt: t(10), at: t(30), notSentSince: t(20) });
      expect(stale).toMatchObject({ outcome: 'unchanged', mail: false, subscriber: { status: 'unsubscribed' } });
      // A later request does bring them back.
      const later = await h.store.requestConfirmation(a.id, { topics: [], frequency: 'daily' }, { requestedAt: t(25), at: t(30), notSentSince: t(20) });
      expect(later).toMatchObject({ outcome: 'changed', mail: true, subscriber: { status: 'pending', updatedAt: t(25) } });
      // The same choice again inside the window: unchanged, and the record keeps its version.
      const before = await h.store.get(a.id);
      const repeat = await h.store.requestConfirmation(a.id, { topics: [], frequency: 'daily' }, { requestedAt: t(26), at: t(31), notSentSince: t(21) });
      expect(repeat).toMatchObject({ outcome: 'unchanged', mail: false });
      expect(await h.store.get(a.id)).toEqual(before);
    });

    it('keeps subscribe requests until deleted', async () => {
      const request = { id: `r${randomUUID().slice(0, 8)}`, email: 'Req.Reader@example.org', topics: ['asia'], frequency: 'weekly' as const, requestedAt: t(3) };
      expect(await h.store.getRequest(request.id)).toBeNull();
      await h.store.saveRequest(request);
      expect(await h.store.getRequest(request.id)).toEqual(request);
      await h.store.deleteRequest(request.id);
      expect(await h.store.getRequest(request.id)).toBeNull();
      await h.store.deleteRequest(request.id);
    });

    it('allows one confirmation mail per mailbox per window; a released claim can be made again', async () => {
      const box = `k1:box-${randomUUID().slice(0, 8)}`;
      const window = 10 * 60_000;
      expect(await h.store.claimMailbox(box, t(0), window)).toBe(true);
      expect(await h.store.claimMailbox(box, t(9), window)).toBe(false);
      expect(await h.store.claimMailbox(box, t(10), window)).toBe(true);
      await h.store.releaseMailbox(box, t(3)); // not the standing claim: nothing happens
      expect(await h.store.claimMailbox(box, t(11), window)).toBe(false);
      await h.store.releaseMailbox(box, t(10));
      expect(await h.store.claimMailbox(box, t(11), window)).toBe(true);
      const racers = await Promise.all(Array.from({ length: 5 }, () => h.store.claimMailbox(box, t(30), window)));
      expect(racers.filter(Boolean)).toHaveLength(1);
    });

    it('racing confirm and unsubscribe end in one consistent state', async () => {
      const a = fresh();
      await h.store.createPending(a, t(0));
      const [c, u] = await Promise.all([h.store.confirm(a.id, t(1)), h.store.unsubscribe(a.id, t(1))]);
      const s = await h.store.get(a.id);
      const listed = (await all(h.store, 'daily', t(9_999))).ids.includes(a.id);
      // Whichever wins, unsubscribe is never lost: confirm cannot leave the unsubscribed state.
      expect(['changed', 'refused']).toContain(c);
      expect(u).toBe('changed');
      expect(s?.status).toBe('unsubscribed');
      expect(listed).toBe(false);
    });

    it('creates an imported subscriber confirmed with its consent, in the index from the import on', async () => {
      const a = fresh('weekly', ['asia']);
      const consent = { method: 'operator-attested' as const, source: 'mailchimp:members.csv', attestedAt: t(500), sourceOptInAt: t(-9000) };
      expect(await h.store.createImportedMany([{ input: a, state: { status: 'confirmed', consent } }], t(500))).toEqual([{ subscriberId: a.id, created: true }]);
      expect(await h.store.get(a.id)).toMatchObject({ id: a.id, email: a.email, status: 'confirmed', confirmedAt: t(500), topics: ['asia'], consent });
      expect((await all(h.store, 'weekly', t(501))).ids).toContain(a.id);
      expect((await all(h.store, 'weekly', t(500))).ids).not.toContain(a.id);
      // The address is taken now: a rival import or subscribe gets the first one's id and creates nothing.
      const rival = { ...fresh(), emailHash: a.emailHash };
      expect(await h.store.createImportedMany([{ input: rival, state: { status: 'unsubscribed' } }], t(501))).toEqual([{ subscriberId: a.id, created: false }]);
      expect(await h.store.createPending(rival, t(501))).toEqual({ subscriberId: a.id, created: false });
      expect(await h.store.get(rival.id)).toBeNull();
    });

    it('records an opt-out at the source as unsubscribed or suppressed, out of the index', async () => {
      const u = fresh();
      const b = fresh();
      await h.store.createImportedMany(
        [
          { input: u, state: { status: 'unsubscribed' } },
          { input: b, state: { status: 'suppressed', reason: 'import:bounced' } },
        ],
        t(600),
      );
      expect(await h.store.get(u.id)).toMatchObject({ status: 'unsubscribed', email: u.email });
      expect(await h.store.get(b.id)).toMatchObject({ status: 'suppressed', suppressedReason: 'import:bounced' });
      const listed = (await all(h.store, 'daily', t(10_000))).ids;
      expect(listed).not.toContain(u.id);
      expect(listed).not.toContain(b.id);
      expect(await h.store.confirm(b.id, t(601))).toBe('refused');
    });

    it('creates many imported at once: new confirmed in batches, opt-outs, an address already taken', async () => {
      const taken = fresh();
      await h.store.createPending(taken, t(800));
      const consent = { method: 'operator-attested' as const, source: 'plain:list.csv', attestedAt: t(801) };
      const news = Array.from({ length: 60 }, () => fresh('daily'));
      const items = [
        ...news.map((input) => ({ input, state: { status: 'confirmed' as const, consent } })),
        { input: { ...fresh(), emailHash: taken.emailHash }, state: { status: 'confirmed' as const, consent } },
        { input: fresh(), state: { status: 'suppressed' as const, reason: 'import:complained' } },
      ];
      const results = await h.store.createImportedMany(items, t(801));
      expect(results.slice(0, 60)).toEqual(news.map((n) => ({ subscriberId: n.id, created: true })));
      expect(results[60]).toEqual({ subscriberId: taken.id, created: false });
      expect(results[61]?.created).toBe(true);
      expect(await h.store.get(taken.id)).toMatchObject({ status: 'pending' });
      const listed = (await all(h.store, 'daily', t(802))).ids;
      for (const n of news) expect(listed).toContain(n.id);
      expect(await h.store.get(items[61]!.input.id)).toMatchObject({ status: 'suppressed', suppressedReason: 'import:complained' });

      const found = await h.store.findManyByEmailHash([news[0]!.emailHash, taken.emailHash, 'k1:nobody', news[59]!.emailHash]);
      expect(found.size).toBe(3);
      expect(found.get(news[59]!.emailHash)).toMatchObject({ subscriberId: news[59]!.id, subscriber: { status: 'confirmed', consent } });
      expect(found.get(taken.emailHash)?.subscriber?.status).toBe('pending');
      expect(found.has('k1:nobody')).toBe(false);
      // Many keys at once, beyond one BatchGetItem call.
      expect((await h.store.findManyByEmailHash(news.flatMap((n) => [n.emailHash, n.emailHash, `${n.emailHash}x`]))).size).toBe(60);
    });

    it('lists every subscriber, in every state, page by page', async () => {
      const ids = new Set<string>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await h.store.listAll({ limit: 7, ...(cursor ? { cursor } : {}) });
        for (const s of page.items) ids.add(s.id);
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 1000);
      const a = fresh();
      expect(ids.has(a.id)).toBe(false);
      await h.store.createPending(a, t(700));
      const again: string[] = [];
      cursor = undefined;
      do {
        const page = await h.store.listAll({ limit: 50, ...(cursor ? { cursor } : {}) });
        again.push(...page.items.map((s) => s.id));
        cursor = page.cursor;
      } while (cursor);
      expect(again).toContain(a.id);
      expect(again.length).toBe(ids.size + 1);
      expect(new Set(again).size).toBe(again.length);
      expect(pages).toBeGreaterThan(1);
    });
  });
}

let standins: Standins;
beforeAll(async () => {
  standins = await startStandins();
});
afterAll(async () => {
  await standins?.stop();
});

contract('DynamoDB (dynalite)', async () => {
  const { client } = localDynamo(standins.dynamoEndpoint);
  // A plain document client (no removeUndefinedValues): the adapter must not depend on that option.
  const doc = DynamoDBDocumentClient.from(client);
  const tableName = `subs-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  return {
    store: createDynamoSubscriberStore({ doc, tableName }),
    async orphanLookup(hash, id) {
      await doc.send(new PutCommand({ TableName: tableName, Item: { pk: `EMAIL#${hash}`, sk: 'EMAIL', subscriberId: id } }));
    },
  };
});

contract('in-memory', async () => {
  const backend = memoryRecordBackend();
  return {
    store: createSubscriberStore(backend),
    async orphanLookup(hash, id) {
      await backend.putLookup(hash, id, t(0));
    },
  };
});
