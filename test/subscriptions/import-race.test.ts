import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { silentLog } from '../../lambda/shared/logger.ts';
import { createConfirmationWorker } from '../../lambda/shared/subscriptions/confirmations.ts';
import { createDynamoSubscriberStore } from '../../lambda/shared/subscriptions/dynamo-store.ts';
import { createImporter, type PlannedRow } from '../../lambda/shared/subscriptions/import.ts';
import { randomSubscriberId } from '../../lambda/shared/subscriptions/service.ts';
import { emailHashes } from '../../lambda/shared/subscriptions/tokens.ts';
import { ensureTable, localDynamo, startStandins, type Standins } from '../../scripts/local/standins.ts';
import { composer, keyring, PUBLIC_URL, recordingMailer } from './harness.ts';

// The import racing the subscribe form for the same addresses, on dynalite, with nothing staged: the
// importer's batches and the confirmation worker's requests run at once and interleave as they will.
// Whatever the order, each address ends as exactly one subscriber, its lookup points to it, and what
// the import reports for a row is what the record says.

let standins: Standins;
const tableName = 'import-race';

beforeAll(async () => {
  standins = await startStandins();
  await ensureTable(localDynamo(standins.dynamoEndpoint).client, tableName);
});
afterAll(async () => {
  await standins?.stop();
});

describe('subscribers import racing the subscribe form (dynalite)', () => {
  it('leaves one subscriber per address, in the state the import reports, whoever comes first', async () => {
    const { doc } = localDynamo(standins.dynamoEndpoint);
    const store = createDynamoSubscriberStore({ doc, tableName });
    const worker = createConfirmationWorker({ store, mailer: recordingMailer(), composer, keyring, publicUrl: PUBLIC_URL, log: silentLog });
    const importer = createImporter({ store, keyring }, { confirmed: true, source: 'plain:race.csv' });

    const addresses = Array.from({ length: 90 }, (_, i) => `racer${i}@example.com`);
    // Every third row an opt-out at the source: the import must never make the form's subscriber unsubscribed.
    const rows: PlannedRow[] = addresses.map((email, i) => ({ line: i + 2, email, state: i % 3 === 2 ? 'unsubscribed' : 'subscribed', topics: [], frequency: 'daily' }));
    const requests = addresses.map((email) => ({ id: randomSubscriberId(), email, topics: ['asia'], frequency: 'weekly' as const, requestedAt: new Date().toISOString() }));
    for (const request of requests) await store.saveRequest(request);

    // Batches of 3 rows, each started with its requests, the one side or the other a few ms late, so
    // both sides' reads and writes overlap (the worker alone takes a few ms before its first write).
    const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const imported = (
      await Promise.all(
        Array.from({ length: rows.length / 3 }, async (_, b) => {
          const [results] = await Promise.all([
            later((b % 4) * 5).then(() => importer.importRows(rows.slice(b * 3, b * 3 + 3))),
            ...requests.slice(b * 3, b * 3 + 3).map((request, j) => later(((b + j) % 3) * 2).then(() => worker.handle(request.id))),
          ]);
          return results;
        }),
      )
    ).flat();

    const out = await doc.send(new ScanCommand({ TableName: tableName, FilterExpression: 'sk = :sub', ExpressionAttributeValues: { ':sub': 'SUB' } }));
    const byEmail = new Map<string, Record<string, unknown>[]>();
    for (const item of out.Items ?? []) byEmail.set(String(item.email), [...(byEmail.get(String(item.email)) ?? []), item]);
    for (const [i, email] of addresses.entries()) {
      const records = byEmail.get(email) ?? [];
      expect(records, email).toHaveLength(1);
      const record = records[0]!;
      const found = await store.findByEmailHash(emailHashes(email, keyring).map((h) => h.hash));
      expect(found?.subscriberId, email).toBe(record.id);

      const result = imported.find((r) => r.line === i + 2)!;
      expect(result.subscriberId, email).toBe(record.id);
      if (result.outcome === 'confirmed') expect(record).toMatchObject({ status: 'confirmed', consent: { source: 'plain:race.csv' } });
      else if (result.outcome === 'opted-out') expect(record.status).toBe('unsubscribed');
      else {
        // The form got there first: its pending subscriber stands, with the reader's own choice.
        expect(result.outcome, email).toBe('already-pending');
        expect(record).toMatchObject({ status: 'pending', topics: ['asia'], frequency: 'weekly' });
      }
    }
  });
});
