/** Shared fixtures of the delivery tests: seeded subscribers, a recording queue, a Map blob store, fake renderers, the store adapters. */
import { afterAll, beforeAll } from 'vitest';
import type { Brief } from '../../lambda/shared/article/model.ts';
import { MemoryArticleStore, type ArticleRecord, type ArticleStore } from '../../lambda/shared/delivery/articles.ts';
import { DynamoArticleStore } from '../../lambda/shared/delivery/articles-dynamo.ts';
import { MemoryRunStore, type RunStore } from '../../lambda/shared/delivery/runs.ts';
import { DynamoRunStore } from '../../lambda/shared/delivery/runs-dynamo.ts';
import { ensureTable, localDynamo, startStandins, type Standins } from '../../scripts/local/standins.ts';
import type { StoredEmail } from '../../lambda/shared/delivery/issue.ts';
import type { BlobStore, JobQueue, SendJob } from '../../lambda/shared/delivery/ports.ts';
import type { Frequency, Subscriber } from '../../lambda/shared/subscriptions/model.ts';
import type { RecordBackend } from '../../lambda/shared/subscriptions/record-store.ts';

/** A confirmed subscriber who entered `frequency` at `enteredAt`. */
export function confirmed(id: string, frequency: Frequency, topics: string[], enteredAt = '2026-01-01T00:00:00.000Z'): {
  subscriber: Subscriber;
  enteredAt: string;
} {
  return {
    subscriber: {
      id,
      email: `${id}@example.com`,
      status: 'confirmed',
      topics,
      frequency,
      createdAt: enteredAt,
      confirmedAt: enteredAt,
      updatedAt: enteredAt,
    },
    enteredAt,
  };
}

/** Put subscribers straight into a record backend (the subscribe flow has its own tests). */
export async function seed(backend: RecordBackend, list: { subscriber: Subscriber; enteredAt: string }[]): Promise<void> {
  for (const { subscriber, enteredAt } of list) {
    const ok = await backend.putRecord({ subscriber, version: 1, frequencySince: enteredAt }, null);
    if (!ok) throw new Error(`seed: ${subscriber.id} exists`);
  }
}

/** A queue that records every job; `failOn(n)` makes the n-th enqueue call (1-based) throw before enqueueing. */
export class RecordingQueue implements JobQueue {
  readonly jobs: SendJob[] = [];
  calls = 0;
  private failures = new Set<number>();
  failOn(...calls: number[]): void {
    for (const c of calls) this.failures.add(c);
  }
  async enqueue(jobs: readonly SendJob[]): Promise<void> {
    this.calls++;
    if (this.failures.has(this.calls)) throw new Error(`injected queue failure on call ${this.calls}`);
    this.jobs.push(...jobs.map((j) => structuredClone(j)));
  }
  /** Recipient ids across all jobs, with repeats. */
  recipients(): string[] {
    return this.jobs.flatMap((j) => j.recipients);
  }
}

/** Blob store over a Map. */
export class MapBlobs implements BlobStore {
  readonly objects = new Map<string, Buffer>();
  async get(key: string): Promise<Buffer | null> {
    return this.objects.get(key) ?? null;
  }
  async put(key: string, body: string | Buffer): Promise<void> {
    this.objects.set(key, Buffer.isBuffer(body) ? body : Buffer.from(body));
  }
}

/** A stand-in renderer whose text lists the headlines and key quotes, so tests can see what went in. */
export function fakeEmail(kind: 'digest' | 'alert', briefs: readonly Brief[], topics: readonly string[]): StoredEmail {
  const text = briefs
    .map((b) => [b.title, ...b.keyQuotes.map((q) => `"${q.text}" — ${q.speaker?.name ?? 'unknown'}`)].join('\n'))
    .join('\n\n');
  return {
    kind,
    subject: `${kind}: ${briefs.map((b) => b.title).join(' | ')}`,
    preheader: topics.join(','),
    html: `<p>${briefs.length}</p>`,
    text,
    slotKey: 'k',
    slots: ['unsubscribeUrl', 'preferencesUrl', 'greeting'],
  };
}

/** An article record with a brief on `topics` and one key quote. */
export function articleRecord(id: string, ingestedAt: string, topics: string[]): ArticleRecord {
  return {
    id,
    ingestedAt,
    origin: `articles/${id}.txt`,
    brief: {
      title: `Headline ${id}`,
      publishedAt: null,
      topics,
      summary: [`Summary of ${id}.`],
      keyQuotes: [{ text: `Quote of ${id}`, start: -1, end: -1, speaker: { name: `Speaker ${id}` } }],
    },
  };
}

/** Store an article as ingest does: the record, then its place in every digest frequency's queue. */
export async function storeArticle(store: Pick<ArticleStore, 'putIfAbsent' | 'queueForDigests'>, record: ArticleRecord): Promise<void> {
  await store.putIfAbsent(record);
  await store.queueForDigests(record);
}

/** A controllable clock: epoch ms, moved by hand. */
export class TestClock {
  constructor(public ms: number) {}
  now = (): number => this.ms;
  iso(): string {
    return new Date(this.ms).toISOString();
  }
}

/** dynalite for one test file: started before its tests, stopped after; `table()` creates a fresh table. */
export function useDynalite(prefix: string): { doc: () => ReturnType<typeof localDynamo>['doc']; table: () => Promise<string> } {
  let standins: Standins | undefined;
  let local: ReturnType<typeof localDynamo> | undefined;
  let tables = 0;
  beforeAll(async () => {
    standins = await startStandins();
    local = localDynamo(standins.dynamoEndpoint);
  });
  afterAll(async () => {
    await standins?.stop();
  });
  return {
    doc: () => (local as ReturnType<typeof localDynamo>).doc,
    async table() {
      const name = `${prefix}-${++tables}`;
      await ensureTable((local as ReturnType<typeof localDynamo>).client, name);
      return name;
    },
  };
}

export type DeliveryStores = { articles: ArticleStore; runs: RunStore };

/** The article and run store adapters, in memory and on a fresh dynalite table each, for `describe.each`. */
export function deliveryStoreAdapters(prefix: string): [string, () => Promise<DeliveryStores>][] {
  const dynalite = useDynalite(prefix);
  return [
    ['memory', async () => ({ articles: new MemoryArticleStore(), runs: new MemoryRunStore() })],
    [
      'dynalite',
      async () => {
        const table = await dynalite.table();
        return { articles: new DynamoArticleStore(dynalite.doc(), table), runs: new DynamoRunStore(dynalite.doc(), table) };
      },
    ],
  ];
}
