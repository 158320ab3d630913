/**
 * Randomized fault schedules against the real sender handler, the in-process SQS queue (visibility
 * timeout, maxReceiveCount, dead-letter list, redrive) and the delivery ledger, on virtual time.
 *
 * What no stand-in produces on demand is injected around the real ports (faults-support.ts): SES
 * throttling, the daily quota, paused sending, rejections, answers lost after SES accepted (request
 * timeout, connection reset), timeouts before SES saw the request, 500s, the SES client's own
 * retries, ledger errors, crashes at any port call, Lambda's time limit, subscribers unsubscribing
 * or bounced mid-run, and duplicate concurrent deliveries of one message. The lease, the reserve and
 * the SES client settings are the handler's own; the function timeout, visibility timeout and
 * maxReceiveCount are the stack's.
 *
 * Property, per (run, subscriber): 0 lost; at most 1 extra copy, and only where an outcome was
 * uncertain (SES's answer lost, or an invocation died holding the claim); exactly 1 otherwise; nothing
 * sent more than STATUS_RECHECK_MS after an unsubscribe or suppression; no invocation stopped by the
 * time limit while it held a claim.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SQSRecord } from 'aws-lambda';
import { claimVerdict, MAX_TRIES, type ClaimOptions, type DeliveryLedger, type LedgerKey } from '../../lambda/shared/delivery/ledger.ts';
import { MemoryLedger } from '../../lambda/shared/delivery/ledger-memory.ts';
import { DynamoLedger } from '../../lambda/shared/delivery/ledger-dynamo.ts';
import { useDynalite } from './digest-fixtures.ts';
import { MemoryJobQueue } from '../../lambda/shared/delivery/memory-queue.ts';
import type { SendJob } from '../../lambda/shared/delivery/ports.ts';
import type { HeldMessage } from '../../lambda/shared/delivery/sqs-postpone.ts';
import type { SubscriberStatus } from '../../lambda/shared/subscriptions/model.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { createSenderHandler, senderRuntime, senderSesClientConfig } from '../../lambda/sender/handler.ts';
import { LEDGER_CALL_MS, STATUS_RECHECK_MS } from '../../lambda/shared/delivery/timing.ts';
import { SEND_MAX_RECEIVE_COUNT, SEND_QUEUE_VISIBILITY, SENDER_TIMEOUT } from '../../lib/constructs/delivery.ts';
import {
  FakeSubscribers,
  Invocation,
  RecordingMailer,
  VirtualClock,
  fakeComposer,
  guarded,
  sesModel,
  type SesFault,
} from './faults-support.ts';

/** The sender's SES client settings, as the handler builds its client. */
const SES = { timeoutMs: senderSesClientConfig().requestHandler.requestTimeout, maxAttempts: senderSesClientConfig().maxAttempts };
const FUNCTION_TIMEOUT_MS = SENDER_TIMEOUT.toMilliseconds();
const VISIBILITY_MS = SEND_QUEUE_VISIBILITY.toMilliseconds();

/** Schedules per run; FAULT_RUNS=20000 for a deeper search. */
const RUNS = Number(process.env.FAULT_RUNS ?? 400);
/** Against the DynamoDB ledger on dynalite: fewer, enough to catch a broken conditional expression. */
const DYNAMO_RUNS = Math.max(50, Math.round(RUNS / 40));
const ZOMBIE_RUNS = Math.max(100, Math.round(RUNS / 40));

/** A ledger call that fails, dies before or after its write lands, or takes as long as the DynamoDB client allows. */
type LedgerFault = 'error' | 'crash-before' | 'crash-after' | 'slow';

interface Schedule {
  statuses: SubscriberStatus[];
  jobSizes: number[];
  runs: number;
  sesFaults: (SesFault | null)[];
  ledgerFaults: (LedgerFault | null)[];
  /** At the n-th SES attempt, subscriber `who` unsubscribes or is suppressed by a bounce. */
  statusChanges: { at: number; who: number; to: 'unsubscribed' | 'suppressed' }[];
  duplicates: boolean[];
  batchSize: number;
  parallelism: number;
  /** MAX_SEND_RATE and SENDER_CONCURRENCY: this instance sends MAX_SEND_RATE / SENDER_CONCURRENCY per second. */
  rate: [number, number];
}

const key = (k: LedgerKey): string => `${k.runId}/${k.subscriberId}`;
/** The ledger key of a message the fake composer built (its Subject is the run id). */
const messageKey = (m: { raw: Buffer | string; subscriberId: string }): string => `${/^Subject: (.*)$/m.exec(String(m.raw))?.[1]}/${m.subscriberId}`;

/**
 * The run's accounting: per message, the attempts (claims) whose outcome was uncertain, and the claims
 * the time limit cut off. An attempt is uncertain when SES's answer to it was lost, or its holder died
 * or froze holding it, or its record never landed.
 */
interface Books {
  uncertain: Map<string, Set<string>>;
  cutOff: string[];
}

/** The shared ledger seen through one invocation: scheduled faults by global call number, and the claims it holds. */
class FaultyLedger implements DeliveryLedger {
  /** Claims this invocation holds: message key → claim id. */
  readonly held = new Map<string, string>();
  /** Every claim it took. */
  readonly taken: [string, string][] = [];
  constructor(
    private readonly inner: DeliveryLedger,
    private readonly inv: Invocation,
    private readonly clock: VirtualClock,
    private readonly next: () => LedgerFault | null,
    private readonly onClaimed: (k: string) => void,
  ) {}
  private call<T>(fn: () => Promise<T>, after?: (out: T) => void): Promise<T> {
    return this.inv.guard(async () => {
      const fault = this.next();
      await this.clock.sleep(fault === 'slow' ? LEDGER_CALL_MS : 5);
      if (fault === 'error') throw new Error('injected ledger error');
      if (fault === 'crash-before') {
        this.inv.crash();
        return new Promise<T>(() => {});
      }
      const out = await this.clock.real(fn);
      after?.(out);
      if (fault === 'crash-after') this.inv.crash();
      return out;
    });
  }
  claim(k: LedgerKey, o: ClaimOptions) {
    return this.call(
      () => this.inner.claim(k, o),
      (r) => {
        if (r.outcome !== 'claimed') return;
        this.held.set(key(k), o.claimId);
        this.taken.push([key(k), o.claimId]);
        this.onClaimed(key(k));
      },
    );
  }
  // A claim counts as finished by its holder only when the record landed; one lost to a take-over
  // (the holder outlived its lease) stays an attempt whose outcome was uncertain.
  markSent(k: LedgerKey, claimId: string, messageId: string, now: number) {
    return this.call(() => this.inner.markSent(k, claimId, messageId, now), (ok) => ok && this.held.delete(key(k)));
  }
  markRejected(k: LedgerKey, claimId: string, reason: string, now: number) {
    return this.call(() => this.inner.markRejected(k, claimId, reason, now), (ok) => ok && this.held.delete(key(k)));
  }
  markUnknown(k: LedgerKey, claimId: string, now: number) {
    return this.call(() => this.inner.markUnknown(k, claimId, now), (ok) => ok && this.held.delete(key(k)));
  }
  release(k: LedgerKey, claimId: string) {
    return this.call(() => this.inner.release(k, claimId), () => this.held.delete(key(k)));
  }
  get(k: LedgerKey) {
    return this.call(() => this.inner.get(k));
  }
}

const ENV = {
  TABLE_NAME: 'faults',
  BUCKET_NAME: 'unused',
  SENDER_ADDRESS: 'news@example.com',
  SENDER_NAME: 'newsbrief',
  PUBLIC_URL: 'https://news.example.com',
  CONFIGURATION_SET: 'newsbrief-events',
  SIGNING_KEYRING: JSON.stringify({ current: 'k1', k1: 'fault-test-signing-key-0123456789abcdef' }),
};

let schedules = 0;

async function simulate(s: Schedule, ledger: DeliveryLedger) {
  const prefix = `f${++schedules}`;
  const clock = new VirtualClock();
  const subs = new FakeSubscribers();
  const ids = s.statuses.map((status, i) => subs.add(`s${i}`, status).id);
  const outbox = new RecordingMailer(clock);
  const books: Books = { uncertain: new Map(), cutOff: [] };
  const uncertain = (k: string, claimId: string | undefined) => {
    if (claimId !== undefined) books.uncertain.set(k, new Set([...(books.uncertain.get(k) ?? []), claimId]));
  };
  const changedAt = new Map<string, number>();
  let sesAttempts = 0;
  let ledgerCalls = 0;
  const stats = { ambiguous: 0, deadLettered: 0, redriven: 0, timeLimits: 0, crashes: 0, stalls: 0 };

  const queue = new MemoryJobQueue({ visibilityTimeoutMs: VISIBILITY_MS, maxReceives: SEND_MAX_RECEIVE_COUNT, now: () => clock.now() });
  const jobs: SendJob[] = [];
  for (let r = 0; r < s.runs; r++) {
    const runId = `${prefix}-run${r}`;
    for (let at = 0, j = 0; at < ids.length; j++) {
      const size = s.jobSizes[j % s.jobSizes.length] as number;
      jobs.push({ runId, kind: 'digest', issueKey: `issues/${runId}/all.json`, recipients: ids.slice(at, at + size) });
      at += size;
    }
  }
  await queue.enqueue(jobs);

  const finished: { ledger: FaultyLedger; inv: Invocation }[] = [];
  /** Frozen invocations, still going on in the background. */
  const zombies: Promise<unknown>[] = [];
  const stalls = new Map<string, (() => void)[]>();
  let ending = false;
  const onClaimed = (k: string) => {
    for (const wake of stalls.get(k) ?? []) wake();
    stalls.delete(k);
  };
  const invoke = async (records: SQSRecord[]) => {
    const hardStop = clock.now() + FUNCTION_TIMEOUT_MS;
    const inv = new Invocation({ clock, hardStop });
    const faultyLedger = new FaultyLedger(ledger, inv, clock, () => s.ledgerFaults[ledgerCalls++] ?? null, onClaimed);
    const mailer = sesModel({
      outbox,
      clock,
      inv,
      next: () => {
        const n = sesAttempts++;
        for (const change of s.statusChanges) {
          const id = ids[change.who % ids.length] as string;
          const sub = subs.items.get(id);
          if (change.at === n && sub && !changedAt.has(id)) {
            subs.items.set(id, { ...sub, status: change.to });
            changedAt.set(id, clock.now());
          }
        }
        return s.sesFaults[n] ?? null;
      },
      maxAttempts: SES.maxAttempts,
      timeoutMs: SES.timeoutMs,
      onAmbiguous: (m) => {
        stats.ambiguous++;
        uncertain(messageKey(m), faultyLedger.held.get(messageKey(m)));
      },
      stallUntil: (m) => {
        stats.stalls++;
        // Frozen: every claim it holds may run out while it lives.
        for (const [k, claimId] of faultyLedger.held) uncertain(k, claimId);
        if (ending) return Promise.resolve();
        return new Promise<void>((wake) => stalls.set(messageKey(m), [...(stalls.get(messageKey(m)) ?? []), wake]));
      },
    });
    const postponer = {
      postpone: (held: readonly HeldMessage[]) =>
        inv.guard(async () => held.filter((h) => !queue.hold(h.messageId, h.receiptHandle, h.delaySeconds * 1000)).length),
    };
    const rt = senderRuntime(
      { ...ENV, MAX_SEND_RATE: String(s.rate[0]), SENDER_CONCURRENCY: String(s.rate[1]), SENDER_PARALLELISM: String(s.parallelism) },
      { ledger: faultyLedger, subscribers: guarded(subs, inv), mailer, composer: fakeComposer, clock, log: silentLog, postponer },
    );
    const handler = createSenderHandler(async () => rt);
    const running = handler({ Records: records }, { getRemainingTimeInMillis: () => hardStop - clock.now() });
    const out = await Promise.race([running, inv.dead, inv.stalled]);
    finished.push({ ledger: faultyLedger, inv });
    if (out === 'stalled') {
      // For SQS it timed out: nothing deleted. It goes on, frozen, in the background.
      zombies.push(Promise.race([running, inv.dead]));
      return 'crashed';
    }
    const died = out === 'crashed' || !inv.alive();
    if (died && inv.cause === 'time-limit') stats.timeLimits++;
    else if (died) stats.crashes++;
    return died ? 'crashed' : out;
  };

  let rounds = 0;
  for (let redrives = 0; rounds < 400; rounds++) {
    const records = queue.receive(s.batchSize);
    if (records.length === 0) {
      const next = queue.nextVisibleAt();
      if (next !== undefined) await clock.advanceTo(next);
      else if (queue.size > 0) continue;
      else if (queue.deadLetters.length > 0 && redrives++ < 2) {
        stats.deadLettered += queue.deadLetters.length;
        stats.redriven += queue.redrive();
      } else break;
      continue;
    }
    const dup = s.duplicates[rounds] === true;
    const results = await clock.run(Promise.all(dup ? [invoke(records), invoke(records)] : [invoke(records)]));
    for (const result of results) {
      if (result === 'crashed') continue; // nothing deleted: the messages come back after the visibility timeout
      const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      for (const r of records) if (!failed.has(r.messageId)) queue.delete(r.messageId, r.receiptHandle);
    }
  }
  // Wake every frozen invocation still waiting and let it finish.
  ending = true;
  for (const wakes of stalls.values()) for (const wake of wakes) wake();
  await clock.run(Promise.all(zombies.map((z) => z.catch(() => undefined))));
  // Accounted once everything settled: a dead invocation's write in flight may still land.
  for (const { ledger: held, inv } of finished) {
    // Claims the time limit cut off are a fault of the code (the reserve); any other claim left behind
    // (a crash, a record that never landed) is an attempt whose outcome is uncertain, and so is every
    // claim a frozen invocation took: its lease may run out while it lives.
    if (inv.cause === 'time-limit') books.cutOff.push(...held.held.keys());
    else for (const [k, claimId] of held.held) uncertain(k, claimId);
    if (inv.zombie) for (const [k, claimId] of held.taken) uncertain(k, claimId);
  }
  return { prefix, ids, subs, outbox, books, changedAt, queue, rounds, stats, statuses: s.statuses };
}

type Outcome = Awaited<ReturnType<typeof simulate>>;

/** Check the property for one simulated schedule; returns counts for the non-vacuity checks. */
async function check(out: Outcome, ledger: DeliveryLedger, runs: number): Promise<{ extra: number; honoured: number }> {
  expect(out.queue.size, 'queue drained').toBe(0);
  expect(out.queue.deadLetters, 'nothing left dead-lettered after the redrive').toEqual([]);
  expect(out.books.cutOff, 'claims held when the time limit stopped an invocation').toEqual([]);
  const copies = new Map<string, number[]>();
  for (const m of out.outbox.accepted) copies.set(`${m.runId}/${m.subscriberId}`, [...(copies.get(`${m.runId}/${m.subscriberId}`) ?? []), m.at]);
  // The status bound is for live processes; one that froze past its time limit sends when it thaws.
  const timely = new Map<string, number[]>();
  for (const m of out.outbox.accepted.filter((a) => !a.thawed)) timely.set(`${m.runId}/${m.subscriberId}`, [...(timely.get(`${m.runId}/${m.subscriberId}`) ?? []), m.at]);
  let extra = 0;
  let honoured = 0;
  for (let r = 0; r < runs; r++) {
    for (const id of out.ids) {
      const runId = `${out.prefix}-run${r}`;
      const k = `${runId}/${id}`;
      const times = copies.get(k) ?? [];
      const u = out.books.uncertain.get(k)?.size ?? 0;
      const changed = out.changedAt.get(id);
      if (out.statuses[Number(id.slice(1))] !== 'confirmed') {
        expect(times, `${k} was never confirmed`).toEqual([]);
        continue;
      }
      expect(times.length, `${k}: copies (attempts with an uncertain outcome: ${u})`).toBeLessThanOrEqual(u > 0 ? 2 : 1);
      extra += Math.max(0, times.length - 1);
      if (changed !== undefined) {
        for (const t of timely.get(k) ?? []) expect(t, `${k} mailed ${t - changed} ms after leaving`).toBeLessThanOrEqual(changed + STATUS_RECHECK_MS);
        if (times.length === 0) honoured++;
        continue;
      }
      if (times.length === 0) {
        const entry = await ledger.get({ runId, subscriberId: id });
        // Given up: MAX_TRIES attempts whose outcome is unknown (the ledger refuses a third), each one injected.
        const gaveUp = entry !== null && claimVerdict(entry, Number.MAX_SAFE_INTEGER) !== 'take-over' && entry.state !== 'sent' && u >= MAX_TRIES;
        expect(entry?.state === 'rejected' || gaveUp, `${k} lost (ledger ${entry?.state}, uncertain ${u})`).toBe(true);
      }
    }
  }
  return { extra, honoured };
}

const statusArb = fc.constantFrom<SubscriberStatus>('confirmed', 'confirmed', 'confirmed', 'confirmed', 'pending', 'unsubscribed', 'suppressed');
const sesFaultArb = fc.option(
  fc.constantFrom<SesFault>(
    'throttle',
    'throttle',
    'throttle',
    'quota',
    'paused',
    'reject',
    'slow',
    'slow',
    'timeout-after-accept',
    'reset-after-accept',
    'timeout-before-accept',
    'server-error',
    'crash-before-accept',
    'crash-after-accept',
    'stall',
  ),
  { freq: 3, nil: null },
);
/**
 * Frozen invocations and what may follow their thaw, dense: the schedules where a stale claim holder
 * meets a live one, which only the claim id in every ledger write keeps apart.
 */
const zombieScheduleArb: fc.Arbitrary<Schedule> = fc.record({
  statuses: fc.constant<SubscriberStatus[]>(['confirmed', 'confirmed']),
  jobSizes: fc.constant([1]),
  runs: fc.constant(1),
  sesFaults: fc.array(
    fc.option(fc.constantFrom<SesFault>('stall', 'server-error', 'quota', 'paused'), { freq: 10, nil: null }),
    { maxLength: 8 },
  ),
  ledgerFaults: fc.constant([]),
  statusChanges: fc.constant([]),
  duplicates: fc.array(fc.boolean(), { maxLength: 6 }),
  batchSize: fc.integer({ min: 1, max: 2 }),
  parallelism: fc.integer({ min: 1, max: 2 }),
  rate: fc.constant<[number, number]>([50, 1]),
});

const ledgerFaultArb = fc.option(fc.constantFrom<LedgerFault>('error', 'crash-before', 'crash-after', 'slow', 'slow'), { freq: 8, nil: null });

/** Schedules of up to `subscribers` subscribers in up to `jobs` jobs of up to 8 recipients. */
const scheduleArbOf = (subscribers: number, jobs: number): fc.Arbitrary<Schedule> => fc.record({
  statuses: fc.array(statusArb, { minLength: 1, maxLength: subscribers }),
  jobSizes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: jobs }),
  runs: fc.integer({ min: 1, max: 2 }),
  sesFaults: fc.array(sesFaultArb, { maxLength: 80 }),
  ledgerFaults: fc.array(ledgerFaultArb, { maxLength: 120 }),
  statusChanges: fc.array(
    fc.record({ at: fc.integer({ min: 0, max: 40 }), who: fc.nat(20), to: fc.constantFrom<'unsubscribed' | 'suppressed'>('unsubscribed', 'suppressed') }),
    { maxLength: 3 },
  ),
  duplicates: fc.array(fc.boolean(), { maxLength: 30 }),
  batchSize: fc.integer({ min: 1, max: 4 }),
  parallelism: fc.integer({ min: 1, max: 3 }),
  // One send per 30 s fills a function timeout with a few jobs, so the time limit is met.
  rate: fc.constantFrom<[number, number]>([1, 30], [1, 7], [1, 1], [5, 1], [50, 1]),
});
const scheduleArb = scheduleArbOf(20, 5);
/** On dynalite every ledger call is real I/O: smaller audiences, the same faults. */
const dynamoScheduleArb = scheduleArbOf(8, 3);

type Totals = { extra: number; honoured: number; ambiguous: number; deadLettered: number; crashes: number; stalls: number };

/** Run the property over `numRuns` schedules of `arb`, each against the ledger `make` returns; `occurred`: classes that must show up. */
async function property(arb: fc.Arbitrary<Schedule>, numRuns: number, make: () => DeliveryLedger, occurred: (keyof Totals)[]): Promise<void> {
  const totals: Totals = { extra: 0, honoured: 0, ambiguous: 0, deadLettered: 0, crashes: 0, stalls: 0 };
  await fc.assert(
    fc.asyncProperty(arb, async (s) => {
      const ledger = make();
      const out = await simulate(s, ledger);
      const got = await check(out, ledger, s.runs);
      totals.extra += got.extra;
      totals.honoured += got.honoured;
      totals.ambiguous += out.stats.ambiguous;
      totals.deadLettered += out.stats.deadLettered;
      totals.crashes += out.stats.crashes;
      totals.stalls += out.stats.stalls;
    }),
    { numRuns },
  );
  // Every fault class really happened (otherwise the bounds above would be vacuous).
  for (const c of occurred) expect(totals[c], c).toBeGreaterThan(0);
}

const ALL: (keyof Totals)[] = ['extra', 'honoured', 'ambiguous', 'deadLettered', 'crashes', 'stalls'];

describe('sender under randomized fault schedules (property)', () => {
  it(`0 lost, at most 1 extra copy and only where an outcome was uncertain, over ${RUNS} schedules (memory ledger; FAULT_RUNS)`, async () => {
    await property(scheduleArb, RUNS, () => new MemoryLedger(), ALL);
  }, 600_000);

  describe('on the DynamoDB ledger (dynalite)', () => {
    const dynalite = useDynalite('faults');
    let table = '';
    beforeAll(async () => {
      table = await dynalite.table();
    });
    it(`0 lost, at most 1 extra copy and only where an outcome was uncertain, over ${DYNAMO_RUNS} schedules`, async () => {
      await property(dynamoScheduleArb, DYNAMO_RUNS, () => new DynamoLedger(dynalite.doc(), table), ['extra', 'ambiguous', 'crashes']);
    }, 600_000);
    it(`the same, over ${ZOMBIE_RUNS} schedules where frozen invocations meet live ones`, async () => {
      await property(zombieScheduleArb, ZOMBIE_RUNS, () => new DynamoLedger(dynalite.doc(), table), ['stalls', 'extra']);
    }, 600_000);
  });
});
