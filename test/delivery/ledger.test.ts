import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryLedger, LedgerReader, MailEventRecorder } from '../../lambda/shared/delivery/ledger.ts';
import { MemoryLedger } from '../../lambda/shared/delivery/ledger-memory.ts';
import { DynamoLedger } from '../../lambda/shared/delivery/ledger-dynamo.ts';
import { ensureTable, localDynamo, startStandins, type Standins } from '../../scripts/local/standins.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';

/** The one contract both ledger adapters must meet; run against dynalite and in memory. */
function ledgerContract(name: string, make: () => DeliveryLedger & MailEventRecorder & LedgerReader): void {
  describe(`delivery ledger contract: ${name}`, () => {
    let n = 0;
    const key = () => ({ runId: `run-${name}-${++n}`, subscriberId: `sub-${n}` });
    const T = 1_800_000_000_000;

    it('grants the first claim and refuses a second while the lease lives', async () => {
      const ledger = make();
      const k = key();
      expect(await ledger.claim(k, { claimId: 'a', now: T, leaseMs: 1_000 })).toEqual({ outcome: 'claimed', tries: 1 });
      expect(await ledger.claim(k, { claimId: 'b', now: T + 999, leaseMs: 1_000 })).toEqual({ outcome: 'leased', leaseUntil: T + 1_000 });
      expect(await ledger.claim(k, { claimId: 'b', now: T + 1_000, leaseMs: 1_000 })).toEqual({ outcome: 'leased', leaseUntil: T + 1_000 });
      expect((await ledger.get(k))?.claimId).toBe('a');
    });

    it('lets a claim be taken over once its lease has expired, and the stale holder then cannot finish', async () => {
      const ledger = make();
      const k = key();
      await ledger.claim(k, { claimId: 'a', now: T, leaseMs: 1_000 });
      expect(await ledger.claim(k, { claimId: 'b', now: T + 1_001, leaseMs: 1_000 })).toEqual({ outcome: 'claimed', tries: 2 });
      expect(await ledger.markSent(k, 'a', 'm-a', T + 1_002)).toBe(false);
      await ledger.release(k, 'a');
      expect((await ledger.get(k))?.claimId).toBe('b');
      expect(await ledger.markSent(k, 'b', 'm-b', T + 1_003)).toBe(true);
      expect(await ledger.get(k)).toMatchObject({ state: 'sent', messageId: 'm-b', ...k });
    });

    it('never claims a sent or rejected item again, however late', async () => {
      const ledger = make();
      const sent = key();
      await ledger.claim(sent, { claimId: 'a', now: T, leaseMs: 1_000 });
      expect(await ledger.markSent(sent, 'a', 'm-1', T + 1)).toBe(true);
      expect(await ledger.claim(sent, { claimId: 'b', now: T + 10 ** 9, leaseMs: 1_000 })).toEqual({ outcome: 'done', state: 'sent' });
      expect(await ledger.markSent(sent, 'a', 'm-2', T + 2)).toBe(false);
      expect((await ledger.get(sent))?.messageId).toBe('m-1');

      const rej = key();
      await ledger.claim(rej, { claimId: 'a', now: T, leaseMs: 1_000 });
      expect(await ledger.markRejected(rej, 'a', 'MessageRejected', T + 1)).toBe(true);
      expect(await ledger.claim(rej, { claimId: 'b', now: T + 10 ** 9, leaseMs: 1_000 })).toEqual({ outcome: 'done', state: 'rejected' });
      expect(await ledger.get(rej)).toMatchObject({ state: 'rejected', reason: 'MessageRejected' });
    });

    it('releases only its own claim, so a retry can claim at once', async () => {
      const ledger = make();
      const k = key();
      await ledger.claim(k, { claimId: 'a', now: T, leaseMs: 60_000 });
      await ledger.release(k, 'other');
      expect((await ledger.get(k))?.state).toBe('claimed');
      await ledger.release(k, 'a');
      expect(await ledger.get(k)).toBeNull();
      expect(await ledger.claim(k, { claimId: 'c', now: T + 1, leaseMs: 60_000 })).toEqual({ outcome: 'claimed', tries: 1 });
      // Releasing a finished item is a no-op.
      await ledger.markSent(k, 'c', 'm', T + 2);
      await ledger.release(k, 'c');
      expect((await ledger.get(k))?.state).toBe('sent');
    });

    it('keeps runs apart and finishing an unknown key fails softly', async () => {
      const ledger = make();
      const a = { runId: `r1-${name}`, subscriberId: 's' };
      const b = { runId: `r2-${name}`, subscriberId: 's' };
      await ledger.claim(a, { claimId: 'x', now: T, leaseMs: 1_000 });
      await ledger.markSent(a, 'x', 'm', T);
      expect(await ledger.claim(b, { claimId: 'y', now: T, leaseMs: 1_000 })).toEqual({ outcome: 'claimed', tries: 1 });
      expect(await ledger.markSent(key(), 'nobody', 'm', T)).toBe(false);
    });

    it('after an unknown outcome: no claim until its lease ends, then one more, then the message is given up', async () => {
      const ledger = make();
      const k = key();
      await ledger.claim(k, { claimId: 'a', now: T, leaseMs: 1_000 });
      expect(await ledger.markUnknown(k, 'other', T + 1)).toBe(false);
      expect(await ledger.markUnknown(k, 'a', T + 1)).toBe(true);
      expect(await ledger.get(k)).toMatchObject({ state: 'unknown', tries: 1, leaseUntil: T + 1_000 });
      expect(await ledger.claim(k, { claimId: 'b', now: T + 999, leaseMs: 1_000 })).toEqual({ outcome: 'leased', leaseUntil: T + 1_000 });
      expect(await ledger.claim(k, { claimId: 'b', now: T + 1_001, leaseMs: 1_000 })).toEqual({ outcome: 'claimed', tries: 2 });
      expect(await ledger.get(k)).toMatchObject({ state: 'claimed', claimId: 'b', tries: 2 });
      expect(await ledger.markUnknown(k, 'b', T + 1_002)).toBe(true);
      expect(await ledger.claim(k, { claimId: 'c', now: T + 10 ** 9, leaseMs: 1_000 })).toEqual({ outcome: 'done', state: 'unknown' });
    });

    it('counts a claim whose holder died as an unknown outcome too: two, then given up', async () => {
      const ledger = make();
      const k = key();
      await ledger.claim(k, { claimId: 'a', now: T, leaseMs: 1_000 });
      expect(await ledger.claim(k, { claimId: 'b', now: T + 1_001, leaseMs: 1_000 })).toEqual({ outcome: 'claimed', tries: 2 });
      expect(await ledger.claim(k, { claimId: 'c', now: T + 2_002, leaseMs: 1_000 })).toEqual({ outcome: 'done', state: 'unknown' });
      expect(await ledger.get(k)).toMatchObject({ state: 'unknown', tries: 2 });
      // The second holder, should it still run, can no longer change the record.
      expect(await ledger.markSent(k, 'b', 'm-b', T + 2_003)).toBe(false);
      await ledger.release(k, 'b');
      expect(await ledger.claim(k, { claimId: 'd', now: T + 10 ** 9, leaseMs: 1_000 })).toEqual({ outcome: 'done', state: 'unknown' });
    });

    it('gives a retry of an unknown outcome back as unknown, claimable at once, when it was not sent', async () => {
      const ledger = make();
      const k = key();
      await ledger.claim(k, { claimId: 'a', now: T, leaseMs: 1_000 });
      await ledger.markUnknown(k, 'a', T + 1);
      await ledger.claim(k, { claimId: 'b', now: T + 1_001, leaseMs: 60_000 });
      await ledger.release(k, 'b');
      expect(await ledger.get(k)).toMatchObject({ state: 'unknown', tries: 1 });
      expect(await ledger.claim(k, { claimId: 'c', now: T + 1_002, leaseMs: 60_000 })).toEqual({ outcome: 'claimed', tries: 2 });
      expect((await ledger.get(k))?.tries).toBe(2);
    });

    it("keeps the first bounce and complaint of a run's message on its entry: a redelivery or a later bounce changes nothing", async () => {
      const ledger = make();
      const k = key();
      const bounce = { feedbackId: 'fb-1', messageId: 'm-1', at: '2026-11-27T08:00:00.000Z', bounceType: 'Permanent' as const, bounceSubType: 'General' };
      expect(await ledger.recordMailEvent(k, { kind: 'bounce', event: bounce })).toBe('unknown'); // no entry: not this run's recipient
      expect(await ledger.get(k)).toBeNull();
      await ledger.claim(k, { claimId: 'a', now: T, leaseMs: 1_000 });
      await ledger.markSent(k, 'a', 'm-1', T + 1);
      expect(await ledger.recordMailEvent(k, { kind: 'bounce', event: bounce })).toBe('recorded');
      expect(await ledger.recordMailEvent(k, { kind: 'bounce', event: bounce })).toBe('duplicate');
      expect(await ledger.recordMailEvent(k, { kind: 'bounce', event: { ...bounce, feedbackId: 'fb-2', bounceType: 'Transient' } })).toBe('duplicate');
      const complaint = { feedbackId: 'fb-3', messageId: 'm-1', at: '2026-11-27T09:00:00.000Z' };
      expect(await ledger.recordMailEvent(k, { kind: 'complaint', event: complaint })).toBe('recorded');
      expect(await ledger.get(k)).toMatchObject({ state: 'sent', messageId: 'm-1', bounce, complaint });
      expect((await ledger.runEntries(k.runId)).map((e) => [e.bounce?.feedbackId, e.complaint?.feedbackId])).toEqual([['fb-1', 'fb-3']]);
      // Recording an event never reopens the entry for a send.
      expect(await ledger.claim(k, { claimId: 'b', now: T + 10_000, leaseMs: 1_000 })).toEqual({ outcome: 'done', state: 'sent' });
    });

    it('grants exactly one of many concurrent claims', async () => {
      const ledger = make();
      const k = key();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => ledger.claim(k, { claimId: `c${i}`, now: T, leaseMs: 1_000 })),
      );
      expect(results.filter((r) => r.outcome === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'leased')).toHaveLength(7);
    });
  });
}

ledgerContract('memory', () => new MemoryLedger());

let standins: Standins;
const TABLE = 'ledger-contract';
beforeAll(async () => {
  standins = await startStandins();
  await ensureTable(localDynamo(standins.dynamoEndpoint).client, TABLE);
});
afterAll(async () => {
  await standins?.stop();
});
ledgerContract('dynalite', () => new DynamoLedger(localDynamo(standins.dynamoEndpoint).doc, TABLE));

describe('dynamo ledger item', () => {
  it('is stored under LEDGER#<runId> with a TTL past SQS retention', async () => {
    const { doc } = localDynamo(standins.dynamoEndpoint);
    const ledger = new DynamoLedger(doc, TABLE);
    const now = 1_800_000_000_000;
    await ledger.claim({ runId: 'daily#2026-01-01', subscriberId: 'abc' }, { claimId: 'c', now, leaseMs: 1 });
    const { Item } = await doc.send(new GetCommand({ TableName: TABLE, Key: { pk: 'LEDGER#daily#2026-01-01', sk: 'SUB#abc' } }));
    expect(Item?.state).toBe('claimed');
    expect(Item?.expiresAt).toBeGreaterThan(now / 1000 + 14 * 24 * 3600);
  });
});
