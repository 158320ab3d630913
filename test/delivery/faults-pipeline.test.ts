/**
 * Randomized schedules of the steps before the sender: ingests whose article write lands late,
 * digest invocations of one frequency with different run ids running at once (a manual invoke, a
 * late scheduler retry), invocations that die at any store call (Lambda retries the ingests; the
 * next digest invocation finishes what a dead one left), and subscribers changing frequency between
 * and during runs. Every store call is a scheduling point, so the interleavings are the ones real
 * concurrent invocations can produce.
 *
 * Property: every (article, subscriber whose topics match) pair is delivered exactly once, through
 * an alert or a digest, counting what the sender's ledger lets through (one message per run and
 * subscriber, so every job of one run carries the same issue for a subscriber). Runs against the
 * in-memory stores, and fewer schedules against the DynamoDB run and article stores on dynalite.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryArticleStore, type ArticleStore } from '../../lambda/shared/delivery/articles.ts';
import { DynamoArticleStore } from '../../lambda/shared/delivery/articles-dynamo.ts';
import { runDigest } from '../../lambda/shared/delivery/digest.ts';
import { ingestArticle } from '../../lambda/shared/delivery/ingest.ts';
import { readIssue } from '../../lambda/shared/delivery/issue.ts';
import { MemoryRunStore, type RunStore } from '../../lambda/shared/delivery/runs.ts';
import { DynamoRunStore } from '../../lambda/shared/delivery/runs-dynamo.ts';
import { parseTopicRules } from '../../lambda/shared/delivery/topics.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { wantsTopics, type DigestFrequency, type Frequency } from '../../lambda/shared/subscriptions/model.ts';
import { memoryRecordBackend } from '../../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriberStore } from '../../lambda/shared/subscriptions/record-store.ts';
import { parseArticle } from '../../lambda/shared/article/parse.ts';
import { confirmed, fakeEmail, MapBlobs, RecordingQueue, seed, TestClock, useDynalite } from './digest-fixtures.ts';
import { articleText, briefAnalysis } from './pipeline-fixtures.ts';

const RUNS = Number(process.env.FAULT_RUNS ?? 400);
const DYNAMO_RUNS = Math.max(20, Math.round(RUNS / 50));

type Event =
  | { kind: 'ingest'; topic: 'a' | 'b' | null }
  | { kind: 'digest'; frequency: DigestFrequency }
  | { kind: 'switch'; who: number; to: Frequency }
  | { kind: 'wait'; ms: number };

interface Schedule {
  subscribers: { frequency: Frequency; topics: ('a' | 'b')[] }[];
  events: Event[];
  /** Which waiting invocation moves next, at each scheduling point. */
  choices: number[];
  /** At which scheduling points the chosen invocation dies instead. */
  kills: boolean[];
}

/** One invocation under the scheduler: it waits at every store call until chosen. */
interface Op {
  readonly name: string;
  state: 'live' | 'done' | 'killed';
  /** Its store calls waiting to go, oldest first (an invocation may make several at once). */
  readonly waiting: (() => void)[];
  /** Store calls let go and not yet answered (dynalite answers over real I/O). */
  executing: number;
  /** Lambda retries it if it dies (an ingest; a dead digest invocation is finished by the next one). */
  readonly retried: boolean;
}

/** Wrap every method of a port so each call waits for the scheduler to choose `op`. */
function gated<T extends object>(port: T, op: Op): T {
  return new Proxy(port, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        await new Promise<void>((resolve) => op.waiting.push(resolve));
        op.executing++;
        try {
          return await (v as (...a: unknown[]) => unknown).apply(target, args);
        } finally {
          op.executing--;
        }
      };
    },
  });
}

/** Let `op`'s oldest waiting store call go. */
function go(op: Op): void {
  op.waiting.shift()?.();
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

let schedules = 0;

/**
 * One schedule. Each starts 60 days after the previous one and names its own articles, so schedules
 * can share one table: their run ids and article ids never meet, and each leaves every run complete.
 */
async function simulate(s: Schedule, stores: { articles: ArticleStore; runs: RunStore }) {
  const n0 = ++schedules;
  const clock = new TestClock(Date.parse('2026-11-23T06:00:00.000Z') + n0 * 60 * 86_400_000);
  const backend = memoryRecordBackend();
  const subscribers = createSubscriberStore(backend);
  await seed(
    backend,
    s.subscribers.map((sub, i) => confirmed(`s${i}`, sub.frequency, sub.topics, '2026-11-01T00:00:00.000Z')),
  );
  const queue = new RecordingQueue();
  const blobs = new MapBlobs();
  const ops: Op[] = [];
  const titles: { title: string; topics: string[] }[] = [];
  let choice = 0;
  let n = 0;

  const ports = (op: Op) => ({
    articles: gated(stores.articles, op),
    runs: gated(stores.runs, op),
    subscribers: gated(subscribers, op),
    queue: gated(queue, op),
    blobs: gated(blobs, op),
    log: silentLog,
    now: clock.now,
    remainingMs: () => 600_000,
  });
  const ingest = (title: string, topic: string | null, p: ReturnType<typeof ports>) =>
    ingestArticle(
      articleText(title),
      `articles/${title}.txt`,
      { ...p, parse: (c, o) => ({ ...parseArticle(c, o), topics: topic ? [topic] : [] }), analyze: briefAnalysis, renderAlert: async (b, c) => fakeEmail('alert', [b], c.topics), rules: parseTopicRules('{}') },
      { owner: `ingest-${++n}` },
    );
  const digest = (frequency: DigestFrequency, p: ReturnType<typeof ports>) =>
    runDigest({ frequency, scheduledTime: clock.iso() }, { ...p, render: async (b, c) => fakeEmail('digest', b, c.topics) }, { owner: `digest-${++n}` });

  const start = (name: string, body: (p: ReturnType<typeof ports>) => Promise<unknown>, retried = false) => {
    const op: Op = { name, state: 'live', waiting: [], executing: 0, retried };
    ops.push(op);
    body(ports(op)).then(
      () => (op.state = 'done'),
      () => (op.state = 'done'), // a failed invocation (Lambda retries ingests below; digests resume)
    );
  };
  /** Let every invocation reach its next store call (or finish): one macrotask turn, plus real I/O in flight. */
  const settle = async () => {
    await tick();
    for (let i = 0; i < 10_000 && ops.some((o) => o.executing > 0); i++) await tick();
    await tick();
  };
  /** Move one waiting invocation by one store call; false when none waits. */
  const step = async (): Promise<boolean> => {
    await settle();
    const waiting = ops.filter((o) => o.state === 'live' && o.waiting.length > 0);
    if (waiting.length === 0) return false;
    const at = choice++;
    const op = waiting[(s.choices[at] ?? 0) % waiting.length] as Op;
    clock.ms += 1_000;
    if (s.kills[at] === true) op.state = 'killed';
    else go(op);
    await settle();
    return true;
  };

  for (const event of s.events) {
    if (event.kind === 'ingest') {
      const title = `Harbour vote ${n0}-${titles.length}`;
      titles.push({ title, topics: event.topic ? [event.topic] : [] });
      start(title, (p) => ingest(title, event.topic, p), true);
    } else if (event.kind === 'digest') {
      start(`digest ${event.frequency}`, (p) => digest(event.frequency, p));
    } else if (event.kind === 'switch') {
      start(`switch s${event.who}`, (p) => p.subscribers.updatePreferences(`s${event.who % s.subscribers.length}`, { frequency: event.to }, clock.iso()));
    } else {
      clock.ms += event.ms;
    }
    // Interleave: a few scheduling points after each event.
    for (let i = 0; i < 3; i++) if (!(await step())) break;
  }
  for (let i = 0; i < 2000; i++) if (!(await step())) break;

  // Afterwards: Lambda retries the ingests that died, and later digest invocations finish every run.
  const direct = { articles: stores.articles, runs: stores.runs, subscribers, queue, blobs, log: silentLog, now: clock.now, remainingMs: () => 600_000 };
  for (const op of ops.filter((o) => o.state === 'killed' && o.retried)) {
    clock.ms += 120_000;
    const p = { ...direct };
    await ingest(op.name, titles.find((t) => t.title === op.name)?.topics[0] ?? null, p).catch(() => undefined);
  }
  for (let round = 0; round < 3; round++) {
    clock.ms += 2 * 3_600_000;
    for (const frequency of ['daily', 'weekly'] as const) await digest(frequency, direct).catch(() => undefined);
  }
  return { titles, queue, blobs, subscribers, articles: stores.articles };
}

async function check(s: Schedule, out: Awaited<ReturnType<typeof simulate>>): Promise<void> {
  // What the ledger lets through: one message per (run, subscriber); every job of a run must carry the same issue for them.
  const issueOf = new Map<string, string>();
  for (const job of out.queue.jobs) {
    for (const r of job.recipients) {
      const k = `${job.runId}/${r}`;
      const seen = issueOf.get(k);
      if (seen !== undefined) {
        const [a, b] = [await readIssue(out.blobs, seen), await readIssue(out.blobs, job.issueKey)];
        expect(b.articleIds, `${k}: two different issues in one run`).toEqual(a.articleIds);
      } else issueOf.set(k, job.issueKey);
    }
  }
  const got = new Map<string, number>();
  for (const [k, issueKey] of issueOf) {
    const subscriber = k.slice(k.lastIndexOf('/') + 1);
    for (const id of (await readIssue(out.blobs, issueKey)).articleIds) {
      const title = (await out.articles.get(id))?.brief.title ?? id;
      got.set(`${title}/${subscriber}`, (got.get(`${title}/${subscriber}`) ?? 0) + 1);
    }
  }
  const want = new Map<string, number>();
  for (const t of out.titles) {
    s.subscribers.forEach((sub, i) => {
      if (wantsTopics(sub.topics, t.topics)) want.set(`${t.title}/s${i}`, 1);
    });
  }
  expect(Object.fromEntries([...got].sort()), 'each article once to each subscriber whose topics match').toEqual(Object.fromEntries([...want].sort()));
}

const frequencyArb = fc.constantFrom<Frequency>('immediate', 'daily', 'weekly');
const eventArb: fc.Arbitrary<Event> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('ingest' as const), topic: fc.constantFrom<'a' | 'b' | null>('a', 'b', null) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('digest' as const), frequency: fc.constantFrom<DigestFrequency>('daily', 'weekly') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('switch' as const), who: fc.nat(5), to: frequencyArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.constantFrom(60_000, 3_600_000, 86_400_000) }) },
);
const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  subscribers: fc.array(fc.record({ frequency: frequencyArb, topics: fc.subarray(['a', 'b'] as ('a' | 'b')[]) }), { minLength: 1, maxLength: 6 }),
  events: fc.array(eventArb, { minLength: 1, maxLength: 16 }),
  choices: fc.array(fc.nat(5), { maxLength: 300 }),
  kills: fc.array(fc.integer({ min: 0, max: 19 }).map((n) => n === 0), { maxLength: 300 }),
});

describe('ingest and digest under concurrency, late writes and frequency changes (property)', () => {
  it(`delivers each article once to each matching subscriber, over ${RUNS} schedules (memory stores; FAULT_RUNS)`, async () => {
    await fc.assert(
      fc.asyncProperty(scheduleArb, async (s) => {
        await check(s, await simulate(s, { articles: new MemoryArticleStore(), runs: new MemoryRunStore() }));
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  describe('on the DynamoDB stores (dynalite)', () => {
    const dynalite = useDynalite('pipeline');
    let table = '';
    beforeAll(async () => {
      table = await dynalite.table();
    });
    it(`delivers each article once to each matching subscriber, over ${DYNAMO_RUNS} schedules`, async () => {
      await fc.assert(
        fc.asyncProperty(scheduleArb, async (s) => {
          await check(s, await simulate(s, { articles: new DynamoArticleStore(dynalite.doc(), table), runs: new DynamoRunStore(dynalite.doc(), table) }));
        }),
        { numRuns: DYNAMO_RUNS },
      );
    }, 300_000);
  });
});
