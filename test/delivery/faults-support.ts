/**
 * Test doubles for the sender's fault tests. Faults an emulator cannot produce (SES throttling, the
 * daily quota, a process dying mid-send) are injected by wrapping the ports; everything else is the
 * real service over in-memory adapters.
 */
import type { Subscriber, SubscriberStatus } from '../../lambda/shared/subscriptions/model.ts';
import type { SubscriberReader, SubscriberSuppressor } from '../../lambda/shared/subscriptions/store.ts';
import type { SendJob } from '../../lambda/shared/delivery/ports.ts';
import type { Mailer, OutgoingMessage } from '../../lambda/shared/mailer.ts';
import type { MessageComposer, Sendable } from '../../lambda/shared/delivery/sender.ts';
import type { Clock } from '../../lambda/shared/delivery/clock.ts';

/** A tiny in-memory subscriber reader/suppressor (U's full store is tested separately). */
export class FakeSubscribers implements Pick<SubscriberReader, 'get'>, SubscriberSuppressor {
  readonly items = new Map<string, Subscriber>();

  add(id: string, status: SubscriberStatus = 'confirmed', extra: Partial<Subscriber> = {}): Subscriber {
    const s: Subscriber = {
      id,
      email: `${id}@example.com`,
      status,
      topics: [],
      frequency: 'daily',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      ...extra,
    };
    this.items.set(id, s);
    return s;
  }
  async get(id: string): Promise<Subscriber | null> {
    return this.items.get(id) ?? null;
  }
  async suppress(id: string, reason: string, at: string): Promise<boolean> {
    const s = this.items.get(id);
    if (!s) return false;
    if (s.status !== 'suppressed') this.items.set(id, { ...s, status: 'suppressed', suppressedReason: reason, updatedAt: at });
    return true;
  }
  private readonly countedBounces = new Set<string>();
  async recordTransientBounce(id: string, bounceId: string, at: string): Promise<{ count: number; counted: boolean }> {
    const s = this.items.get(id);
    if (!s) return { count: 0, counted: false };
    if (this.countedBounces.has(`${id}/${bounceId}`)) return { count: s.transientBounces ?? 0, counted: false };
    this.countedBounces.add(`${id}/${bounceId}`);
    const n = (s.transientBounces ?? 0) + 1;
    this.items.set(id, { ...s, transientBounces: n, updatedAt: at });
    return { count: n, counted: true };
  }
  async resetTransientBounces(id: string): Promise<void> {
    const s = this.items.get(id);
    if (s) this.items.set(id, { ...s, transientBounces: 0 });
  }
}

/** A composer that writes a small recognisable message (the real one is tested in the integration test). */
export const fakeComposer: MessageComposer = {
  async compose(job: SendJob, subscriber: Sendable): Promise<OutgoingMessage> {
    return { raw: `Subject: ${job.runId}\r\n\r\nfor ${subscriber.id}\r\n`, to: subscriber.email, subscriberId: subscriber.id };
  },
};

/** Records every message "SES" accepted, with the time its request was made (when given a clock). */
export class RecordingMailer implements Mailer {
  readonly accepted: { subscriberId: string; runId: string; messageId: string; at: number; thawed?: boolean }[] = [];
  private n = 0;
  constructor(private readonly clock?: Pick<Clock, 'now'>) {}
  /** `requestedAt`: when the request that SES accepted was made (default: now); `thawed`: by a process after a freeze. */
  async send(message: OutgoingMessage, requestedAt?: number, thawed?: boolean): Promise<{ messageId: string }> {
    const messageId = `msg-${++this.n}`;
    const runId = /^Subject: (.*)$/m.exec(String(message.raw))?.[1] ?? '';
    this.accepted.push({ subscriberId: message.subscriberId, runId, messageId, at: requestedAt ?? this.clock?.now() ?? 0, ...(thawed ? { thawed } : {}) });
    return { messageId };
  }
  /** How many copies each (runId, subscriber) received. */
  copies(): Map<string, number> {
    const m = new Map<string, number>();
    for (const a of this.accepted) m.set(`${a.runId}/${a.subscriberId}`, (m.get(`${a.runId}/${a.subscriberId}`) ?? 0) + 1);
    return m;
  }
}

/** An SDK-shaped error, as @aws-sdk/client-ses throws it. */
export function sesError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
export const throttling = (): Error => sesError('Throttling', 'Maximum sending rate exceeded.');
export const dailyQuota = (): Error => sesError('Throttling', 'Daily message quota exceeded.');
export const rejected = (): Error => sesError('MessageRejected', 'Email address is not verified.');

/**
 * Simulates the death of one invocation: once `crash()` is called, every port call made through
 * `guard` never settles (the process is gone), and `dead` resolves so the driver can move on. Given a
 * hard stop, a call made or answered after it kills the invocation too, as Lambda's time limit does.
 */
export class Invocation {
  crashed = false;
  /** Why it died: an injected crash, or Lambda's time limit. */
  cause: 'crash' | 'time-limit' | undefined;
  private resolveDead!: () => void;
  readonly dead = new Promise<'crashed'>((resolve) => {
    this.resolveDead = () => resolve('crashed');
  });
  /** Frozen now: every port call waits until it runs again. */
  frozen = false;
  /** Was frozen past its time limit: it goes on afterwards, and the limit no longer stops it. */
  zombie = false;
  private resolveFrozen!: () => void;
  /** Resolves when the invocation freezes: the driver stops waiting for it and moves on. */
  readonly stalled = new Promise<'stalled'>((resolve) => {
    this.resolveFrozen = () => resolve('stalled');
  });
  constructor(private readonly limit?: { readonly clock: Pick<Clock, 'now'>; readonly hardStop: number }) {}
  private thaw!: () => void;
  private readonly thawed = new Promise<void>((resolve) => {
    this.thaw = resolve;
  });
  /** The whole invocation stops (every port call waits) until `resume`. */
  freeze(): void {
    this.frozen = true;
    this.zombie = true;
    this.resolveFrozen();
  }
  resume(): void {
    this.frozen = false;
    this.thaw();
  }
  /** Resolves once a frozen invocation runs again (at once if it is not frozen). */
  running(): Promise<void> {
    return this.frozen ? this.thawed : Promise.resolve();
  }
  crash(cause: 'crash' | 'time-limit' = 'crash'): void {
    if (this.crashed) return;
    this.crashed = true;
    this.cause = cause;
    this.resolveDead();
  }
  /** False once dead; kills the invocation first if its time is up. */
  alive(): boolean {
    if (!this.crashed && !this.zombie && this.limit && this.limit.clock.now() > this.limit.hardStop) this.crash('time-limit');
    return !this.crashed;
  }
  /** Run `fn` unless dead; if dead (or dead by the time it answers), hang forever. */
  guard<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.alive()) return new Promise<T>(() => {});
    const run = this.frozen ? this.thawed.then(fn) : fn();
    return run.then(
      (v) => (this.alive() ? v : new Promise<T>(() => {})),
      (error: unknown) => (this.alive() ? Promise.reject(error) : new Promise<T>(() => {})),
    );
  }
}

export type MailFault = 'throttle' | 'quota' | 'reject' | 'timeout-after-accept' | 'crash-before-accept' | 'crash-after-accept';

/**
 * A fault-injecting mailer wrapper: the i-th send call of an invocation suffers `faults(i)`.
 * `crash-after-accept` lets "SES" accept the message and then kills the invocation before it can
 * record the send: the documented duplicate window.
 */
export function faultyMailer(
  inner: Mailer,
  inv: Invocation,
  faults: (call: number, message: OutgoingMessage) => MailFault | undefined,
  onCall?: (call: number, message: OutgoingMessage) => void,
  /** SES accepted this message but the invocation died before seeing the answer (the window). */
  onLostAnswer?: (message: OutgoingMessage) => void,
): Mailer {
  let call = 0;
  const hang = <T>(): Promise<T> => new Promise<T>(() => {});
  return {
    send(message) {
      if (inv.crashed) return hang();
      const attempt = async (): Promise<{ messageId: string }> => {
        const i = call++;
        onCall?.(i, message);
        const fault = faults(i, message);
        if (fault === 'throttle') throw throttling();
        if (fault === 'quota') throw dailyQuota();
        if (fault === 'reject') throw rejected();
        if (fault === 'timeout-after-accept') {
          await inner.send(message);
          throw sdkTimeout();
        }
        if (fault === 'crash-before-accept') {
          inv.crash();
          return hang();
        }
        const out = await inner.send(message);
        if (fault === 'crash-after-accept') inv.crash();
        return out;
      };
      return attempt().then(
        (out) => {
          if (!inv.crashed) return out;
          // SES accepted it, but the invocation died before it saw the answer.
          onLostAnswer?.(message);
          return hang();
        },
        (error: unknown) => (inv.crashed ? hang() : Promise.reject(error)),
      );
    },
  };
}

/** Wrap every method of a port object so that a crashed invocation's calls never settle. */
export function guarded<T extends object>(port: T, inv: Invocation): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => inv.guard(() => Promise.resolve((v as (...a: unknown[]) => unknown).apply(target, args)));
    },
  });
}

/** A deterministic PRNG (mulberry32) for jitter in tests. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Virtual time for tests that run whole invocations concurrently: `sleep` parks the caller on a
 * timer, and `run` moves time to the next timer only when nothing else can progress (no microtask
 * pending, no real I/O in flight), so concurrent sleepers wake at the virtual times they would
 * really wake, and a long wait costs no real time. Calls to real stand-ins (dynalite) go through
 * `real`, which holds time still while they are in flight.
 */
export class VirtualClock implements Clock {
  private time: number;
  private readonly timers: { at: number; seq: number; wake: () => void }[] = [];
  private seq = 0;
  private inflight = 0;
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }
  now(): number {
    return this.time;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.timers.push({ at: this.time + Math.max(0, ms), seq: this.seq++, wake }));
  }
  /** Let time pass until `at` (e.g. an SQS visibility timeout), waking every timer due before it in order. */
  advanceTo(at: number): Promise<void> {
    return this.run(this.sleep(at - this.time));
  }
  /** Run a call to a real stand-in: virtual time stands still until it settles. */
  async real<T>(fn: () => Promise<T>): Promise<T> {
    this.inflight++;
    try {
      return await fn();
    } finally {
      this.inflight--;
    }
  }
  /** Settle `work`, waking the earliest timer whenever everything else is blocked on one. */
  run<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      work.then(
        (value) => {
          settled = true;
          resolve(value);
        },
        (error: unknown) => {
          settled = true;
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
      // A setImmediate callback runs with the microtask queue drained: nothing else can progress
      // now except through a timer (or real I/O, which `inflight` counts).
      let idle = 0;
      const step = (): void => {
        if (settled) return;
        if (this.inflight === 0 && this.timers.length === 0 && ++idle > 20_000) {
          reject(new Error('virtual time: nothing can progress (a deadlock in the test or the code)'));
          return;
        }
        if (this.inflight === 0 && this.timers.length > 0) {
          idle = 0;
          let first = 0;
          this.timers.forEach((t, i) => {
            const f = this.timers[first] as (typeof this.timers)[number];
            if (t.at < f.at || (t.at === f.at && t.seq < f.seq)) first = i;
          });
          const [next] = this.timers.splice(first, 1);
          if (next) {
            this.time = Math.max(this.time, next.at);
            next.wake();
          }
        }
        setImmediate(step);
      };
      setImmediate(step);
    });
  }
}

/** What the SES model does with one attempt of a SendRawEmail call. */
export type SesFault =
  | 'throttle'
  | 'quota'
  | 'reject'
  | 'paused'
  /** Accepted, answered just inside the client's request timeout. */
  | 'slow'
  /** Accepted, but the answer comes after the client's request timeout: TimeoutError. */
  | 'timeout-after-accept'
  /** Accepted, then the connection resets before the answer: ECONNRESET. */
  | 'reset-after-accept'
  /** Never reached SES, but the client sees the same TimeoutError. */
  | 'timeout-before-accept'
  /** SES answered 500 InternalFailure: it may or may not have sent. Modelled as not sent. */
  | 'server-error'
  /**
   * The invocation freezes in the SES call (a frozen container) until another invocation has claimed
   * the same message, then goes on as if nothing happened; the next fault decides the call's outcome.
   */
  | 'stall'
  | 'crash-before-accept'
  | 'crash-after-accept';

/** An error shaped as the SDK's request timeout (smithy's node-http-handler, throwOnRequestTimeout). */
export function sdkTimeout(): Error {
  return Object.assign(new Error('a request has exceeded the configured requestTimeout'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}
/** An error shaped as a socket reset reaching the SDK. */
export function connectionReset(): Error {
  return Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' });
}
/** An error shaped as an SES 500 response. */
export function serverError(): Error {
  return Object.assign(sesError('InternalFailure', 'An internal error occurred.'), { $fault: 'server', $metadata: { httpStatusCode: 500 } });
}

export interface SesModelOptions {
  readonly outbox: Pick<RecordingMailer, 'send'>;
  readonly clock: Clock;
  readonly inv: Invocation;
  /** The fault of the next attempt (of any message), or null for a normal answer. */
  readonly next: (message: OutgoingMessage) => SesFault | null;
  /** The SES client's maxAttempts: the SDK retries timeouts, resets, 5xx and throttling by itself. */
  readonly maxAttempts: number;
  /** The SES client's request timeout. */
  readonly timeoutMs: number;
  readonly latencyMs?: number;
  /** An attempt whose outcome the client cannot know (accepted or not). */
  readonly onAmbiguous?: (message: OutgoingMessage) => void;
  /** An attempt started (the SDK sends a request). */
  readonly onAttempt?: (message: OutgoingMessage) => void;
  /** Resolves when a `stall` may end (another invocation claimed the message). */
  readonly stallUntil?: (message: OutgoingMessage) => Promise<void>;
}

/**
 * SES as the sender's SES client sees it, faults included, with the SDK's own retries in front: the
 * faults no emulator produces on demand (throttling, quota, a lost answer at an exact moment, a crash).
 */
export function sesModel(o: SesModelOptions): Mailer {
  const latency = o.latencyMs ?? 40;
  const hang = <T>(): Promise<T> => new Promise<T>(() => {});
  return {
    async send(message) {
      /** A request written before a stall: its answer is read after it. */
      let written: number | undefined;
      for (let attempt = 1; ; attempt++) {
        if (written === undefined) await o.inv.running();
        if (!o.inv.alive()) return hang();
        const requestedAt = written ?? o.clock.now();
        // A request made after a freeze: the process outlived its time, so its timing bounds do not hold.
        const thawed = written === undefined && o.inv.zombie;
        written = undefined;
        const accept = () => o.outbox.send(message, requestedAt, thawed);
        const fault = o.next(message);
        o.onAttempt?.(message);
        let error: Error;
        let retryable = true;
        switch (fault) {
          case 'throttle':
            await o.clock.sleep(latency);
            error = throttling();
            break;
          case 'quota':
            await o.clock.sleep(latency);
            error = dailyQuota();
            break;
          case 'reject':
            await o.clock.sleep(latency);
            error = rejected();
            retryable = false;
            break;
          case 'paused':
            await o.clock.sleep(latency);
            error = sesError('AccountSendingPausedException', 'Sending is paused for this account.');
            retryable = false;
            break;
          case 'slow':
            await o.clock.sleep(o.timeoutMs - 1);
            if (!o.inv.alive()) return hang();
            return accept();
          case 'timeout-after-accept':
            await accept();
            o.onAmbiguous?.(message);
            await o.clock.sleep(o.timeoutMs);
            error = sdkTimeout();
            break;
          case 'reset-after-accept':
            await accept();
            o.onAmbiguous?.(message);
            await o.clock.sleep(latency);
            error = connectionReset();
            break;
          case 'timeout-before-accept':
            o.onAmbiguous?.(message);
            await o.clock.sleep(o.timeoutMs);
            error = sdkTimeout();
            break;
          case 'server-error':
            o.onAmbiguous?.(message);
            await o.clock.sleep(latency);
            error = serverError();
            break;
          case 'stall':
            // The request is written; the process freezes before it reads the answer.
            o.inv.freeze();
            await o.stallUntil?.(message);
            o.inv.resume();
            written = requestedAt;
            attempt--; // the same call goes on: the next fault is its answer
            continue;
          case 'crash-before-accept':
            o.inv.crash();
            return hang();
          case 'crash-after-accept':
            await accept();
            o.inv.crash();
            return hang();
          default:
            await o.clock.sleep(latency);
            if (!o.inv.alive()) return hang();
            return accept();
        }
        if (!o.inv.alive()) return hang();
        if (!retryable || attempt >= o.maxAttempts) throw error;
        // The SDK's standard retry strategy: jittered exponential backoff from 100 ms.
        await o.clock.sleep(100 * 2 ** (attempt - 1));
      }
    },
  };
}
