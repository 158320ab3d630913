import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManualClock } from '../../lambda/shared/delivery/clock.ts';
import type { ClaimOptions, DeliveryLedger, LedgerKey } from '../../lambda/shared/delivery/ledger.ts';
import { MemoryLedger } from '../../lambda/shared/delivery/ledger-memory.ts';
import type { SendJob } from '../../lambda/shared/delivery/ports.ts';
import { TokenBucket } from '../../lambda/shared/delivery/rate-limiter.ts';
import { createSender, type BatchItem, type BatchReport } from '../../lambda/shared/delivery/sender.ts';
import type { SubscriberStatus } from '../../lambda/shared/subscriptions/model.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import {
  FakeSubscribers,
  Invocation,
  RecordingMailer,
  fakeComposer,
  faultyMailer,
  guarded,
  seeded,
  type MailFault,
} from './faults-support.ts';

/**
 * Randomized fault schedules against the sender and a simulated SQS queue (visibility timeout,
 * redelivery of failed batch items, duplicate concurrent deliveries). Faults SES and DynamoDB stand-ins
 * cannot produce are injected by wrapping the ports: throttling, the daily quota, rejections, store
 * errors, and crashes (an invocation whose every later call never settles) at any port call.
 *
 * Property: nothing is lost (every confirmed recipient ends sent or recorded as rejected) and nothing is
 * duplicated, except in the documented window: a message SES accepted whose ledger write never
 * happened (a crash, or the write failing). Each such event allows at most one extra copy of that one
 * message, and the test checks exactly that bound.
 */

const LEASE = 90_000;
const FUNCTION_TIMEOUT = 60_000;
/** SQS visibility timeout: longer than the lease, so a redelivery after a crash finds the lease expired. */
const VISIBILITY = 120_000;

/** Schedules per run; FAULT_RUNS=20000 for a deeper search. */
const RUNS = Number(process.env.FAULT_RUNS ?? 1_000);

type LedgerFault = 'error' | 'crash-before' | 'crash-after';

interface Schedule {
  statuses: SubscriberStatus[];
  jobSizes: number[];
  runs: number;
  mailFaults: (MailFault | null)[];
  ledgerFaults: (LedgerFault | null)[];
  duplicates: boolean[];
  batchSize: number;
  parallelism: number;
  seed: number;
}

/** The shared ledger seen through one invocation, with scheduled faults by global call number. */
class FaultyLedger implements DeliveryLedger {
  constructor(
    private readonly inner: MemoryLedger,
    private readonly inv: Invocation,
    private readonly next: () => LedgerFault | null,
    private readonly atRisk: (key: LedgerKey) => void,
  ) {}
  private async call<T>(fn: () => Promise<T>, onBeforeFault?: () => void): Promise<T> {
    return this.inv.guard(async () => {
      const fault = this.next();
      if (fault === 'error' || fault === 'crash-before') onBeforeFault?.();
      if (fault === 'error') throw new Error('injected ledger error');
      if (fault === 'crash-before') {
        this.inv.crash();
        return new Promise<T>(() => {});
      }
      const out = await fn();
      if (fault === 'crash-after') this.inv.crash();
      return out;
    });
  }
  claim(key: LedgerKey, o: ClaimOptions) {
    return this.call(() => this.inner.claim(key, o));
  }
  markSent(key: LedgerKey, claimId: string, messageId: string, now: number) {
    // SES accepted the message; if this write never happens (the invocation is already dead, a crash
    // or an error here) that is the documented window for this message.
    if (this.inv.crashed) this.atRisk(key);
    return this.call(() => this.inner.markSent(key, claimId, messageId, now), () => this.atRisk(key));
  }
  markRejected(key: LedgerKey, claimId: string, reason: string, now: number) {
    return this.call(() => this.inner.markRejected(key, claimId, reason, now));
  }
  release(key: LedgerKey, claimId: string) {
    return this.call(() => this.inner.release(key, claimId));
  }
  get(key: LedgerKey) {
    return this.inner.get(key);
  }
}

interface Message {
  id: string;
  job: SendJob;
  visibleAt: number;
  receives: number;
}

async function simulate(s: Schedule) {
  const clock = new ManualClock();
  const subs = new FakeSubscribers();
  const ids = s.statuses.map((status, i) => subs.add(`s${i}`, status).id);
  const ledger = new MemoryLedger();
  const outbox = new RecordingMailer();
  const atRisk = new Map<string, number>();
  const markRisk = (key: string) => atRisk.set(key, (atRisk.get(key) ?? 0) + 1);
  let mailCall = 0;
  let ledgerCall = 0;

  // Jobs as the digest enqueues them: every subscriber id (the sender re-checks status), per run.
  const queue: Message[] = [];
  for (let r = 0; r < s.runs; r++) {
    let at = 0;
    for (const size of s.jobSizes) {
      if (at >= ids.length) break;
      const recipients = ids.slice(at, at + size);
      at += size;
      queue.push({ id: `m${queue.length}`, job: { runId: `run${r}`, kind: 'digest', issueKey: `issues/run${r}/all.json`, recipients }, visibleAt: 0, receives: 0 });
    }
    if (at < ids.length) queue.push({ id: `m${queue.length}`, job: { runId: `run${r}`, kind: 'digest', issueKey: `issues/run${r}/all.json`, recipients: ids.slice(at) }, visibleAt: 0, receives: 0 });
  }

  const random = seeded(s.seed);
  const runInvocation = async (items: BatchItem[]): Promise<BatchReport | 'crashed'> => {
    const inv = new Invocation();
    const sender = createSender({
      subscribers: guarded(subs, inv),
      ledger: new FaultyLedger(ledger, inv, () => s.ledgerFaults[ledgerCall++] ?? null, (k) => markRisk(`${k.runId}/${k.subscriberId}`)),
      composer: fakeComposer,
      mailer: faultyMailer(
        outbox,
        inv,
        () => s.mailFaults[mailCall++] ?? undefined,
        undefined,
        (m) => markRisk(`${/^Subject: (.*)$/m.exec(String(m.raw))?.[1]}/${m.subscriberId}`),
      ),
      permit: new TokenBucket(1_000, clock),
      clock,
      log: silentLog,
      leaseMs: LEASE,
      backoff: { maxAttempts: 3, baseMs: 100, capMs: 1_000 },
      random,
      parallelism: s.parallelism,
    });
    return Promise.race([sender.sendBatch(items, { deadline: clock.now() + FUNCTION_TIMEOUT - 5_000 }), inv.dead]);
  };

  let round = 0;
  for (; queue.length > 0 && round < 500; round++) {
    const visible = queue.filter((m) => m.visibleAt <= clock.now());
    if (visible.length === 0) {
      clock.advance(Math.min(...queue.map((m) => m.visibleAt)) - clock.now());
      continue;
    }
    const batch = visible.slice(0, s.batchSize);
    for (const m of batch) {
      m.visibleAt = clock.now() + VISIBILITY;
      m.receives++;
    }
    const items = batch.map((m) => ({ id: m.id, job: m.job }));
    // At-least-once delivery: sometimes the same messages also reach a second, concurrent invocation.
    const dup = s.duplicates[round] === true;
    const results = await Promise.all(dup ? [runInvocation(items), runInvocation(items)] : [runInvocation(items)]);
    for (const result of results) {
      if (result === 'crashed') continue; // nothing deleted; the messages reappear after the visibility timeout
      for (const m of batch) {
        if (!result.failedItemIds.includes(m.id)) {
          const i = queue.indexOf(m);
          if (i >= 0) queue.splice(i, 1);
        }
      }
    }
  }
  return { ids, subs, ledger, outbox, atRisk, queueLeft: queue.length, rounds: round };
}

const statusArb = fc.constantFrom<SubscriberStatus>('confirmed', 'confirmed', 'confirmed', 'confirmed', 'pending', 'unsubscribed', 'suppressed');
const mailFaultArb = fc.option(
  fc.constantFrom<MailFault>('throttle', 'throttle', 'throttle', 'quota', 'reject', 'crash-before-accept', 'crash-after-accept'),
  { freq: 2, nil: null },
);
const ledgerFaultArb = fc.option(fc.constantFrom<LedgerFault>('error', 'crash-before', 'crash-after'), { freq: 6, nil: null });

const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  statuses: fc.array(statusArb, { minLength: 1, maxLength: 14 }),
  jobSizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }),
  runs: fc.integer({ min: 1, max: 2 }),
  mailFaults: fc.array(mailFaultArb, { maxLength: 40 }),
  ledgerFaults: fc.array(ledgerFaultArb, { maxLength: 60 }),
  duplicates: fc.array(fc.boolean(), { maxLength: 20 }),
  batchSize: fc.integer({ min: 1, max: 3 }),
  parallelism: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer(),
});

describe('sender under randomized fault schedules (property)', () => {
  it('loses nothing and duplicates nothing outside the documented, bounded window, over 1000 schedules (FAULT_RUNS)', async () => {
    let windowEvents = 0;
    let duplicatesSeen = 0;
    await fc.assert(
      fc.asyncProperty(scheduleArb, async (s) => {
        const out = await simulate(s);
        expect(out.queueLeft).toBe(0);
        const copies = out.outbox.copies();
        for (let r = 0; r < s.runs; r++) {
          for (const id of out.ids) {
            const key = `run${r}/${id}`;
            const n = copies.get(key) ?? 0;
            const entry = await out.ledger.get({ runId: `run${r}`, subscriberId: id });
            if (s.statuses[Number(id.slice(1))] !== 'confirmed') {
              expect(n, `${key} is not confirmed`).toBe(0);
              expect(entry).toBeNull();
              continue;
            }
            // Not lost: delivered, or rejected by SES and recorded so.
            if (entry?.state === 'rejected') {
              // A rejected retry of a message already accepted in the window is that window's copy.
              expect(n).toBeLessThanOrEqual(out.atRisk.get(key) ?? 0);
            } else {
              expect(n, `${key} delivered`).toBeGreaterThanOrEqual(1);
              // The ledger says sent, unless its write was the window (the email still went, once).
              if (entry?.state !== 'sent') expect(out.atRisk.get(key) ?? 0, `${key} ledger ${entry?.state}`).toBeGreaterThan(0);
            }
            // Not duplicated, except once per window event on this very message.
            expect(n - 1, `${key} duplicates`).toBeLessThanOrEqual(out.atRisk.get(key) ?? 0);
            duplicatesSeen += Math.max(0, n - 1);
          }
        }
        windowEvents += [...out.atRisk.values()].reduce((a, b) => a + b, 0);
        // Every accepted message is for a confirmed recipient of a known run.
        expect(out.outbox.accepted.every((m) => out.subs.items.get(m.subscriberId)?.status === 'confirmed')).toBe(true);
      }),
      { numRuns: RUNS },
    );
    // The generator really exercises the window (otherwise the bound above would be vacuous).
    expect(windowEvents).toBeGreaterThan(0);
    expect(duplicatesSeen).toBeLessThanOrEqual(windowEvents);
  }, 120_000);

  it('with no way into the window, 0 lost and 0 duplicates: every confirmed recipient gets exactly one email, over 1000 schedules', async () => {
    // Crashes only before SES is called or after the ledger write, no ledger write errors, and one
    // recipient in flight per invocation (so no parallel send is cut off by another's crash).
    const noWindow = scheduleArb.map((s) => ({
      ...s,
      parallelism: 1,
      mailFaults: s.mailFaults.map((f) => (f === 'crash-after-accept' ? 'crash-before-accept' : f)),
      ledgerFaults: s.ledgerFaults.map((f) => (f === 'error' ? null : f === 'crash-before' ? 'crash-after' : f)),
    }));
    await fc.assert(
      fc.asyncProperty(noWindow, async (s) => {
        const out = await simulate(s);
        expect(out.queueLeft).toBe(0);
        expect(out.atRisk.size).toBe(0);
        const rejected = new Set(out.ledger.entries().filter((e) => e.state === 'rejected').map((e) => `${e.runId}/${e.subscriberId}`));
        const expected: string[] = [];
        for (let r = 0; r < s.runs; r++) {
          s.statuses.forEach((status, i) => {
            if (status === 'confirmed' && !rejected.has(`run${r}/s${i}`)) expected.push(`run${r}/s${i}`);
          });
        }
        const got = out.outbox.accepted.map((m) => `${m.runId}/${m.subscriberId}`);
        expect(got.sort()).toEqual(expected.sort());
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
