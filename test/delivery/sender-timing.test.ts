/**
 * The sender's stop margin against Lambda's hard stop: with every call as slow as its client settings
 * allow (timing.ts), no send and no ledger record is still running when the invocation's time is up,
 * and a reserve too small for that is refused at cold start.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lambda/shared/delivery/clock.ts';
import type { ClaimOptions, DeliveryLedger, LedgerKey } from '../../lambda/shared/delivery/ledger.ts';
import { MemoryLedger } from '../../lambda/shared/delivery/ledger-memory.ts';
import type { Mailer } from '../../lambda/shared/mailer.ts';
import { LEDGER_CALL_MS, SES_REQUEST_TIMEOUT_MS, senderTimingProblems } from '../../lambda/shared/delivery/timing.ts';
import { ConfigError } from '../../lambda/shared/config.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { createSenderHandler, senderRuntime } from '../../lambda/sender/handler.ts';
import { SEND_QUEUE_VISIBILITY, SENDER_TIMEOUT } from '../../lib/constructs/delivery.ts';
import { checkDeliveryTiming, ConfigurationError } from '../../lib/config.ts';
import { FakeSubscribers, RecordingMailer, fakeComposer } from './faults-support.ts';
import { sqsEvent } from './sender-fixtures.ts';

const ENV = {
  TABLE_NAME: 'timing',
  BUCKET_NAME: 'unused',
  SENDER_ADDRESS: 'news@example.com',
  SENDER_NAME: 'newsbrief',
  PUBLIC_URL: 'https://news.example.com',
  CONFIGURATION_SET: 'newsbrief-events',
  MAX_SEND_RATE: '1000',
  SENDER_CONCURRENCY: '1',
  SENDER_PARALLELISM: '1',
  SIGNING_KEYRING: JSON.stringify({ current: 'k1', k1: 'timing-test-signing-key-0123456789abcdef' }),
};

/** A ledger whose every call takes as long as the sender's DynamoDB client allows, recording when each ended. */
class SlowLedger implements DeliveryLedger {
  readonly ended: number[] = [];
  constructor(
    private readonly inner: DeliveryLedger,
    private readonly clock: ManualClock,
  ) {}
  private async slow<T>(fn: () => Promise<T>): Promise<T> {
    await this.clock.sleep(LEDGER_CALL_MS);
    const out = await fn();
    this.ended.push(this.clock.now());
    return out;
  }
  claim(k: LedgerKey, o: ClaimOptions) {
    return this.slow(() => this.inner.claim(k, { ...o, now: this.clock.now() }));
  }
  markSent(k: LedgerKey, claimId: string, messageId: string, now: number) {
    return this.slow(() => this.inner.markSent(k, claimId, messageId, now));
  }
  markRejected(k: LedgerKey, claimId: string, reason: string, now: number) {
    return this.slow(() => this.inner.markRejected(k, claimId, reason, now));
  }
  markUnknown(k: LedgerKey, claimId: string, now: number) {
    return this.slow(() => this.inner.markUnknown(k, claimId, now));
  }
  release(k: LedgerKey, claimId: string) {
    return this.slow(() => this.inner.release(k, claimId));
  }
  get(k: LedgerKey) {
    return this.slow(() => this.inner.get(k));
  }
}

describe('the sender stop margin', () => {
  it('leaves nothing running at the hard stop, with SES answering at its request timeout and every ledger call at its limit', async () => {
    const clock = new ManualClock();
    const subs = new FakeSubscribers();
    const ids = Array.from({ length: 8 }, (_, i) => subs.add(`s${i}`).id);
    const ledger = new SlowLedger(new MemoryLedger(), clock);
    const outbox = new RecordingMailer(clock);
    const sesCalls: { start: number; end: number }[] = [];
    // SES answers each request just as the client's request timeout would fire.
    const mailer: Mailer = {
      async send(message) {
        const start = clock.now();
        await clock.sleep(SES_REQUEST_TIMEOUT_MS);
        sesCalls.push({ start, end: clock.now() });
        return outbox.send(message, start);
      },
    };
    const rt = senderRuntime(ENV, { ledger, subscribers: subs, mailer, composer: fakeComposer, clock, log: silentLog });
    const start = clock.now();
    // 110 s left: one send after another (16 s each: claim, SES, record) puts an SES call right at the deadline.
    const remaining = 110_000;
    const out = await createSenderHandler(async () => rt)(
      sqsEvent([{ runId: 'r1', kind: 'digest', issueKey: 'issues/r1/all.json', recipients: ids }]),
      { getRemainingTimeInMillis: () => remaining },
    );
    expect(out.batchItemFailures).toHaveLength(1);
    expect(sesCalls.length).toBeGreaterThan(0);
    expect(Math.max(...sesCalls.map((c) => c.end)), 'last SES answer').toBeLessThanOrEqual(start + remaining);
    expect(Math.max(...ledger.ended), 'last ledger write').toBeLessThanOrEqual(start + remaining);
    // Every message SES accepted is recorded sent: none was cut off between the send and its record.
    const recorded = (await Promise.all(ids.map((id) => ledger.get({ runId: 'r1', subscriberId: id })))).filter((e) => e?.state === 'sent');
    expect(recorded).toHaveLength(outbox.accepted.length);
  });

  it('refuses, at cold start, a reserve that an SES call plus its record would outlast', () => {
    expect(() => senderRuntime({ ...ENV, SENDER_RESERVE_SECONDS: '10' })).toThrow(ConfigError);
    expect(() => senderRuntime({ ...ENV, SENDER_RESERVE_SECONDS: '13' })).toThrow(/SENDER_RESERVE_SECONDS: must exceed 13 s/);
    expect(senderRuntime({ ...ENV, SENDER_RESERVE_SECONDS: '14' }).reserveMs).toBe(14_000);
    expect(senderRuntime(ENV).reserveMs).toBeGreaterThan(SES_REQUEST_TIMEOUT_MS + LEDGER_CALL_MS);
  });

  it('holds for the stack: reserve > SES timeout + a ledger write, and the lease between the function timeout and the visibility timeout', () => {
    const timing = { reserveMs: senderRuntime(ENV).reserveMs, functionTimeoutMs: SENDER_TIMEOUT.toMilliseconds(), visibilityTimeoutMs: SEND_QUEUE_VISIBILITY.toMilliseconds() };
    expect(senderTimingProblems(timing)).toEqual([]);
    expect(senderTimingProblems({ ...timing, reserveMs: SES_REQUEST_TIMEOUT_MS })).toEqual([expect.stringMatching(/reserve \(10000 ms\) must exceed/)]);
    expect(senderTimingProblems({ ...timing, visibilityTimeoutMs: timing.functionTimeoutMs })).toEqual([expect.stringMatching(/lease .* must be shorter than the send queue's visibility timeout/)]);
    // The CDK config applies the same check at synth.
    expect(() => checkDeliveryTiming(timing)).not.toThrow();
    expect(() => checkDeliveryTiming({ ...timing, reserveMs: SES_REQUEST_TIMEOUT_MS })).toThrow(ConfigurationError);
  });
});
