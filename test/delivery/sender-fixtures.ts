/**
 * The world of the sender's integration tests: dynalite and the SES emulator through the real SDK, a
 * folder as the issues archive (S3 has no stand-in), a rendered issue to send and subscribers in the
 * real store. Each test file starts its own world on its own table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import type { Brief } from '../../lambda/shared/article/model.ts';
import { FolderBlobStore } from '../../lambda/shared/delivery/folder-blobs.ts';
import { selectionKey, writeIssue } from '../../lambda/shared/delivery/issue.ts';
import type { SendJob } from '../../lambda/shared/delivery/ports.ts';
import { renderDigest } from '../../lambda/shared/email/render.ts';
import { createDynamoSubscriberStore } from '../../lambda/shared/subscriptions/dynamo-store.ts';
import type { SubscriberStore } from '../../lambda/shared/subscriptions/store.ts';
import { ensureTable, localDynamo, readOutbox, startStandins, type Standins } from '../../scripts/local/standins.ts';

export const KEYRING = JSON.stringify({ current: 'k1', k1: 'integration-test-signing-key-0123456789abcdef' });

const brief: Brief = {
  title: 'Council approves harbour tunnel',
  publishedAt: '2026-01-02T05:00:00.000Z',
  source: 'Example Herald',
  url: 'https://news.example.com/tunnel',
  topics: ['city'],
  summary: ['The council approved the harbour tunnel on Thursday.', 'Construction starts in spring.'],
  keyQuotes: [{ text: 'This tunnel will change how the city moves', start: 0, end: 42, speaker: { name: 'Mara Lind', role: 'mayor' } }],
};

export interface SenderWorld {
  readonly standins: Standins;
  readonly table: string;
  readonly blobs: FolderBlobStore;
  readonly store: SubscriberStore;
  /** The sender's environment (stand-in endpoints come from the AWS_ENDPOINT_URL_* variables the test stubs). */
  readonly env: Record<string, string>;
  /** Render a one-article digest for `runId` into the archive; resolves to its issue key. */
  publishIssue(runId: string): Promise<string>;
  /** A subscriber in the real store, confirmed unless asked otherwise; resolves to its id. */
  subscriber(status?: 'confirmed' | 'pending' | 'unsubscribed'): Promise<string>;
  /** Messages the SES emulator holds, per recipient address. */
  received(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

/** The address a fixture subscriber gets. */
export const addr = (id: string): string => `${id}@example.org`;

/** Start the stand-ins and the archive folder, and create `table`. */
export async function startSenderWorld(table: string): Promise<SenderWorld> {
  const standins = await startStandins();
  const dir = mkdtempSync(path.join(tmpdir(), 'newsbrief-sender-'));
  const blobs = new FolderBlobStore(dir);
  const { client, doc } = localDynamo(standins.dynamoEndpoint);
  await ensureTable(client, table);
  const store = createDynamoSubscriberStore({ doc, tableName: table });
  let seq = 0;
  return {
    standins,
    table,
    blobs,
    store,
    env: {
      TABLE_NAME: table,
      BUCKET_NAME: 'unused-locally',
      SENDER_ADDRESS: 'news@example.com',
      SENDER_NAME: 'newsbrief',
      PUBLIC_URL: 'http://127.0.0.1:8080',
      CONFIGURATION_SET: 'newsbrief-events',
      MAX_SEND_RATE: '1000',
      SENDER_CONCURRENCY: '1',
      SIGNING_KEYRING: KEYRING,
    },
    async publishIssue(runId) {
      const email = await renderDigest([brief], {
        newsletterName: 'newsbrief',
        postalAddress: '1 Example Street, Springfield',
        issueDate: '2026-01-02',
        frequency: 'daily',
        topics: [],
      });
      return writeIssue(blobs, {
        schemaVersion: 1,
        runId,
        kind: 'digest',
        frequency: 'daily',
        topics: [],
        selection: selectionKey([]),
        articleIds: ['a1'],
        email: { ...email, slots: [...email.slots] },
        renderedAt: '2026-01-02T06:00:00.000Z',
      });
    },
    async subscriber(status = 'confirmed') {
      const id = `it${++seq}x${Math.random().toString(36).slice(2, 8)}`;
      await store.createPending({ id, email: addr(id), emailHash: `k1:${id}`, topics: [], frequency: 'daily' }, '2026-01-01T00:00:00.000Z');
      if (status !== 'pending') await store.confirm(id, '2026-01-01T00:00:00.000Z');
      if (status === 'unsubscribed') await store.unsubscribe(id, '2026-01-01T00:00:01.000Z');
      return id;
    },
    async received() {
      const m = new Map<string, number>();
      for (const mail of await readOutbox(standins.sesEndpoint)) {
        for (const to of mail.destination.to) m.set(to, (m.get(to) ?? 0) + 1);
      }
      return m;
    },
    async stop() {
      await standins.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An SQS event carrying `jobs` (and raw `bodies`), as the event source mapping delivers it. */
export function sqsEvent(jobs: SendJob[], bodies: string[] = [], receiveCount = 1): SQSEvent {
  const all = [...jobs.map((j) => JSON.stringify(j)), ...bodies];
  return {
    Records: all.map((body, i) => ({
      messageId: `msg-${i}`,
      receiptHandle: `rh-${i}`,
      body,
      attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:send',
      awsRegion: 'us-east-1',
    })),
  };
}

/** A Lambda context with `ms` left. */
export const context = (ms = 60_000) => ({ getRemainingTimeInMillis: () => ms });
