import { describe, expect, it } from 'vitest';
import { parseKeyring } from '../../lambda/shared/signing-keys.ts';
import { createImporter, planImport, type ImportRow, type PlannedRow } from '../../lambda/shared/subscriptions/import.ts';
import { memoryRecordBackend } from '../../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriberStore, type RecordBackend } from '../../lambda/shared/subscriptions/record-store.ts';
import { emailHashes } from '../../lambda/shared/subscriptions/tokens.ts';

// The importer's rules on the in-memory store: the plan (pure), a lookup left by a crash, and the
// races with the subscribe form that happen between the importer's read and its writes, staged by a
// backend wrapper (the in-memory adapter passes the same contract suite as DynamoDB's).

const keyring = parseKeyring(JSON.stringify({ current: 'k2', k2: 'b'.repeat(43), k1: 'a'.repeat(43) }));
const OFFERED = { offeredTopics: ['world', 'asia', 'climate'], offeredFrequencies: ['immediate', 'daily', 'weekly'] as const };
const row = (line: number, email: string, extra: Partial<ImportRow> = {}): ImportRow => ({ line, email, state: 'subscribed', tags: [], ...extra });
const planned = (email: string, state: PlannedRow['state'] = 'subscribed'): PlannedRow => ({ line: 2, email, state, topics: [], frequency: 'daily' });
const hashOf = (email: string, key = 0) => emailHashes(email, keyring)[key]!.hash;

describe('planImport', () => {
  it('checks addresses, repeats in any case, topics from tags in the offered order, and frequencies', () => {
    const plan = planImport(
      [
        row(2, 'Ada@Example.com', { tags: ['Climate', 'VIP', 'asia'], frequency: 'Weekly' }),
        row(3, 'ada@example.COM'),
        row(4, 'bad(at)example.com'),
        row(5, 'bo@example.com', { frequency: 'hourly' }),
        row(6, 'cy@example.com', { state: 'unconfirmed' }),
      ],
      { confirmed: true, source: 'plain:x.csv', frequency: 'daily', ...OFFERED },
    );
    expect(plan.planned).toEqual([{ line: 2, email: 'Ada@example.com', state: 'subscribed', topics: ['asia', 'climate'], frequency: 'weekly' }]);
    expect(plan.decided.map((d) => [d.line, d.outcome])).toEqual([
      [3, 'duplicate'],
      [4, 'invalid'],
      [5, 'invalid'],
      [6, 'unconfirmed'],
    ]);
    expect(plan.ignoredTags).toEqual(new Map([['VIP', 1]]));
    for (const d of plan.decided) expect(d.reason ?? '').not.toMatch(/ada@|bad\(at\)|bo@|cy@/i);
  });

  it('gives everyone the --topics chosen, whatever their tags', () => {
    const plan = planImport([row(2, 'a@example.com', { tags: ['asia'] })], { confirmed: false, source: 's', frequency: 'daily', topics: ['world'], ...OFFERED });
    expect(plan.planned[0]?.topics).toEqual(['world']);
  });
});

describe('createImporter', () => {
  const importer = (backend: RecordBackend, confirmed = true) => {
    const store = createSubscriberStore(backend);
    return { store, importer: createImporter({ store, keyring, requests: { request: async () => {} } }, { confirmed, source: 'plain:x.csv' }) };
  };

  it('finds an address under an older signing key, and changes nothing about it', async () => {
    const backend = memoryRecordBackend();
    const { store, importer: imp } = importer(backend);
    await store.createPending({ id: 'old', email: 'ada@example.com', emailHash: hashOf('ada@example.com', 1), topics: [], frequency: 'daily' }, '2026-01-01T00:00:00.000Z');
    await store.unsubscribe('old', '2026-01-02T00:00:00.000Z');
    expect(await imp.importRows([planned('ada@example.com')])).toEqual([{ line: 2, outcome: 'unsubscribed', subscriberId: 'old' }]);
    expect(await store.get('old')).toMatchObject({ status: 'unsubscribed' });
  });

  it('completes a lookup left without its record by a crash, under the same id', async () => {
    const backend = memoryRecordBackend();
    await backend.putLookup(hashOf('ada@example.com'), 'orphan', '2026-01-01T00:00:00.000Z');
    const { store, importer: imp } = importer(backend);
    expect(await imp.importRows([planned('ada@example.com')])).toEqual([{ line: 2, outcome: 'confirmed', subscriberId: 'orphan' }]);
    expect(await store.get('orphan')).toMatchObject({ status: 'confirmed', consent: { source: 'plain:x.csv' } });
  });

  it('leaves a subscriber the form creates between its read and its write as the form made it', async () => {
    const racing = (): RecordBackend => {
      const inner = memoryRecordBackend();
      const formStore = createSubscriberStore(inner);
      let raced = false;
      return {
        ...inner,
        async putLookup(hash, id, at) {
          if (!raced) {
            raced = true;
            await formStore.createPending({ id: 'form', email: 'ada@example.com', emailHash: hash, topics: ['asia'], frequency: 'weekly' }, at);
          }
          return inner.putLookup(hash, id, at);
        },
      };
    };
    for (const state of ['subscribed', 'unsubscribed', 'bounced'] as const) {
      const { store, importer: imp } = importer(racing());
      const [result] = await imp.importRows([planned('ada@example.com', state)]);
      expect(result).toEqual({ line: 2, outcome: 'already-pending', subscriberId: 'form' });
      expect(await store.get('form')).toMatchObject({ status: 'pending', topics: ['asia'], frequency: 'weekly' });
    }
  });

  it('never makes an opt-out of someone the form recovered between the lookup and the record', async () => {
    // The form finds the importer's new lookup before its record, and creates the record itself (as after a crash).
    const inner = memoryRecordBackend();
    const formStore = createSubscriberStore(inner);
    const backend: RecordBackend = {
      ...inner,
      async putLookup(hash, id, at) {
        const ok = await inner.putLookup(hash, id, at);
        await formStore.createPending({ id, email: 'ada@example.com', emailHash: hash, topics: [], frequency: 'daily' }, at);
        return ok;
      },
    };
    const { store, importer: imp } = importer(backend);
    const [optOut] = await imp.importRows([planned('ada@example.com', 'unsubscribed')]);
    expect(optOut?.outcome).toBe('already-pending');
    expect(await store.get(optOut!.subscriberId!)).toMatchObject({ status: 'pending' });
    // An attested subscriber is made confirmed over it: one record, the same person, consent kept.
    const [confirmed] = await imp.importRows([planned('bo@example.com')]);
    expect(confirmed?.outcome).toBe('confirmed');
    expect(await store.get(confirmed!.subscriberId!)).toMatchObject({ status: 'confirmed', consent: { method: 'operator-attested' } });
  });
});
