/**
 * End to end over the real SDK: dynalite and the SES emulator, the real ingest, digest and sender
 * handlers, the in-process queue. Only S3 and SQS are replaced (a temp folder, the in-process queue):
 * there is no stand-in for them here.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDigestHandler } from '../../lambda/digest/handler.ts';
import { createIngestHandler } from '../../lambda/ingest/handler.ts';
import { createMailEventsHandler, mailEventsFromEnvironment } from '../../lambda/mail-events/handler.ts';
import { createSenderHandler, senderRuntime } from '../../lambda/sender/handler.ts';
import { DynamoArticleStore } from '../../lambda/shared/delivery/articles-dynamo.ts';
import { digestRunId } from '../../lambda/shared/delivery/digest.ts';
import { FolderBlobStore } from '../../lambda/shared/delivery/folder-blobs.ts';
import { MemoryJobQueue } from '../../lambda/shared/delivery/memory-queue.ts';
import { DynamoRunStore } from '../../lambda/shared/delivery/runs-dynamo.ts';
import { deliveryRuntime } from '../../lambda/shared/delivery/runtime.ts';
import { lazy } from '../../lambda/shared/lazy.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { parseKeyring } from '../../lambda/shared/signing-keys.ts';
import { createDynamoSubscriberStore } from '../../lambda/shared/subscriptions/dynamo-store.ts';
import type { Frequency } from '../../lambda/shared/subscriptions/model.ts';
import { emailHashes } from '../../lambda/shared/subscriptions/tokens.ts';
import { clearOutbox, ensureTable, localDynamo, readOutbox, standinEnvironment, startStandins, type Standins } from '../../scripts/local/standins.ts';

const TABLE = 'e2e';
const ARTICLES = path.resolve('examples/articles');
const KOREA = '2018-09-11-second-trump-kim-meet.txt';
const GLACIER = '2026-03-04-glacier-retreat-study.md';
const FARES = '2026-09-08-transit-fare-freeze.md';

let standins: Standins;
let dir: string;
let baseEnv: Record<string, string>;

beforeAll(async () => {
  standins = await startStandins();
  Object.assign(process.env, standinEnvironment(standins));
  dir = mkdtempSync(path.join(tmpdir(), 'newsbrief-e2e-'));
  baseEnv = {
    TABLE_NAME: TABLE,
    SENDER_ADDRESS: 'news@newsbrief.example.com',
    SENDER_NAME: 'newsbrief',
    POSTAL_ADDRESS: '1 Example Street, Springfield',
    PUBLIC_URL: 'http://127.0.0.1:3000',
    TOPICS: 'asia,climate,politics,europe,sports',
    SIGNING_KEYRING: JSON.stringify({ current: 't1', t1: randomBytes(32).toString('base64url') }),
    BUCKET_NAME: 'local',
    SEND_QUEUE_URL: 'in-process',
    CONFIGURATION_SET: 'e2e',
    MAX_SEND_RATE: '200',
    SENDER_CONCURRENCY: '1',
    TOPIC_RULES: JSON.stringify({ asia: ['north korea', 'kim jong'] }),
  };
});
afterAll(async () => {
  await standins.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh world per test: its own table, archive folder and queue. */
async function world(name: string) {
  const { client } = localDynamo(standins.dynamoEndpoint);
  const table = `${TABLE}-${name}`;
  await ensureTable(client, table);
  const env: Record<string, string> = { ...baseEnv, TABLE_NAME: table };
  const blobs = new FolderBlobStore(path.join(dir, name));
  const queue = new MemoryJobQueue({ visibilityTimeoutMs: 200, maxReceives: 3 });
  const runtime = lazy(() => deliveryRuntime(env, { blobs, queue, log: silentLog }));
  const ingest = createIngestHandler(runtime);
  const digest = createDigestHandler(runtime, env);
  const sender = createSenderHandler(lazy(() => senderRuntime(env, { blobs, log: silentLog })));
  const { doc } = localDynamo(standins.dynamoEndpoint);
  const subscribers = createDynamoSubscriberStore({ doc, tableName: table });
  const keyring = parseKeyring(env.SIGNING_KEYRING as string);
  const ids = new Map<string, string>();

  return {
    blobs,
    queue,
    digest,
    env,
    runs: new DynamoRunStore(doc, table),
    articles: new DynamoArticleStore(doc, table),
    async subscribe(local: string, frequency: Frequency, topics: string[], confirm = true): Promise<string> {
      const email = `${local}.${name}@example.com`;
      const { subscriberId } = await subscribers.createPending(
        { id: randomUUID(), email, emailHash: emailHashes(email, keyring)[0]!.hash, topics, frequency },
        new Date().toISOString(),
      );
      if (confirm) await subscribers.confirm(subscriberId, new Date().toISOString());
      ids.set(email, subscriberId);
      return email;
    },
    idOf: (email: string) => ids.get(email) as string,
    async ingest(file: string, key = `articles/${name}/${file}`) {
      await blobs.put(key, readFileSync(path.join(ARTICLES, file)), 'text/plain');
      return ingest({ Records: [{ s3: { bucket: { name: 'local' }, object: { key } } }] });
    },
    async drain() {
      await queue.drain(sender);
    },
  };
}

/** Whitespace-insensitive: the text part wraps long lines. */
const flat = (s: string) => s.replace(/\s+/g, ' ');

async function mailTo(address: string) {
  return (await readOutbox(standins.sesEndpoint)).filter((m) => m.destination.to.includes(address));
}

describe('delivery end to end (dynalite + SES emulator, real handlers)', { timeout: 60_000 }, () => {
  beforeEach(async () => {
    await clearOutbox(standins.sesEndpoint);
  });

  it('sends each daily subscriber exactly the digest of their topics, with the key quotes in the text part', async () => {
    const w = await world('topics');
    const asia = await w.subscribe('asia', 'daily', ['asia']);
    const climate = await w.subscribe('climate', 'daily', ['climate']);
    const all = await w.subscribe('all', 'daily', []);
    const sports = await w.subscribe('sports', 'daily', ['sports']);
    const pending = await w.subscribe('pending', 'daily', ['asia'], false);
    const weekly = await w.subscribe('weekly', 'weekly', ['asia']);
    const korea = (await w.ingest(KOREA)).results[0]!;
    const glacier = (await w.ingest(GLACIER)).results[0]!;
    await w.drain(); // no immediate subscriber in this world: no alert
    expect(await readOutbox(standins.sesEndpoint)).toEqual([]);

    const result = await w.digest({ frequency: 'daily', scheduledTime: '2026-11-27T06:00:00Z' });
    expect(result).toMatchObject({ outcome: 'complete', runId: digestRunId('daily', '2026-11-27T06:00:00.000Z') });
    await w.drain();

    const briefOf = async (id: string) => (await w.articles.get(id))!.brief;
    const koreaBrief = await briefOf(korea.articleId);
    const glacierBrief = await briefOf(glacier.articleId);
    expect(koreaBrief.keyQuotes.length).toBeGreaterThan(0);
    expect(glacierBrief.keyQuotes.length).toBeGreaterThan(0);

    const [toAsia, ...moreAsia] = await mailTo(asia);
    expect(moreAsia).toEqual([]);
    expect(flat(toAsia!.body.text!)).toContain(flat(koreaBrief.title));
    expect(flat(toAsia!.body.text!)).not.toContain(flat(glacierBrief.title));
    for (const q of koreaBrief.keyQuotes) expect(flat(toAsia!.body.text!)).toContain(flat(q.text));

    const [toClimate, ...moreClimate] = await mailTo(climate);
    expect(moreClimate).toEqual([]);
    expect(flat(toClimate!.body.text!)).toContain(flat(glacierBrief.title));
    expect(flat(toClimate!.body.text!)).not.toContain(flat(koreaBrief.title));
    for (const q of glacierBrief.keyQuotes) expect(flat(toClimate!.body.text!)).toContain(flat(q.text));

    const [toAll, ...moreAll] = await mailTo(all);
    expect(moreAll).toEqual([]);
    for (const q of [...koreaBrief.keyQuotes, ...glacierBrief.keyQuotes]) expect(flat(toAll!.body.text!)).toContain(flat(q.text));

    // No blank digest for a selection without articles, nothing for a pending or a weekly subscriber.
    expect(await mailTo(sports)).toEqual([]);
    expect(await mailTo(pending)).toEqual([]);
    expect(await mailTo(weekly)).toEqual([]);
    expect(await readOutbox(standins.sesEndpoint)).toHaveLength(3);
  });

  it('sends no second email for the same run again, nor for the same schedule event delivered twice at once', async () => {
    const w = await world('twice');
    const reader = await w.subscribe('reader', 'daily', []);
    await w.ingest(GLACIER);
    const event = { frequency: 'daily', scheduledTime: '2026-11-27T06:00:00.000Z' };
    expect((await w.digest(event)).outcome).toBe('complete');
    await w.drain();
    expect(await mailTo(reader)).toHaveLength(1);

    // The same run again: the event redelivered later, and the jobs redelivered to the sender.
    expect((await w.digest(event)).outcome).toBe('duplicate');
    await w.queue.enqueue(w.queue.enqueued.slice());
    await w.drain();
    expect(await mailTo(reader)).toHaveLength(1);

    // A new article, and the next event delivered twice concurrently: one run, one email.
    await w.ingest(FARES);
    const next = { frequency: 'daily', scheduledTime: '2026-11-28T06:00:00.000Z' };
    const outcomes = (await Promise.all([w.digest(next), w.digest(next)])).map((r) => r.outcome).sort();
    expect(outcomes.filter((o) => o === 'complete')).toHaveLength(1);
    await w.drain();
    const mails = await mailTo(reader);
    expect(mails).toHaveLength(2);
    expect(new Set(w.queue.enqueued.filter((j) => j.runId === digestRunId('daily', next.scheduledTime)).flatMap((j) => j.recipients)).size).toBe(1);
  });

  it('suppresses a subscriber whose address bounced, and the next digest leaves them out of its audience', async () => {
    const w = await world('bounce');
    const keep = await w.subscribe('keep', 'daily', []);
    const gone = await w.subscribe('gone', 'daily', []);
    await w.ingest(GLACIER);
    expect((await w.digest({ frequency: 'daily', scheduledTime: '2026-11-27T06:00:00Z' })).outcome).toBe('complete');
    await w.drain();
    expect(await mailTo(gone)).toHaveLength(1);

    // The notification SES publishes for that message (tagged with the subscriber id), through SNS,
    // to the real mail-events handler.
    const notification = {
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: gone }], timestamp: '2026-11-27T06:01:00.000Z', feedbackId: 'fb-e2e' },
      mail: { timestamp: '2026-11-27T06:00:30.000Z', messageId: 'ses-e2e', destination: [gone], tags: { subscriberId: [w.idOf(gone)] } },
    };
    const sns = { Records: [{ EventSource: 'aws:sns', Sns: { Type: 'Notification', MessageId: 'n-e2e', Message: JSON.stringify(notification) } }] };
    await createMailEventsHandler(() => mailEventsFromEnvironment(w.env, silentLog), silentLog)(sns as unknown as SNSEvent);

    await clearOutbox(standins.sesEndpoint);
    await w.ingest(FARES);
    const next = { frequency: 'daily', scheduledTime: '2026-11-28T06:00:00.000Z' };
    expect((await w.digest(next)).outcome).toBe('complete');
    await w.drain();
    expect(await mailTo(keep)).toHaveLength(1);
    expect(await mailTo(gone)).toEqual([]);
    // Left out by the digest's audience query itself, not only by the sender's re-check.
    const recipients = w.queue.enqueued.filter((j) => j.runId === digestRunId('daily', next.scheduledTime)).flatMap((j) => j.recipients);
    expect(recipients).toEqual([w.idOf(keep)]);
  });

  it('with no new article sends nothing and records the run empty', async () => {
    const w = await world('empty');
    const reader = await w.subscribe('reader', 'weekly', []);
    await w.ingest(FARES);
    expect((await w.digest({ frequency: 'weekly', scheduledTime: '2026-11-23T07:00:00Z' })).outcome).toBe('complete');
    await w.drain();
    expect(await mailTo(reader)).toHaveLength(1);

    const result = await w.digest({ frequency: 'weekly', scheduledTime: '2026-11-30T07:00:00Z' });
    expect(result.outcome).toBe('empty');
    await w.drain();
    expect(await mailTo(reader)).toHaveLength(1);
    const run = await w.runs.get(digestRunId('weekly', '2026-11-30T07:00:00.000Z'));
    expect(run).toMatchObject({ status: 'empty', articleIds: [], counts: { enqueued: 0 } });
  });

  it('alerts matching immediate subscribers once per article, however often it is ingested', async () => {
    const w = await world('alerts');
    const asia = await w.subscribe('asia', 'immediate', ['asia']);
    const europe = await w.subscribe('europe', 'immediate', ['europe']);
    await w.ingest(KOREA);
    await w.ingest(KOREA, 'articles/alerts/copy-of-korea.txt');
    await w.drain();
    const [alert, ...more] = await mailTo(asia);
    expect(more).toEqual([]);
    expect(alert!.subject).toMatch(/US Coordinating 2nd Meet Of Trump/);
    expect(await mailTo(europe)).toEqual([]);
  });

  it('reports an unparseable article by key and reason, and ingests the rest of the event', async () => {
    const w = await world('bad');
    await w.blobs.put('articles/bad/empty.txt', '', 'text/plain');
    await w.blobs.put('articles/bad/ok.md', readFileSync(path.join(ARTICLES, FARES)), 'text/markdown');
    const handler = createIngestHandler(lazy(() => deliveryRuntime(w.env, { blobs: w.blobs, queue: w.queue, log: silentLog })));
    const summary = await handler({
      Records: [
        { s3: { bucket: { name: 'local' }, object: { key: 'articles/bad/empty.txt' } } },
        { s3: { bucket: { name: 'local' }, object: { key: 'issues/not-an-article.json' } } },
        { s3: { bucket: { name: 'local' }, object: { key: 'articles/bad/ok.md' } } },
      ],
    });
    expect(summary.rejected).toEqual([{ key: 'articles/bad/empty.txt', reason: expect.stringMatching(/empty/) }]);
    expect(summary.ignored).toEqual(['issues/not-an-article.json']);
    expect(summary.results.map((r) => r.key)).toEqual(['articles/bad/ok.md']);
    await expect(handler({ nope: true })).rejects.toThrow(/not an S3/);
    await expect(w.digest({ frequency: 'hourly' })).rejects.toThrow(/frequency/);
  });
});
