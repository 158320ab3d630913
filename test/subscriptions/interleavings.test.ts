import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../lambda/shared/mailer.ts';
import { FREQUENCIES, type Frequency, type Subscriber } from '../../lambda/shared/subscriptions/model.ts';
import { CONFIRM_MAIL_INTERVAL_MS } from '../../lambda/shared/subscriptions/service.ts';
import { emailHashes, signToken } from '../../lambda/shared/subscriptions/tokens.ts';
import { mailboxOf, normaliseEmail } from '../../lambda/shared/subscriptions/validation.ts';
import { event, harness, keyring, linkIn, subscribeJson, TOPICS } from './harness.ts';

/**
 * Random interleavings of subscribe, the confirmation worker draining its queue, confirm (GET and
 * POST), unsubscribe, forget and time passing, over a few addresses that share spellings and a mailbox.
 * After every step: every response is 2xx or 4xx; a GET changed nothing; the store is valid (one
 * subscriber per address, statuses and the byFrequency index consistent, a forgotten address erased);
 * each address is in the state a simple model of the rules predicts; and no address or mailbox got
 * two confirmation mails within a window.
 */

const ADDRESSES = ['ann@example.org', 'Ann@EXAMPLE.org', 'ann+news@example.org', 'bob@example.org'];
const canonical = (email: string) => (normaliseEmail(email) as { email: string }).email.toLowerCase();

type ModelState = { status: 'pending' | 'confirmed' | 'unsubscribed' | 'forgotten'; since: string } | undefined;

const action = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('subscribe' as const), address: fc.nat(ADDRESSES.length - 1), topics: fc.subarray(TOPICS), frequency: fc.constantFrom(...FREQUENCIES) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('drain' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('confirm-get' as const, 'confirm-post' as const), mail: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('unsubscribe' as const, 'forget' as const), address: fc.nat(ADDRESSES.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), minutes: fc.oneof(fc.nat(12), fc.constant(8 * 24 * 60)) }) },
);

async function snapshot(h: ReturnType<typeof harness>): Promise<string> {
  const subscribers = await Promise.all(ADDRESSES.map((a) => h.store.findByEmailHash(emailHashes(a, keyring).map((x) => x.hash))));
  return JSON.stringify(subscribers);
}

describe('random interleavings of subscribe, confirm, unsubscribe and forget', () => {
  it('keep every answer below 500, the store valid, the model true and the mail limits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 30 }), async (actions) => {
        const h = harness();
        const sentAt: { message: OutgoingMessage; at: number }[] = [];
        const model = new Map<string, ModelState>();
        /** Requests queued and not yet handled, in order (the in-process queue hands them out in order). */
        const queued: { address: string; at: string }[] = [];

        const apply = (address: string, requestedAt: string) => {
          const key = canonical(address);
          const m = model.get(key);
          if (m === undefined) model.set(key, { status: 'pending', since: requestedAt });
          else if (m.status === 'unsubscribed' && requestedAt >= m.since) model.set(key, { status: 'pending', since: requestedAt });
        };

        for (const a of actions) {
          const now = h.clock.now.toISOString();
          if (a.kind === 'subscribe') {
            const res = await h.api(subscribeJson({ email: ADDRESSES[a.address], topics: a.topics, frequency: a.frequency }));
            expect(res.statusCode).toBe(202);
            queued.push({ address: ADDRESSES[a.address] as string, at: now });
          } else if (a.kind === 'drain') {
            const before = h.mailer.sent.length;
            await h.drain();
            for (const q of queued.splice(0)) apply(q.address, q.at);
            for (const message of h.mailer.sent.slice(before)) sentAt.push({ message, at: h.clock.now.getTime() });
            expect(h.queue.deadLetters).toEqual([]);
          } else if (a.kind === 'confirm-get' || a.kind === 'confirm-post') {
            const mail = h.mailer.sent[a.mail % Math.max(1, h.mailer.sent.length)];
            if (!mail) continue;
            const token = linkIn(mail.raw, 'confirm');
            const before = await snapshot(h);
            const res = await h.api(event(a.kind === 'confirm-get' ? 'GET' : 'POST', `/confirm?token=${token}`, { accept: 'application/json' }));
            expect([200, 410]).toContain(res.statusCode);
            if (a.kind === 'confirm-get') expect(await snapshot(h)).toBe(before);
            else if (res.statusCode === 200) {
              const key = canonical(mail.to);
              const m = model.get(key);
              expect(m?.status === 'pending' || m?.status === 'confirmed').toBe(true);
              if (m?.status === 'pending') model.set(key, { status: 'confirmed', since: now });
            }
          } else if (a.kind === 'unsubscribe' || a.kind === 'forget') {
            const found = await h.store.findByEmailHash(emailHashes(ADDRESSES[a.address] as string, keyring).map((x) => x.hash));
            if (!found) continue;
            const purpose = a.kind;
            const res = await h.api(event('POST', `/${purpose}?token=${signToken(found.subscriberId, purpose, keyring, h.clock.now)}`, { accept: 'application/json' }));
            expect(res.statusCode).toBe(200);
            const key = canonical(ADDRESSES[a.address] as string);
            const m = model.get(key);
            if (purpose === 'forget') model.set(key, { status: 'forgotten', since: now });
            else if (m && (m.status === 'pending' || m.status === 'confirmed')) model.set(key, { status: 'unsubscribed', since: now });
          } else if (a.kind === 'wait') {
            h.advance(a.minutes * 60_000);
          }
          h.advance(1_000); // time passes between any two steps

          // The store: one subscriber per address, in the model's state, with consistent fields and index.
          const confirmed: Subscriber[] = [];
          for (const address of ADDRESSES) {
            const found = await h.store.findByEmailHash(emailHashes(address, keyring).map((x) => x.hash));
            const m = model.get(canonical(address));
            if (!m) {
              expect(found).toBeNull();
              continue;
            }
            const s = found?.subscriber;
            expect(s, address).toBeTruthy();
            if (!s) continue;
            if (m.status === 'forgotten') {
              expect(s).toMatchObject({ status: 'suppressed', suppressedReason: 'forgotten', topics: [] });
              expect(s.email).toBeUndefined();
            } else {
              expect(s.status).toBe(m.status);
              expect(canonical(s.email ?? '')).toBe(canonical(address));
              // Confirmed means confirmed once; back to pending means not confirmed (an unsubscribe keeps the history).
              if (s.status === 'confirmed') expect(s.confirmedAt).toBeDefined();
              if (s.status === 'pending') expect(s.confirmedAt).toBeUndefined();
            }
            if (s.status === 'confirmed' && !confirmed.some((c) => c.id === s.id)) confirmed.push(s);
          }
          for (const frequency of FREQUENCIES as readonly Frequency[]) {
            const listed = await h.store.listConfirmed(frequency, { enteredBefore: '9999', limit: 50 });
            expect(listed.items.map((s) => s.id).sort()).toEqual(confirmed.filter((s) => s.frequency === frequency).map((s) => s.id).sort());
          }
        }

        // Mail: only to addresses that were subscribed; at most one per address, and per mailbox, per window.
        for (const [i, a] of sentAt.entries()) {
          for (const b of sentAt.slice(i + 1)) {
            if (b.at - a.at >= CONFIRM_MAIL_INTERVAL_MS) continue;
            expect(mailboxOf(canonical(b.message.to))).not.toBe(mailboxOf(canonical(a.message.to)));
          }
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300), seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );
  }, 120_000);
});
