import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lambda/shared/delivery/clock.ts';
import { MemoryLedger } from '../../lambda/shared/delivery/ledger-memory.ts';
import type { DeliveryLedger } from '../../lambda/shared/delivery/ledger.ts';
import type { SendJob } from '../../lambda/shared/delivery/ports.ts';
import { TokenBucket } from '../../lambda/shared/delivery/rate-limiter.ts';
import {
  createSender,
  UndeliverableRecipientError,
  type BatchItem,
  type BatchReport,
  type MessageComposer,
  type SendPermit,
} from '../../lambda/shared/delivery/sender.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import {
  FakeSubscribers,
  RecordingMailer,
  Invocation,
  faultyMailer,
  fakeComposer,
  guarded,
  seeded,
  type MailFault,
} from './faults-support.ts';

// Throttling, the daily quota, rejections and crashes are injected by wrapping the mailer and the
// ports (faults-support.ts): the SES emulator cannot produce them. The ledger and store are in memory;
// the integration test runs the same service over dynalite and the SES emulator.

const LEASE = 90_000;
const BACKOFF = { maxAttempts: 5, baseMs: 200, capMs: 5_000 };

interface World {
  clock: ManualClock;
  subs: FakeSubscribers;
  ledger: MemoryLedger;
  outbox: RecordingMailer;
}

function world(ids: string[]): World {
  const subs = new FakeSubscribers();
  for (const id of ids) subs.add(id);
  return { clock: new ManualClock(), subs, ledger: new MemoryLedger(), outbox: new RecordingMailer() };
}

function job(runId: string, recipients: string[]): SendJob {
  return { runId, kind: 'digest', issueKey: `issues/${runId}/all.json`, recipients };
}

interface InvokeOptions {
  faults?: (call: number, to: string) => MailFault | undefined;
  onCall?: (call: number, to: string) => void;
  ledger?: DeliveryLedger;
  parallelism?: number;
  rate?: number;
  deadline?: number;
  composer?: MessageComposer;
  permit?: SendPermit;
}

/** One sender invocation over the world; resolves 'crashed' if an injected crash killed it. */
async function invoke(w: World, items: BatchItem[], o: InvokeOptions = {}): Promise<BatchReport | 'crashed'> {
  const inv = new Invocation();
  const sender = createSender({
    subscribers: guarded(w.subs, inv),
    ledger: guarded(o.ledger ?? w.ledger, inv),
    composer: o.composer ?? fakeComposer,
    mailer: faultyMailer(
      w.outbox,
      inv,
      (i, m) => o.faults?.(i, m.subscriberId),
      (i, m) => o.onCall?.(i, m.subscriberId),
    ),
    permit: o.permit ?? new TokenBucket(o.rate ?? 1_000, w.clock),
    clock: w.clock,
    log: silentLog,
    leaseMs: LEASE,
    backoff: BACKOFF,
    random: seeded(7),
    parallelism: o.parallelism ?? 1,
  });
  return Promise.race([sender.sendBatch(items, o.deadline !== undefined ? { deadline: o.deadline } : {}), inv.dead]);
}

const ids = (n: number, p = 's'): string[] => Array.from({ length: n }, (_, i) => `${p}${i}`);
const copiesOf = (w: World): number[] => [...w.outbox.copies().values()];

describe('sender service', () => {
  it('mails each confirmed recipient once and skips pending, unsubscribed, suppressed and unknown ids', async () => {
    const w = world(['a', 'b']);
    w.subs.add('p', 'pending');
    w.subs.add('u', 'unsubscribed');
    w.subs.add('x', 'suppressed');
    // Confirmed but without an address (forgotten): never mailed.
    const { email: _dropped, ...noEmail } = w.subs.add('f', 'confirmed');
    w.subs.items.set('f', noEmail);
    const report = await invoke(w, [{ id: 'm1', job: job('r1', ['a', 'p', 'u', 'x', 'f', 'ghost', 'b', 'a']) }]);
    expect(report).toMatchObject({ failedItemIds: [] });
    expect(w.outbox.accepted.map((m) => m.subscriberId).sort()).toEqual(['a', 'b']);
    if (report === 'crashed') throw new Error('unexpected crash');
    expect(report.jobs[0]?.counts).toEqual({ sent: 2, 'already-done': 0, skipped: 5, rejected: 0, failed: 0, uncertain: 0, 'given-up': 0 });
    expect(await w.ledger.get({ runId: 'r1', subscriberId: 'a' })).toMatchObject({ state: 'sent', messageId: 'msg-1' });
    expect(await w.ledger.get({ runId: 'r1', subscriberId: 'p' })).toBeNull();
  });

  it('sends nothing twice when the same job is delivered again', async () => {
    const w = world(ids(5));
    await invoke(w, [{ id: 'm1', job: job('r1', ids(5)) }]);
    const again = await invoke(w, [{ id: 'm1', job: job('r1', ids(5)) }]);
    expect(w.outbox.accepted).toHaveLength(5);
    expect(again).toMatchObject({ failedItemIds: [], jobs: [{ counts: { sent: 0, 'already-done': 5 } }] });
  });

  it('after a crash before the k-th send, the redelivery gives every recipient exactly one email', async () => {
    for (const k of [0, 1, 3, 7]) {
      const w = world(ids(8));
      const crashed = await invoke(w, [{ id: 'm1', job: job('r1', ids(8)) }], {
        faults: (i) => (i === k ? 'crash-before-accept' : undefined),
      });
      expect(crashed).toBe('crashed');
      expect(w.outbox.accepted).toHaveLength(k);
      // SQS redelivers after the visibility timeout, which is longer than the lease.
      w.clock.advance(LEASE + 1);
      const report = await invoke(w, [{ id: 'm1', job: job('r1', ids(8)) }]);
      expect(report).toMatchObject({ failedItemIds: [] });
      expect(copiesOf(w)).toEqual(Array(8).fill(1));
    }
  });

  it('leaves a crashed claim alone until its lease expires (reporting the job failed meanwhile)', async () => {
    const w = world(ids(3));
    await invoke(w, [{ id: 'm1', job: job('r1', ids(3)) }], { faults: (i) => (i === 1 ? 'crash-before-accept' : undefined) });
    const early = await invoke(w, [{ id: 'm1', job: job('r1', ids(3)) }]);
    expect(early).toMatchObject({ failedItemIds: ['m1'], jobs: [{ retry: ['s1'], counts: { sent: 1, 'already-done': 1 } }] });
    expect(w.outbox.accepted.filter((m) => m.subscriberId === 's1')).toHaveLength(0);
    w.clock.advance(LEASE + 1);
    expect(await invoke(w, [{ id: 'm1', job: job('r1', ids(3)) }])).toMatchObject({ failedItemIds: [] });
    expect(copiesOf(w)).toEqual([1, 1, 1]);
  });

  it('bounds the documented window: a crash between SES accepting and the ledger write duplicates only that one message', async () => {
    const w = world(ids(6));
    await invoke(w, [{ id: 'm1', job: job('r1', ids(6)) }], { faults: (i) => (i === 2 ? 'crash-after-accept' : undefined) });
    w.clock.advance(LEASE + 1);
    await invoke(w, [{ id: 'm1', job: job('r1', ids(6)) }]);
    const copies = w.outbox.copies();
    expect(copies.get('r1/s2')).toBe(2);
    expect([...copies.entries()].filter(([k]) => k !== 'r1/s2').map(([, n]) => n)).toEqual(Array(5).fill(1));
  });

  it('never retries a send whose answer was lost: recorded unknown, sent once more after the lease, then given up', async () => {
    // The real faults (timeout, reset after SES accepted) are in ambiguous.test.ts; here their error shapes.
    const w = world(ids(2));
    const lost = (_i: number, to: string): MailFault | undefined => (to === 's0' ? 'timeout-after-accept' : undefined);
    const first = await invoke(w, [{ id: 'm1', job: job('r1', ids(2)) }], { faults: lost });
    expect(first).toMatchObject({ failedItemIds: ['m1'], jobs: [{ retry: ['s0'], counts: { sent: 1, uncertain: 1 } }] });
    expect(copiesOf(w)).toEqual([1, 1]);
    expect(await w.ledger.get({ runId: 'r1', subscriberId: 's0' })).toMatchObject({ state: 'unknown', tries: 1 });
    // The lease still holds: a redelivery now sends nothing.
    expect(await invoke(w, [{ id: 'm1', job: job('r1', ids(2)) }], { faults: lost })).toMatchObject({ jobs: [{ counts: { failed: 1, 'already-done': 1 } }] });
    expect(copiesOf(w)).toEqual([1, 1]);
    w.clock.advance(LEASE + 1);
    const second = await invoke(w, [{ id: 'm1', job: job('r1', ids(2)) }], { faults: lost });
    expect(second).toMatchObject({ failedItemIds: [], jobs: [{ counts: { 'given-up': 1, 'already-done': 1 } }] });
    w.clock.advance(LEASE + 1);
    expect(await invoke(w, [{ id: 'm1', job: job('r1', ids(2)) }])).toMatchObject({ failedItemIds: [], jobs: [{ counts: { 'given-up': 1 } }] });
    expect(w.outbox.copies().get('r1/s0')).toBe(2);
  });

  it('does not wait for a rate token that would come after the deadline', async () => {
    const w = world(ids(3));
    // One token per 10 s; the deadline leaves room for two sends.
    const deadline = w.clock.now() + 15_000;
    const report = await invoke(w, [{ id: 'm1', job: job('r1', ids(3)) }], { rate: 0.1, deadline });
    expect(report).toMatchObject({ stopped: 'deadline', failedItemIds: ['m1'], jobs: [{ counts: { sent: 2, failed: 1 } }] });
    expect(w.clock.now()).toBeLessThanOrEqual(deadline);
    expect(w.ledger.entries().filter((e) => e.state === 'claimed')).toEqual([]);
  });

  it('retries throttled sends with exponential backoff and jitter until delivered', async () => {
    const w = world(ids(3));
    const attemptsAt: Record<string, number[]> = {};
    let throttledS1 = 0;
    const report = await invoke(w, [{ id: 'm1', job: job('r1', ids(3)) }], {
      faults: (_i, to) => (to === 's1' && throttledS1++ < 3 ? 'throttle' : undefined),
      onCall: (_i, to) => (attemptsAt[to] ??= []).push(w.clock.now()),
    });
    expect(report).toMatchObject({ failedItemIds: [] });
    expect(copiesOf(w)).toEqual([1, 1, 1]);
    const t = attemptsAt.s1 ?? [];
    expect(t).toHaveLength(4);
    // Retry r waits in [step/2, step] with step = 200·2^(r−1) ms (plus at most a token's wait at 1000/s).
    for (let r = 1; r <= 3; r++) {
      const gap = (t[r] ?? 0) - (t[r - 1] ?? 0);
      const step = 200 * 2 ** (r - 1);
      expect(gap).toBeGreaterThanOrEqual(step / 2);
      expect(gap).toBeLessThanOrEqual(step + 2);
    }
  });

  it('gives up on a recipient still throttled after the bounded attempts, releases its claim and SQS retry delivers it', async () => {
    const w = world(ids(3));
    const first = await invoke(w, [{ id: 'm1', job: job('r1', ids(3)) }], {
      faults: (_i, to) => (to === 's0' ? 'throttle' : undefined),
    });
    expect(first).toMatchObject({ failedItemIds: ['m1'], jobs: [{ retry: ['s0'], counts: { sent: 2, failed: 1 } }] });
    expect(await w.ledger.get({ runId: 'r1', subscriberId: 's0' })).toBeNull();
    // No lease to wait for: the claim was released.
    expect(await invoke(w, [{ id: 'm1', job: job('r1', ids(3)) }])).toMatchObject({ failedItemIds: [] });
    expect(copiesOf(w)).toEqual([1, 1, 1]);
  });

  it('stops the batch on "Daily message quota exceeded" and leaves the rest queued, unsent', async () => {
    const w = world(ids(10));
    const items = [
      { id: 'm1', job: job('r1', ids(10).slice(0, 5)) },
      { id: 'm2', job: job('r1', ids(10).slice(5)) },
    ];
    let calls = 0;
    const report = await invoke(w, items, { faults: (i) => (i === 2 ? 'quota' : undefined), onCall: () => calls++ });
    expect(report).toMatchObject({ stopped: 'quota-exceeded', failedItemIds: ['m1', 'm2'] });
    expect(calls).toBe(3);
    expect(w.outbox.accepted).toHaveLength(2);
    // Nothing is left claimed: the retry tomorrow need not wait for leases.
    expect(w.ledger.entries().filter((e) => e.state === 'claimed')).toEqual([]);
    const retry = await invoke(w, items);
    expect(retry).toMatchObject({ failedItemIds: [] });
    expect(copiesOf(w)).toEqual(Array(10).fill(1));
  });

  it('records one rejected recipient and still delivers the others; the rejection is not retried', async () => {
    const w = world(ids(4));
    const report = await invoke(w, [{ id: 'm1', job: job('r1', ids(4)) }], { faults: (_i, to) => (to === 's2' ? 'reject' : undefined) });
    expect(report).toMatchObject({ failedItemIds: [], jobs: [{ counts: { sent: 3, rejected: 1 } }] });
    expect(await w.ledger.get({ runId: 'r1', subscriberId: 's2' })).toMatchObject({ state: 'rejected', reason: 'MessageRejected' });
    await invoke(w, [{ id: 'm1', job: job('r1', ids(4)) }]);
    expect(w.outbox.accepted.map((m) => m.subscriberId).sort()).toEqual(['s0', 's1', 's3']);
  });

  it('records a recipient the composer finds undeliverable as rejected and sends the rest', async () => {
    const w = world(ids(3));
    const composer: MessageComposer = {
      async compose(job, subscriber) {
        if (subscriber.id === 's1') throw new UndeliverableRecipientError('the stored address is not a valid mailbox');
        return fakeComposer.compose(job, subscriber);
      },
    };
    const report = await invoke(w, [{ id: 'm1', job: job('r1', ids(3)) }], { composer });
    expect(report).toMatchObject({ failedItemIds: [], jobs: [{ counts: { sent: 2, rejected: 1 } }] });
    expect(await w.ledger.get({ runId: 'r1', subscriberId: 's1' })).toMatchObject({ state: 'rejected', reason: 'UndeliverableRecipientError' });
  });

  it('fails the job, not the recipient, when the issue itself cannot be composed', async () => {
    const w = world(ids(2));
    const composer: MessageComposer = {
      async compose() {
        throw new Error('issues/x.json: no such issue in the archive');
      },
    };
    const report = await invoke(w, [{ id: 'm1', job: job('r1', ids(2)) }], { composer });
    expect(report).toMatchObject({ failedItemIds: ['m1'], jobs: [{ counts: { failed: 2 } }] });
    // Claims released: the retry (after the archive is fixed) need not wait for leases.
    expect(w.ledger.entries()).toEqual([]);
  });

  it('reports only the failed jobs of a batch', async () => {
    const w = world(ids(6));
    const items = [
      { id: 'm1', job: job('r1', ['s0', 's1']) },
      { id: 'm2', job: job('r1', ['s2', 's3']) },
      { id: 'm3', job: job('r1', ['s4', 's5']) },
    ];
    const report = await invoke(w, items, { faults: (_i, to) => (to === 's3' ? 'throttle' : undefined) });
    expect(report).toMatchObject({ failedItemIds: ['m2'] });
    expect(w.outbox.accepted).toHaveLength(5);
  });

  it('starts nothing new past the deadline and reports the job for retry', async () => {
    const w = world(ids(4));
    const report = await invoke(w, [{ id: 'm1', job: job('r1', ids(4)) }], { deadline: w.clock.now() - 1 });
    expect(report).toMatchObject({ stopped: 'deadline', failedItemIds: ['m1'] });
    expect(w.outbox.accepted).toHaveLength(0);
  });

  it('treats a failing ledger as "not sent": the job is retried and nothing is mailed unclaimed', async () => {
    const w = world(ids(2));
    class BrokenLedger extends MemoryLedger {
      override async claim(): Promise<never> {
        throw new Error('dynamo down');
      }
    }
    const broken = new BrokenLedger();
    const report = await invoke(w, [{ id: 'm1', job: job('r1', ids(2)) }], { ledger: broken });
    expect(report).toMatchObject({ failedItemIds: ['m1'], jobs: [{ counts: { failed: 2 } }] });
    expect(w.outbox.accepted).toHaveLength(0);
  });

  it('holds the send rate with the token bucket, parallel recipients included', async () => {
    const w = world(ids(50));
    const start = w.clock.now();
    const report = await invoke(w, [{ id: 'm1', job: job('r1', ids(50)) }], { rate: 10, parallelism: 4 });
    expect(report).toMatchObject({ failedItemIds: [] });
    // 10 in the full bucket, then 40 more at 10/s.
    expect(w.clock.now() - start).toBeGreaterThanOrEqual(4_000);
    expect(copiesOf(w)).toEqual(Array(50).fill(1));
  });
});

describe('a status change while a send waits', () => {
  const unsubscribe = (w: World, id: string, status: 'unsubscribed' | 'suppressed') =>
    w.subs.items.set(id, { ...(w.subs.items.get(id) as NonNullable<ReturnType<typeof w.subs.items.get>>), status });

  it('honours an unsubscribe that lands while the send waits for a rate token', async () => {
    const w = world(['a', 'b']);
    // The bucket is empty: each token takes 3 s, and 'a' unsubscribes during the first wait.
    let waits = 0;
    const permit: SendPermit = {
      async take() {
        await w.clock.sleep(3_000);
        if (++waits === 1) unsubscribe(w, 'a', 'unsubscribed');
        return true;
      },
    };
    const report = await invoke(w, [{ id: 'm1', job: job('r1', ['a', 'b']) }], { permit });
    expect(w.outbox.accepted.map((m) => m.subscriberId)).toEqual(['b']);
    expect(report).toMatchObject({ failedItemIds: [], jobs: [{ counts: { sent: 1, skipped: 1 } }] });
    expect(await w.ledger.get({ runId: 'r1', subscriberId: 'a' })).toBeNull();
  });

  it('honours a bounce suppression that lands during throttling backoff', async () => {
    const w = world(['a']);
    // SES throttles four times (backoff ≥ 1.5 s in all); the first call's bounce suppresses 'a' meanwhile.
    const report = await invoke(w, [{ id: 'm1', job: job('r1', ['a']) }], {
      faults: (i) => (i < 4 ? 'throttle' : undefined),
      onCall: (i) => i === 0 && unsubscribe(w, 'a', 'suppressed'),
    });
    expect(w.outbox.accepted).toEqual([]);
    expect(report).toMatchObject({ failedItemIds: [], jobs: [{ counts: { skipped: 1 } }] });
  });
});
