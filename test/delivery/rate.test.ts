import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lambda/shared/delivery/clock.ts';
import { instanceRate, TokenBucket } from '../../lambda/shared/delivery/rate-limiter.ts';
import { backoffDelay, maxTotalBackoff } from '../../lambda/shared/delivery/retry.ts';
import { classifySesError } from '../../lambda/shared/ses-errors.ts';
import { defaultParallelism } from '../../lambda/sender/handler.ts';
import { connectionReset, sdkTimeout, serverError, sesError } from './faults-support.ts';
import { SesNoMessageIdError } from '../../lambda/shared/ses-mailer.ts';

describe('token bucket', () => {
  it('lets a full bucket through at once, then holds the configured rate', async () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket(10, clock); // capacity 10
    for (let i = 0; i < 10; i++) await bucket.take();
    expect(clock.now()).toBe(0);
    for (let i = 0; i < 50; i++) await bucket.take();
    // 50 more tokens at 10/s take 5 s.
    expect(clock.now()).toBeGreaterThanOrEqual(5_000);
    expect(clock.now()).toBeLessThanOrEqual(5_050);
  });

  it('gives concurrent waiters distinct slots instead of sharing one token', async () => {
    const clock = new ManualClock(0, 'timers');
    const bucket = new TokenBucket(4, clock, { capacity: 1, initialTokens: 0 });
    const wokeAt: number[] = [];
    const all = Promise.all([0, 1, 2, 3].map(() => bucket.take().then(() => wokeAt.push(clock.now()))));
    await clock.tick(600);
    expect(wokeAt).toEqual([250, 500]);
    await clock.tick(1_000);
    await all;
    expect(wokeAt).toEqual([250, 500, 750, 1000]);
  });

  it('refills over time but never beyond its capacity', () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket(2, clock, { capacity: 2 });
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.waitTime()).toBe(500);
    clock.advance(60_000);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it('divides the account rate across the sender concurrency and refuses a zero rate', () => {
    expect(instanceRate(14, 2)).toBe(7);
    expect(instanceRate(200, 4)).toBe(50);
    expect(() => new TokenBucket(0, new ManualClock())).toThrow(RangeError);
  });

  it('keeps enough sends in flight for the instance rate at ~100 ms each, within [4, 32]', () => {
    expect(defaultParallelism(7)).toBe(4);
    expect(defaultParallelism(100)).toBe(10);
    expect(defaultParallelism(101)).toBe(11);
    expect(defaultParallelism(1_000)).toBe(32);
  });
});

describe('backoff with jitter', () => {
  const policy = { maxAttempts: 5, baseMs: 100, capMs: 1_000 };
  it('doubles each retry, jitters within [step/2, step] and stops at the cap', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(50);
    expect(backoffDelay(policy, 1, () => 0.999999)).toBe(100);
    expect(backoffDelay(policy, 3, () => 0)).toBe(200);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(300);
    expect(backoffDelay(policy, 10, () => 1)).toBe(1_000);
    expect(maxTotalBackoff(policy)).toBe(100 + 200 + 400 + 800);
  });
});

describe('SES error classification', () => {
  it('tells the two Throttling errors apart by their message', () => {
    expect(classifySesError(sesError('Throttling', 'Maximum sending rate exceeded.'))).toBe('throttled');
    expect(classifySesError(sesError('Throttling', 'Daily message quota exceeded.'))).toBe('quota-exceeded');
  });
  it('recognises rejections and paused sending', () => {
    expect(classifySesError(sesError('MessageRejected', 'Email address is not verified.'))).toBe('rejected');
    expect(classifySesError(sesError('AccountSendingPausedException', 'paused'))).toBe('sending-paused');
    expect(classifySesError(sesError('ConfigurationSetDoesNotExistException', 'no'))).toBe('sending-paused');
  });
  it('calls every error that may follow an accepted request ambiguous: timeouts, resets, 5xx, no MessageId, unknown throws', () => {
    // The shapes the real SESClient throws (test/delivery/ambiguous.test.ts produces the first two for real).
    expect(classifySesError(sdkTimeout())).toBe('ambiguous');
    expect(classifySesError(connectionReset())).toBe('ambiguous');
    expect(classifySesError(Object.assign(connectionReset(), { name: 'TimeoutError' }))).toBe('ambiguous');
    expect(classifySesError(serverError())).toBe('ambiguous');
    expect(classifySesError(new SesNoMessageIdError('no id'))).toBe('ambiguous');
    expect(classifySesError(sesError('TimeoutError', 'socket hang up'))).toBe('ambiguous');
    expect(classifySesError('boom')).toBe('ambiguous');
    expect(classifySesError(null)).toBe('ambiguous');
  });
  it('calls transient only what proves the request never reached SES, or SES refused it', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', $metadata: { attempts: 1 } });
    expect(classifySesError(refused)).toBe('transient');
    expect(classifySesError(Object.assign(new Error('the request socket did not establish a connection with the server within the configured timeout of 1000 ms.'), { name: 'TimeoutError' }))).toBe('transient');
    expect(classifySesError(Object.assign(sesError('CredentialsProviderError', 'Could not load credentials'), {}))).toBe('transient');
    expect(classifySesError(Object.assign(sesError('InvalidParameterValue', 'bad'), { $metadata: { httpStatusCode: 400 } }))).toBe('transient');
  });
});
