/** One contract suite for the article and run stores, on the in-memory adapters and on dynalite over the real SDK. */
import { describe, expect, it } from 'vitest';
import { articleId } from '../../lambda/shared/delivery/articles.ts';
import { ZERO_COUNTS, type RunRecord } from '../../lambda/shared/delivery/runs.ts';
import { articleRecord, deliveryStoreAdapters } from './digest-fixtures.ts';

const adapters = deliveryStoreAdapters('runs');

const run = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  runId: 'digest#daily#2026-11-27T06:00:00.000Z',
  kind: 'digest',
  frequency: 'daily',
  startedAt: '2026-11-27T06:00:01.000Z',
  articleIds: ['a1', 'a2'],
  status: 'open',
  counts: ZERO_COUNTS,
  version: 0,
  updatedAt: '2026-11-27T06:00:01.000Z',
  ...overrides,
});

describe.each(adapters)('article store contract (%s)', (_name, make) => {
  it('puts an article once, keeps the first record, and round-trips the brief', async () => {
    const { articles } = await make();
    const rec = articleRecord('a1', '2026-11-26T10:00:00.000Z', ['asia']);
    expect(await articles.putIfAbsent(rec)).toBe('created');
    expect(await articles.putIfAbsent({ ...rec, ingestedAt: '2026-11-26T12:00:00.000Z', origin: 'other' })).toBe('exists');
    expect(await articles.get('a1')).toEqual(rec);
    expect(await articles.get('missing')).toBeNull();
  });

  it('lists by ingest time in the half-open window [since, until), in order, up to the limit', async () => {
    const { articles } = await make();
    const times = ['2026-11-26T10:00:00.000Z', '2026-11-26T11:00:00.000Z', '2026-11-26T11:00:00.000Z', '2026-11-26T12:00:00.000Z'];
    for (const [i, t] of times.entries()) await articles.putIfAbsent(articleRecord(`a${i}`, t, []));
    const ids = async (since: string, until: string, limit = 10) => (await articles.listIngested({ since, until, limit })).map((a) => a.id);
    expect(await ids('', '2026-11-27T00:00:00.000Z')).toEqual(['a0', 'a1', 'a2', 'a3']);
    expect(await ids('2026-11-26T11:00:00.000Z', '2026-11-26T12:00:00.000Z')).toEqual(['a1', 'a2']);
    expect(await ids('', '2026-11-26T10:00:00.000Z')).toEqual([]);
    expect(await ids('', '2026-11-27T00:00:00.000Z', 2)).toEqual(['a0', 'a1']);
  });
});

describe.each(adapters)('run store contract (%s)', (_name, make) => {
  it('keeps the jobs of each page in page order, a page written again overwriting its own, and lists runs newest first', async () => {
    const { runs } = await make();
    const job = (issueKey: string, recipients: string[]) => ({ runId: run().runId, kind: 'digest' as const, issueKey, recipients });
    const big = Array.from({ length: 30 }, (_, i) => job(`issues/k${i}`, [`s${i}`]));
    await runs.recordJobs(run().runId, 1, [job('issues/b', ['s3'])], '2026-11-27T06:00:02.000Z');
    await runs.recordJobs(run().runId, 0, big, '2026-11-27T06:00:02.000Z');
    // The crash case: page 0 enqueued again after a lost checkpoint (same jobs) is still one set of records.
    await runs.recordJobs(run().runId, 0, big, '2026-11-27T06:00:03.000Z');
    const jobs = await runs.listJobs(run().runId);
    expect(jobs).toHaveLength(31);
    expect(jobs.map((j) => `${j.page}.${j.index}`).slice(0, 3)).toEqual(['0.0', '0.1', '0.2']);
    expect(jobs.at(-1)).toEqual({ runId: run().runId, page: 1, index: 0, issueKey: 'issues/b', recipients: ['s3'] });
    expect(await runs.listJobs('digest#weekly#other')).toEqual([]);
    // Recipients found already sent are noted on their job's record as a set; a missing record gets nothing.
    await runs.recordAlreadySent(run().runId, 0, 2, ['s2', 'x1']);
    await runs.recordAlreadySent(run().runId, 0, 2, ['x1']);
    await runs.recordAlreadySent(run().runId, 7, 0, ['x9']);
    const noted = await runs.listJobs(run().runId);
    expect(noted[2]).toMatchObject({ page: 0, index: 2, alreadySent: ['s2', 'x1'] });
    expect(noted).toHaveLength(31);
    expect(noted.filter((j) => j.alreadySent)).toHaveLength(1);

    await runs.create(run());
    await runs.create(run({ runId: 'alert#a9', kind: 'alert', frequency: 'immediate', startedAt: '2026-11-27T07:00:00.000Z' }));
    await runs.create(run({ runId: 'digest#daily#2026-11-26T06:00:00.000Z', startedAt: '2026-11-26T06:00:01.000Z' }));
    expect((await runs.listRuns(10)).map((r) => r.runId)).toEqual(['alert#a9', run().runId, 'digest#daily#2026-11-26T06:00:00.000Z']);
    expect((await runs.listRuns(1))[0]).toEqual(run({ runId: 'alert#a9', kind: 'alert', frequency: 'immediate', startedAt: '2026-11-27T07:00:00.000Z' }));
  });

  it('creates a run once', async () => {
    const { runs } = await make();
    expect(await runs.create(run())).toBe('created');
    expect(await runs.create(run({ articleIds: ['other'] }))).toBe('exists');
    expect(await runs.get(run().runId)).toEqual(run());
  });

  it('leases to one owner until the lease expires, and checkpoints only with the lease and the right version', async () => {
    const { runs } = await make();
    await runs.create(run());
    const id = run().runId;
    const leased = await runs.acquireLease(id, 'A', 1_000, 60_000);
    expect(leased).toMatchObject({ leaseOwner: 'A', leaseUntil: 61_000, version: 0 });
    expect(await runs.acquireLease(id, 'B', 30_000, 60_000)).toBeNull();
    expect(await runs.acquireLease(id, 'A', 30_000, 60_000)).not.toBeNull();

    const counts = { pages: 1, enqueued: 50, jobs: 1, skipped: 0 };
    const cp = { expectedVersion: 0, owner: 'A', cursor: 'c1', counts, leaseUntil: 120_000, at: '2026-11-27T06:00:02.000Z' };
    expect(await runs.checkpoint(id, { ...cp, owner: 'B' })).toBe(false);
    expect(await runs.checkpoint(id, { ...cp, expectedVersion: 3 })).toBe(false);
    expect(await runs.checkpoint(id, cp)).toBe(true);
    expect(await runs.checkpoint(id, cp)).toBe(false); // the version moved on
    expect(await runs.get(id)).toMatchObject({ cursor: 'c1', counts, version: 1 });

    // The lease was renewed to 120 000 by the checkpoint; B gets it only after.
    expect(await runs.acquireLease(id, 'B', 100_000, 60_000)).toBeNull();
    const taken = await runs.acquireLease(id, 'B', 120_001, 60_000);
    expect(taken).toMatchObject({ leaseOwner: 'B', cursor: 'c1', version: 1 });
    expect(await runs.checkpoint(id, { ...cp, expectedVersion: 1 })).toBe(false); // A was superseded

    await runs.releaseLease(id, 'A'); // not A's any more: no effect
    expect(await runs.acquireLease(id, 'C', 130_000, 60_000)).toBeNull();
    await runs.releaseLease(id, 'B');
    expect(await runs.acquireLease(id, 'C', 130_000, 60_000)).not.toBeNull();
  });

  it('finishes once, dropping the cursor and lease, after which the run can no longer be leased', async () => {
    const { runs } = await make();
    await runs.create(run());
    const id = run().runId;
    await runs.acquireLease(id, 'A', 0, 60_000);
    const counts = { pages: 2, enqueued: 70, jobs: 2, skipped: 3 };
    const fin = { expectedVersion: 0, owner: 'A', status: 'complete' as const, counts, at: '2026-11-27T06:01:00.000Z' };
    expect(await runs.finish(id, { ...fin, owner: 'B' })).toBe(false);
    expect(await runs.finish(id, fin)).toBe(true);
    expect(await runs.finish(id, { ...fin, expectedVersion: 1 })).toBe(false);
    const done = await runs.get(id);
    expect(done).toMatchObject({ status: 'complete', counts, completedAt: fin.at });
    expect(done).not.toHaveProperty('cursor');
    expect(done).not.toHaveProperty('leaseOwner');
    expect(await runs.acquireLease(id, 'A', 0, 60_000)).toBeNull();
  });

  it('serialises digest runs per frequency with a lease: taken over only after it expired, and only from the owner seen', async () => {
    const { runs } = await make();
    expect(await runs.getDigestState('daily')).toEqual({});
    const lock = { runId: 'r1', owner: 'A', until: 1_000, startedAt: '2026-11-27T06:00:00.000Z' };
    expect(await runs.lockDigest('daily', lock)).toBe(true);
    expect(await runs.lockDigest('daily', { ...lock, owner: 'B' })).toBe(false); // the same run, another invocation
    expect(await runs.lockDigest('daily', { ...lock, runId: 'r2' })).toBe(false);
    expect(await runs.lockDigest('weekly', { ...lock, runId: 'w1' })).toBe(true);
    const seen = await runs.getDigestState('daily');
    expect(seen).toEqual({ openRunId: 'r1', lockOwner: 'A', lockUntil: 1_000, lockStartedAt: lock.startedAt });
    // Live: no take-over. Expired: one take-over wins, conditional on the owner seen.
    expect(await runs.takeOverDigest('daily', seen, 'B', 5_000, 1_000)).toBe(false);
    expect(await runs.takeOverDigest('daily', seen, 'B', 5_000, 1_001)).toBe(true);
    expect(await runs.takeOverDigest('daily', seen, 'C', 5_000, 1_002)).toBe(false);
    expect(await runs.getDigestState('daily')).toMatchObject({ openRunId: 'r1', lockOwner: 'B', lockUntil: 5_000, lockStartedAt: lock.startedAt });
    await runs.unlockDigest('daily', 'r2'); // not the run in progress: no effect
    expect((await runs.getDigestState('daily')).openRunId).toBe('r1');
    await runs.unlockDigest('daily', 'r1');
    expect(await runs.getDigestState('daily')).toEqual({ lastRunId: 'r1' });
    await runs.unlockDigest('daily', 'r1'); // idempotent
    expect(await runs.lockDigest('daily', { ...lock, runId: 'r3' })).toBe(true);
  });
});

describe.each(adapters)('digest queue contract (%s)', (_name, make) => {
  it('queues an article once per frequency, lets exactly one run carry it, and never queues it again', async () => {
    const { articles } = await make();
    const a = articleRecord('a1', '2026-11-26T10:00:00.000Z', []);
    const b = articleRecord('b1', '2026-11-26T09:00:00.000Z', []);
    await articles.putIfAbsent(a);
    await articles.putIfAbsent(b);
    await articles.queueForDigests(a);
    await articles.queueForDigests(b, ['daily']);
    const ids = async (f: 'daily' | 'weekly', before = '2026-11-27T00:00:00.000Z') =>
      (await articles.pendingFor(f, { before, limit: 10 })).map((e) => e.articleId);
    expect(await ids('daily')).toEqual(['b1', 'a1']);
    expect(await ids('weekly')).toEqual(['a1']);
    expect(await ids('daily', '2026-11-26T10:00:00.000Z')).toEqual(['b1']);
    expect(await articles.carry('daily', 'a1', 'run-1', '2026-11-27T06:00:00.000Z')).toBe(true);
    expect(await articles.carry('daily', 'a1', 'run-1', '2026-11-27T06:00:01.000Z')).toBe(true); // the same run again
    expect(await articles.carry('daily', 'a1', 'run-2', '2026-11-27T06:00:02.000Z')).toBe(false);
    expect(await articles.carry('daily', 'zz', 'run-2', '2026-11-27T06:00:02.000Z')).toBe(false);
    expect(await ids('daily')).toEqual(['b1']);
    expect((await articles.carriedBy('daily', 'run-1')).map((e) => e.articleId)).toEqual(['a1']);
    // An ingest retry queues again: nothing changes for a carried article.
    await articles.queueForDigests(a);
    expect(await ids('daily')).toEqual(['b1']);
    expect(await ids('weekly')).toEqual(['a1']);
  });
});

it('derives the article id from the content, not the file', () => {
  const a = articleId({ title: 'Title', paragraphs: ['One  two', 'Three'] });
  expect(articleId({ title: ' Title ', paragraphs: ['One two', '', 'Three'] })).toBe(a);
  expect(articleId({ title: 'Title', paragraphs: ['One two', 'Three!'] })).not.toBe(a);
  expect(a).toMatch(/^[0-9a-f]{32}$/);
});
