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

/** Records every message "SES" accepted. */
export class RecordingMailer implements Mailer {
  readonly accepted: { subscriberId: string; runId: string; messageId: string }[] = [];
  private n = 0;
  async send(message: OutgoingMessage): Promise<{ messageId: string }> {
    const messageId = `msg-${++this.n}`;
    const runId = /^Subject: (.*)$/m.exec(String(message.raw))?.[1] ?? '';
    this.accepted.push({ subscriberId: message.subscriberId, runId, messageId });
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
 * `guard` never settles (the process is gone), and `dead` resolves so the driver can move on.
 */
export class Invocation {
  crashed = false;
  private resolveDead!: () => void;
  readonly dead = new Promise<'crashed'>((resolve) => {
    this.resolveDead = () => resolve('crashed');
  });
  crash(): void {
    this.crashed = true;
    this.resolveDead();
  }
  /** Run `fn` unless dead; if dead, hang forever. */
  guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.crashed) return new Promise<T>(() => {});
    return fn().then((v) => (this.crashed ? new Promise<T>(() => {}) : v));
  }
}

export type MailFault = 'throttle' | 'quota' | 'reject' | 'crash-before-accept' | 'crash-after-accept';

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
