/**
 * Fan-out benchmark (part of `npm run bench:send`; alone: `npx tsx bench/fanout.ts`).
 *
 * Seeds BENCH_FANOUT_SUBSCRIBERS (default 100,000) confirmed daily subscribers into dynalite on
 * 127.0.0.1 (BatchWriteItem, 25 items a call, BENCH_FANOUT_SEED_CONCURRENCY calls in flight), then
 * runs one real digest run (runDigest over the DynamoDB run, article and subscriber stores, the real
 * MJML renderer) that pages them through the byFrequency GSI into send jobs on an in-memory queue.
 * Prints the seeding rate, the fan-out wall time (goal ≤ 60 s), and what one 15-minute digest Lambda
 * invocation could enqueue at that rate. Bounded: fixed count, loopback only, nothing persisted.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoArticleStore } from '../lambda/shared/delivery/articles-dynamo.ts';
import { runDigest } from '../lambda/shared/delivery/digest.ts';
import type { BlobStore, JobQueue, SendJob } from '../lambda/shared/delivery/ports.ts';
import { DynamoRunStore } from '../lambda/shared/delivery/runs-dynamo.ts';
import { renderDigest } from '../lambda/shared/email/render.ts';
import { silentLog } from '../lambda/shared/logger.ts';
import { createDynamoSubscriberStore } from '../lambda/shared/subscriptions/dynamo-store.ts';
import { TABLE_KEYS } from '../lambda/shared/table.ts';
import { ensureTable, localDynamo } from '../scripts/local/standins.ts';
import { startChildStandins } from './child-standins.ts';

const TABLE = 'bench-fanout';
const TOPICS = [['asia'], ['climate'], [], ['asia', 'climate'], ['sports']];
const LAMBDA_SECONDS = 15 * 60;
const RESERVE_SECONDS = 30;

export interface FanoutOptions {
  readonly subscribers?: number;
  readonly seedConcurrency?: number;
  readonly pageSize?: number;
  readonly print?: (line: string) => void;
}

export interface FanoutResult {
  readonly subscribers: number;
  readonly seedSeconds: number;
  readonly fanoutSeconds: number;
  readonly renderSeconds: number;
  readonly enqueued: number;
  readonly skipped: number;
  readonly jobs: number;
  readonly pages: number;
  readonly perSecond: number;
  readonly per15Minutes: number;
  readonly peakRssMb: number;
  readonly ok: boolean;
}

/** A subscriber item exactly as the DynamoDB subscriber store writes a confirmed one (dynamo-store.ts toItem). */
function subscriberItem(i: number, since: string): Record<string, unknown> {
  const id = randomUUID();
  const { partitionKey, sortKey, gsi } = TABLE_KEYS;
  return {
    [partitionKey]: `SUB#${id}`,
    [sortKey]: 'SUB',
    id,
    email: `reader${i}@example.com`,
    status: 'confirmed',
    topics: TOPICS[i % TOPICS.length],
    frequency: 'daily',
    createdAt: since,
    confirmedAt: since,
    updatedAt: since,
    version: 1,
    frequencySince: since,
    [gsi.partitionKey]: 'CONFIRMED#daily',
    [gsi.sortKey]: `${since}#${id}`,
  };
}

async function seed(doc: DynamoDBDocumentClient, count: number, concurrency: number): Promise<void> {
  const since = new Date(Date.now() - 86_400_000).toISOString();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const start = next;
      next = Math.min(count, next + 25);
      let requests: Record<string, unknown>[] = [];
      for (let i = start; i < next; i++) requests.push({ PutRequest: { Item: subscriberItem(i, since) } });
      // BatchWrite may hand back unprocessed items; resend them until none is left.
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 10) throw new Error('BatchWrite kept returning unprocessed items');
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: requests as never } }));
        requests = (out.UnprocessedItems?.[TABLE] ?? []) as Record<string, unknown>[];
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** A queue that only counts: the benchmark measures paging and job building, not SQS. */
class CountingQueue implements JobQueue {
  jobs = 0;
  recipients = new Set<string>();
  duplicates = 0;
  async enqueue(jobs: readonly SendJob[]): Promise<void> {
    this.jobs += jobs.length;
    for (const j of jobs) {
      for (const r of j.recipients) {
        if (this.recipients.has(r)) this.duplicates++;
        this.recipients.add(r);
      }
    }
  }
}

class MapBlobs implements BlobStore {
  private readonly objects = new Map<string, Buffer>();
  async get(key: string): Promise<Buffer | null> {
    return this.objects.get(key) ?? null;
  }
  async put(key: string, body: string | Buffer): Promise<void> {
    this.objects.set(key, Buffer.from(body));
  }
}

/** Run the fan-out benchmark once and return its figures. */
export async function runFanout(options: FanoutOptions = {}): Promise<FanoutResult> {
  const count = options.subscribers ?? Number(process.env.BENCH_FANOUT_SUBSCRIBERS ?? 100_000);
  const concurrency = options.seedConcurrency ?? Number(process.env.BENCH_FANOUT_SEED_CONCURRENCY ?? 16);
  const print = options.print ?? ((line: string) => console.log(line));
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const standins = await startChildStandins();
  try {
    const { client, doc } = localDynamo(standins.dynamoEndpoint);
    await ensureTable(client, TABLE);

    print(`Fan-out: seeding ${count.toLocaleString('en')} confirmed daily subscribers into dynalite (BatchWrite x${concurrency})…`);
    const seedStart = performance.now();
    await seed(doc, count, concurrency);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    print(`  seeded in ${seedSeconds.toFixed(1)} s (${Math.round(count / seedSeconds).toLocaleString('en')} items/s)`);

    const articles = new DynamoArticleStore(doc, TABLE);
    const ingestedAt = new Date(Date.now() - 3_600_000).toISOString();
    for (const [i, topics] of [['asia'], ['climate'], ['asia', 'politics']].entries()) {
      const record = {
        id: `bench-article-${i}`,
        ingestedAt,
        origin: `articles/bench-${i}.txt`,
        brief: {
          title: `Benchmark story ${i}`,
          publishedAt: ingestedAt,
          topics,
          summary: ['A sentence of summary.', 'Another one.'],
          keyQuotes: [{ text: 'We measured it twice.', start: -1, end: -1, speaker: { name: 'A. Tester', role: 'engineer' } }],
        },
      };
      // As ingest stores it: the record, then its place in the digest queues.
      await articles.putIfAbsent(record);
      await articles.queueForDigests(record);
    }

    const queue = new CountingQueue();
    let renderSeconds = 0;
    let renders = 0;
    const start = performance.now();
    const result = await runDigest(
      { frequency: 'daily', scheduledTime: new Date().toISOString() },
      {
        runs: new DynamoRunStore(doc, TABLE),
        articles,
        subscribers: createDynamoSubscriberStore({ doc, tableName: TABLE }),
        queue,
        blobs: new MapBlobs(),
        render: async (briefs, ctx) => {
          const t = performance.now();
          const email = await renderDigest(briefs, {
            newsletterName: 'newsbrief',
            postalAddress: '1 Example Street',
            issueDate: ctx.issueDate,
            frequency: ctx.frequency,
            topics: ctx.topics,
          });
          renderSeconds += (performance.now() - t) / 1000;
          renders++;
          return { ...email, slots: [...email.slots] };
        },
        log: silentLog,
        now: Date.now,
        remainingMs: () => LAMBDA_SECONDS * 1000,
      },
      { owner: 'bench', ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}) },
    );
    const fanoutSeconds = (performance.now() - start) / 1000;
    const { enqueued, skipped, jobs, pages } = result.counts;
    // The per-subscriber rate excludes the one-off renders (once per topic selection, whatever the audience).
    const perSecond = (enqueued + skipped) / Math.max(0.001, fanoutSeconds - renderSeconds);
    const per15Minutes = Math.floor(perSecond * (LAMBDA_SECONDS - RESERVE_SECONDS));
    const complete = result.outcome === 'complete' && enqueued + skipped === count && queue.duplicates === 0;
    const ok = complete && fanoutSeconds <= 60;
    print(
      `  fan-out: ${result.outcome}, ${pages} pages, ${enqueued.toLocaleString('en')} recipients in ${jobs.toLocaleString('en')} jobs ` +
        `(${skipped.toLocaleString('en')} skipped: no matching article), ${queue.duplicates} duplicates`,
    );
    print(
      `  wall time ${fanoutSeconds.toFixed(1)} s (goal ≤ 60 s), of which ${renders} renders ${renderSeconds.toFixed(1)} s; ` +
        `paging and enqueueing ${Math.round(perSecond).toLocaleString('en')} subscribers/s`,
    );
    print(
      `  one 15-minute digest invocation (${RESERVE_SECONDS} s reserve) at this rate: ~${per15Minutes.toLocaleString('en')} subscribers; ` +
        `with Lambda's 2 async retries resuming from the checkpoint: ~${(per15Minutes * 3).toLocaleString('en')}`,
    );
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    print(`  peak RSS of the digest process ${(peakRss / 1048576).toFixed(0)} MB (dynalite runs in a child process)  ${ok ? 'OK' : 'GOAL MISSED'}`);
    return {
      subscribers: count,
      seedSeconds,
      fanoutSeconds,
      renderSeconds,
      enqueued,
      skipped,
      jobs,
      pages,
      perSecond,
      per15Minutes,
      peakRssMb: peakRss / 1048576,
      ok,
    };
  } finally {
    clearInterval(sampler);
    standins.stop();
  }
}

/** Entry point used by bench/send.ts: true when the goal is met. */
export async function runFanoutBench(): Promise<boolean> {
  return (await runFanout()).ok;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runFanoutBench().then(
    (ok) => process.exit(ok ? 0 : 1),
    (error: unknown) => {
      console.error(`bench fanout: ${(error as Error)?.message ?? String(error)}`);
      process.exit(1);
    },
  );
}
