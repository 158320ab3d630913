import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryArticleStore } from '../../lambda/shared/delivery/articles.ts';
import { runDigest, digestRunId, type DigestDeps, type RenderDigest } from '../../lambda/shared/delivery/digest.ts';
import { readIssue } from '../../lambda/shared/delivery/issue.ts';
import { MemoryRunStore } from '../../lambda/shared/delivery/runs.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { createMemorySubscriberStore, memoryRecordBackend } from '../../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriberStore } from '../../lambda/shared/subscriptions/record-store.ts';
import { articleRecord, confirmed, fakeEmail, MapBlobs, RecordingQueue, seed, TestClock, storeArticle } from './digest-fixtures.ts';

const T0 = Date.parse('2026-11-27T06:00:00.000Z');

function harness() {
  const backend = memoryRecordBackend();
  const subscribers = createSubscriberStore(backend);
  const clock = new TestClock(T0);
  const renders: { topics: readonly string[]; titles: string[] }[] = [];
  const render: RenderDigest = async (briefs, ctx) => {
    renders.push({ topics: ctx.topics, titles: briefs.map((b) => b.title) });
    return fakeEmail('digest', briefs, ctx.topics);
  };
  let remaining = 900_000;
  const deps = {
    runs: new MemoryRunStore(),
    articles: new MemoryArticleStore(),
    subscribers,
    queue: new RecordingQueue(),
    blobs: new MapBlobs(),
    render,
    log: silentLog,
    now: clock.now,
    remainingMs: () => remaining,
  } satisfies DigestDeps;
  return {
    backend,
    clock,
    renders,
    deps,
    setRemaining: (ms: number) => void (remaining = ms),
  };
}

describe('digest run', () => {
  let h: ReturnType<typeof harness>;
  beforeEach(() => {
    h = harness();
  });

  it('sends each subscriber the articles of their topics, fixes the audience at the start, and skips empty selections', async () => {
    await storeArticle(h.deps.articles, articleRecord('a1', '2026-11-26T10:00:00.000Z', ['asia']));
    await storeArticle(h.deps.articles, articleRecord('a2', '2026-11-26T11:00:00.000Z', ['politics', 'us']));
    await seed(h.backend, [
      confirmed('asia-reader', 'daily', ['asia']),
      confirmed('everything', 'daily', []),
      confirmed('sports-fan', 'daily', ['sports']),
      confirmed('weekly-asia', 'weekly', ['asia']),
      confirmed('late-joiner', 'daily', ['asia'], '2026-11-27T06:00:00.001Z'),
    ]);

    const result = await runDigest({ frequency: 'daily', scheduledTime: '2026-11-27T06:00:00.000Z' }, h.deps, { owner: 'inv-1' });

    expect(result.outcome).toBe('complete');
    // One page of the audience fixed at the start, then one per frequency for those who changed frequency (none).
    expect(result.counts).toMatchObject({ enqueued: 2, skipped: 1, pages: 4 });
    const byRecipient = new Map(h.deps.queue.jobs.flatMap((j) => j.recipients.map((r) => [r, j] as const)));
    expect([...byRecipient.keys()].sort()).toEqual(['asia-reader', 'everything']);
    const asia = await readIssue(h.deps.blobs, byRecipient.get('asia-reader')!.issueKey);
    expect(asia.articleIds).toEqual(['a1']);
    expect(asia.email.text).toContain('"Quote of a1" — Speaker a1');
    const all = await readIssue(h.deps.blobs, byRecipient.get('everything')!.issueKey);
    expect(all.articleIds).toEqual(['a1', 'a2']);
    expect(h.deps.queue.jobs.every((j) => j.runId === digestRunId('daily', '2026-11-27T06:00:00.000Z') && j.kind === 'digest')).toBe(true);
    // Each job names its record (page, place), where the sender notes whom it finds already sent.
    const records = await h.deps.runs.listJobs(digestRunId('daily', '2026-11-27T06:00:00.000Z'));
    expect(h.deps.queue.jobs.map((j) => [j.page, j.index, j.recipients])).toEqual(records.map((r) => [r.page, r.index, r.recipients]));
    // Rendered once per selection that has articles; never for the sports selection.
    expect(h.renders.map((r) => r.topics.join('+') || 'all').sort()).toEqual(['all', 'asia']);
  });

  it('starts one run for the same schedule event twice, and the next run without new articles is recorded empty', async () => {
    await storeArticle(h.deps.articles, articleRecord('a1', '2026-11-26T10:00:00.000Z', ['asia']));
    await seed(h.backend, [confirmed('s1', 'daily', ['asia'])]);
    const event = { frequency: 'daily' as const, scheduledTime: '2026-11-27T06:00:00.000Z' };

    expect((await runDigest(event, h.deps, { owner: 'inv-1' })).outcome).toBe('complete');
    h.clock.ms += 5_000;
    const again = await runDigest(event, h.deps, { owner: 'inv-2' });
    expect(again.outcome).toBe('duplicate');
    expect(h.deps.queue.recipients()).toEqual(['s1']);

    h.clock.ms += 86_400_000;
    const next = await runDigest({ frequency: 'daily', scheduledTime: '2026-11-28T06:00:00.000Z' }, h.deps, { owner: 'inv-3' });
    expect(next.outcome).toBe('empty');
    expect(h.deps.queue.recipients()).toEqual(['s1']);
    const record = await h.deps.runs.get(digestRunId('daily', '2026-11-28T06:00:00.000Z'));
    expect(record).toMatchObject({ status: 'empty', articleIds: [] });
    expect(await h.deps.runs.getDigestState('daily')).toEqual({ lastRunId: digestRunId('daily', '2026-11-28T06:00:00.000Z') });
  });

  it('collects only articles ingested since the last successful run of that frequency', async () => {
    await seed(h.backend, [confirmed('d', 'daily', []), confirmed('w', 'weekly', [])]);
    await storeArticle(h.deps.articles, articleRecord('old', '2026-11-26T10:00:00.000Z', ['asia']));
    await runDigest({ frequency: 'daily', scheduledTime: '2026-11-27T06:00:00.000Z' }, h.deps, { owner: 'i' });
    h.clock.ms += 3_600_000;
    await storeArticle(h.deps.articles, articleRecord('new', h.clock.iso(), ['asia']));
    h.clock.ms += 3_600_000;
    const daily = await runDigest({ frequency: 'daily', scheduledTime: '2026-11-27T08:00:00.000Z' }, h.deps, { owner: 'i' });
    expect(daily.articleIds).toEqual(['new']);
    // Weekly has its own watermark: it has never run, so it takes both.
    const weekly = await runDigest({ frequency: 'weekly', scheduledTime: '2026-11-27T08:00:00.000Z' }, h.deps, { owner: 'i' });
    expect(weekly.articleIds).toEqual(['old', 'new']);
  });

  it('caps a run at maxArticles and leaves the rest, without overlap, to the next run', async () => {
    await seed(h.backend, [confirmed('d', 'daily', [])]);
    for (let i = 0; i < 5; i++) await storeArticle(h.deps.articles, articleRecord(`a${i}`, `2026-11-26T1${i}:00:00.000Z`, ['x']));
    const first = await runDigest({ frequency: 'daily', scheduledTime: '2026-11-27T06:00:00.000Z' }, h.deps, { owner: 'i', maxArticles: 3 });
    expect(first.articleIds).toEqual(['a0', 'a1', 'a2']);
    h.clock.ms += 1000;
    const second = await runDigest({ frequency: 'daily', scheduledTime: '2026-11-27T07:00:00.000Z' }, h.deps, { owner: 'i', maxArticles: 3 });
    expect(second.articleIds).toEqual(['a3', 'a4']);
  });
});

describe('the upgrade from time windows to the digest queue', () => {
  it('queues once the articles a last time-window run left (ingested since its watermark), then forgets the watermark', async () => {
    const h = harness();
    await seed(h.backend, [confirmed('d', 'daily', [])]);
    // Stored before the queue existed: records only, and the state of the last run's window.
    await h.deps.articles.putIfAbsent(articleRecord('sent-before', '2026-11-26T05:00:00.000Z', ['x']));
    await h.deps.articles.putIfAbsent(articleRecord('left-over', '2026-11-26T09:00:00.000Z', ['x']));
    h.deps.runs.states.set('daily', { watermark: '2026-11-26T06:00:00.000Z', lastRunId: 'digest#daily#2026-11-26T06:00:00.000Z' });
    const run = await runDigest({ frequency: 'daily', scheduledTime: '2026-11-27T06:00:00.000Z' }, h.deps, { owner: 'i' });
    expect(run.articleIds).toEqual(['left-over']);
    expect(await h.deps.runs.getDigestState('daily')).not.toHaveProperty('watermark');
    // Weekly kept no watermark: its own first run is unaffected by daily's.
    expect(await h.deps.articles.pendingFor('weekly', { before: '2030-01-01T00:00:00.000Z', limit: 10 })).toEqual([]);
  });
});

describe('digest checkpoint and resume', () => {
  const N = 1234;
  const PAGE = 100;
  let h: ReturnType<typeof harness>;
  const event = { frequency: 'daily' as const, scheduledTime: '2026-11-27T06:00:00.000Z' };

  beforeEach(async () => {
    h = harness();
    await storeArticle(h.deps.articles, articleRecord('a1', '2026-11-26T10:00:00.000Z', ['asia']));
    await storeArticle(h.deps.articles, articleRecord('a2', '2026-11-26T10:00:00.000Z', ['sports']));
    const topics = [['asia'], ['sports'], [], ['asia', 'sports'], ['weather']];
    await seed(
      h.backend,
      Array.from({ length: N }, (_, i) => confirmed(`s${String(i).padStart(5, '0')}`, 'daily', topics[i % topics.length]!)),
    );
  });

  function expectEveryoneOnce(recipients: string[]): void {
    const expected = Array.from({ length: N }, (_, i) => `s${String(i).padStart(5, '0')}`).filter((_, i) => i % 5 !== 4);
    expect(recipients.length).toBe(expected.length);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect([...recipients].sort()).toEqual(expected);
  }

  it('resumes after a failure mid-fan-out from the checkpoint and enqueues nobody twice', async () => {
    h.deps.queue.failOn(5);
    await expect(runDigest(event, h.deps, { owner: 'inv-1', pageSize: PAGE })).rejects.toThrow(/injected queue failure/);
    const midway = await h.deps.runs.get(digestRunId('daily', event.scheduledTime));
    expect(midway).toMatchObject({ status: 'open', counts: { pages: 4 } });

    // Lambda's retry of the same event, after the crashed invocation's lease ran out.
    h.clock.ms += 61_000;
    const result = await runDigest(event, h.deps, { owner: 'inv-2', pageSize: PAGE });
    expect(result.outcome).toBe('complete');
    expectEveryoneOnce(h.deps.queue.recipients());
    expect(result.counts).toEqual({ pages: 13 + 3, enqueued: N - Math.floor(N / 5), jobs: h.deps.queue.jobs.length, skipped: Math.floor(N / 5) });
    // Every selection rendered once across both invocations (the resume reads the archive).
    expect(h.renders).toHaveLength(4);
  });

  it('re-enqueues at most the one page whose checkpoint write was lost (the ledger absorbs it)', async () => {
    const runs = h.deps.runs;
    const checkpoint = runs.checkpoint.bind(runs);
    let calls = 0;
    runs.checkpoint = async (...args) => {
      if (++calls === 3) throw new Error('injected crash between enqueue and checkpoint');
      return checkpoint(...args);
    };
    await expect(runDigest(event, h.deps, { owner: 'inv-1', pageSize: PAGE })).rejects.toThrow(/injected crash/);
    h.clock.ms += 61_000;
    await runDigest(event, h.deps, { owner: 'inv-2', pageSize: PAGE });

    const recipients = h.deps.queue.recipients();
    const counts = new Map<string, number>();
    for (const r of recipients) counts.set(r, (counts.get(r) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    expect(twice.length).toBeGreaterThan(0);
    expect(twice.length).toBeLessThanOrEqual(PAGE);
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    expectEveryoneOnce([...new Set(recipients)]);
  });

  it('stops cleanly before the time limit and the next invocation resumes without any re-enqueue', async () => {
    // Asked once for the lock's lease, then before each page.
    let pagesLeft = 4;
    const deps = {
      ...h.deps,
      remainingMs: () => (pagesLeft-- > 0 ? 600_000 : 5_000),
    };
    const first = await runDigest(event, deps, { owner: 'inv-1', pageSize: PAGE, reserveMs: 20_000 });
    expect(first.outcome).toBe('paused');
    expect(first.counts.pages).toBe(3);
    // The clean stop released the lease: the retry resumes at once, with no wait.
    const second = await runDigest(event, h.deps, { owner: 'inv-2', pageSize: PAGE });
    expect(second.outcome).toBe('complete');
    expectEveryoneOnce(h.deps.queue.recipients());
  });

  it('answers busy while another invocation holds the lease, and never enqueues alongside it', async () => {
    h.deps.queue.failOn(2);
    await expect(runDigest(event, h.deps, { owner: 'inv-1', pageSize: PAGE })).rejects.toThrow();
    const before = h.deps.queue.jobs.length;
    h.clock.ms += 10_000; // lease (60 s) still held by the crashed inv-1
    const result = await runDigest(event, h.deps, { owner: 'inv-2', pageSize: PAGE });
    expect(result.outcome).toBe('busy');
    expect(h.deps.queue.jobs.length).toBe(before);
  });

  it('a later schedule event first finishes the unfinished run, then starts its own', async () => {
    h.deps.queue.failOn(3);
    await expect(runDigest(event, h.deps, { owner: 'inv-1', pageSize: PAGE })).rejects.toThrow();
    h.clock.ms += 86_400_000;
    await storeArticle(h.deps.articles, articleRecord('a3', h.clock.iso(), ['weather']));
    h.clock.ms += 1_000;
    const next = await runDigest({ frequency: 'daily', scheduledTime: '2026-11-28T06:00:00.000Z' }, h.deps, { owner: 'inv-2', pageSize: PAGE });
    expect(next.resumed).toEqual([digestRunId('daily', event.scheduledTime)]);
    expect(next.outcome).toBe('complete');
    expect(next.articleIds).toEqual(['a3']);
    const first = h.deps.queue.jobs.filter((j) => j.runId === digestRunId('daily', event.scheduledTime)).flatMap((j) => j.recipients);
    expectEveryoneOnce(first);
  });
});

it('pages the real in-memory subscriber store contract (smoke: an empty audience completes with nothing sent)', async () => {
  const h2 = harness();
  await storeArticle(h2.deps.articles, articleRecord('a1', '2026-11-26T10:00:00.000Z', ['asia']));
  const result = await runDigest(
    { frequency: 'weekly', scheduledTime: '2026-11-27T06:00:00.000Z' },
    { ...h2.deps, subscribers: createMemorySubscriberStore() },
    { owner: 'i' },
  );
  expect(result).toMatchObject({ outcome: 'complete', counts: { enqueued: 0, pages: 4 } });
  expect(h2.deps.queue.jobs).toEqual([]);
});
