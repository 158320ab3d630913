import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../lambda/shared/delivery/clock.ts';
import {
  createMailEvents,
  InvalidMailEventError,
  parseSnsRecord,
  subscriberIdOf,
  type MailEventsService,
} from '../../lambda/shared/delivery/mail-events.ts';
import { MemoryLedger } from '../../lambda/shared/delivery/ledger-memory.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { createDynamoSubscriberStore } from '../../lambda/shared/subscriptions/dynamo-store.ts';
import { createMemorySubscriberStore } from '../../lambda/shared/subscriptions/memory-store.ts';
import type { SubscriberStore } from '../../lambda/shared/subscriptions/store.ts';
import { ensureTable, localDynamo, startStandins, type Standins } from '../../scripts/local/standins.ts';

/** An SES event-publishing notification (the configuration-set format), as SNS wraps it. */
function snsRecord(message: unknown, type = 'Notification') {
  return {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:mail-events:1',
    Sns: {
      Type: type,
      MessageId: `sns-${Math.random()}`,
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:mail-events',
      Subject: null,
      Message: typeof message === 'string' ? message : JSON.stringify(message),
      Timestamp: '2026-01-01T00:00:00.000Z',
      SignatureVersion: '1',
      Signature: 'x',
      SigningCertUrl: 'https://example.com/cert.pem',
      UnsubscribeUrl: 'https://example.com/unsub',
      MessageAttributes: {},
    },
  };
}

let feedback = 0;
function mail(subscriberId: string | null, via: 'tag' | 'header' = 'tag') {
  return {
    timestamp: '2026-01-01T00:00:00.000Z',
    source: 'News <news@example.com>',
    messageId: `0100018c-${subscriberId ?? 'none'}-${feedback}`,
    destination: ['reader@example.org'],
    headersTruncated: false,
    headers: [
      { name: 'From', value: 'News <news@example.com>' },
      ...(subscriberId !== null && via === 'header' ? [{ name: 'X-Newsbrief-Subscriber', value: subscriberId }] : []),
    ],
    commonHeaders: { from: ['News <news@example.com>'], to: ['reader@example.org'], subject: 'Daily' },
    tags: {
      'ses:configuration-set': ['newsbrief'],
      'ses:from-domain': ['example.com'],
      ...(subscriberId !== null && via === 'tag' ? { subscriberId: [subscriberId] } : {}),
    },
  };
}

const bounce = (id: string | null, bounceType: 'Permanent' | 'Transient' | 'Undetermined', feedbackId = `fb-${++feedback}`) => ({
  eventType: 'Bounce',
  bounce: {
    bounceType,
    bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
    bouncedRecipients: [{ emailAddress: 'reader@example.org', action: 'failed', status: '5.1.1' }],
    timestamp: '2026-01-01T00:00:01.000Z',
    feedbackId,
    reportingMTA: 'dsn; a.example.org',
  },
  mail: mail(id),
});
const complaint = (id: string, via: 'tag' | 'header' = 'tag') => ({
  // Identity feedback notifications use notificationType; both formats are accepted.
  notificationType: 'Complaint',
  complaint: { complainedRecipients: [{ emailAddress: 'reader@example.org' }], timestamp: '2026-01-01T00:00:01.000Z', feedbackId: `fb-${++feedback}`, complaintFeedbackType: 'abuse' },
  mail: mail(id, via),
});
const delivery = (id: string) => ({
  eventType: 'Delivery',
  delivery: { timestamp: '2026-01-01T00:00:01.000Z', processingTimeMillis: 500, recipients: ['reader@example.org'], smtpResponse: '250 ok' },
  mail: mail(id),
});

describe('SES notification parsing', () => {
  it('reads the subscriber from the message tag, else from the header', () => {
    expect(subscriberIdOf(parseSnsRecord(snsRecord(bounce('abc-1', 'Permanent'))))).toBe('abc-1');
    expect(subscriberIdOf(parseSnsRecord(snsRecord(complaint('hdr_2', 'header'))))).toBe('hdr_2');
    expect(subscriberIdOf(parseSnsRecord(snsRecord(bounce(null, 'Permanent'))))).toBeNull();
  });

  it('rejects malformed records with a reason, never the payload', () => {
    const bad = [
      { nope: true },
      snsRecord('not json'),
      snsRecord({ mail: mail('a') }),
      snsRecord({ eventType: 'Bounce', mail: mail('a') }),
      snsRecord({ eventType: 'Bounce', bounce: { bounceType: 'Sideways', feedbackId: 'x' }, mail: mail('a') }),
      snsRecord(bounce('a', 'Permanent'), 'SubscriptionConfirmation'),
    ];
    for (const record of bad) expect(() => parseSnsRecord(record)).toThrow(InvalidMailEventError);
    try {
      parseSnsRecord(snsRecord({ eventType: 'Bounce', bounce: { bounceType: 'Sideways', feedbackId: 'x' }, mail: mail('a') }));
    } catch (error) {
      expect(String(error)).not.toContain('reader@example.org');
    }
  });
});

describe('mail events over the subscriber store on dynalite', () => {
  let standins: Standins;
  let store: SubscriberStore;
  let events: MailEventsService;
  const TABLE = 'mail-events';
  let n = 0;

  async function confirmed(): Promise<string> {
    const id = `sub-${++n}`;
    await store.createPending({ id, email: `r${n}@example.org`, emailHash: `k1:h-${id}`, topics: [], frequency: 'daily' }, '2026-01-01T00:00:00.000Z');
    await store.confirm(id, '2026-01-01T00:00:00.000Z');
    return id;
  }

  beforeAll(async () => {
    standins = await startStandins();
    const { client, doc } = localDynamo(standins.dynamoEndpoint);
    await ensureTable(client, TABLE);
    store = createDynamoSubscriberStore({ doc, tableName: TABLE });
    events = createMailEvents({ suppressor: store, clock: new ManualClock(), log: silentLog });
  });
  afterAll(async () => {
    await standins?.stop();
  });

  it('suppresses at once on a permanent bounce', async () => {
    const id = await confirmed();
    expect(await events.handleRecords([snsRecord(bounce(id, 'Permanent'))])).toMatchObject({ suppressed: 1 });
    expect(await store.get(id)).toMatchObject({ status: 'suppressed', suppressedReason: 'bounce:permanent:General' });
  });

  it('suppresses at once on a complaint (identity-notification format, id from the header)', async () => {
    const id = await confirmed();
    await events.handleRecords([snsRecord(complaint(id, 'header'))]);
    expect(await store.get(id)).toMatchObject({ status: 'suppressed', suppressedReason: 'complaint' });
  });

  it('counts transient bounces and suppresses on the third in a row; a delivery resets the count', async () => {
    const id = await confirmed();
    await events.handleRecords([snsRecord(bounce(id, 'Transient')), snsRecord(bounce(id, 'Undetermined'))]);
    expect(await store.get(id)).toMatchObject({ status: 'confirmed', transientBounces: 2 });
    await events.handleRecords([snsRecord(delivery(id))]);
    expect((await store.get(id))?.transientBounces ?? 0).toBe(0);
    await events.handleRecords([snsRecord(bounce(id, 'Transient')), snsRecord(bounce(id, 'Transient'))]);
    expect((await store.get(id))?.status).toBe('confirmed');
    expect(await events.handleRecords([snsRecord(bounce(id, 'Transient'))])).toMatchObject({ suppressed: 1 });
    expect(await store.get(id)).toMatchObject({ status: 'suppressed', suppressedReason: 'bounce:transient:3-in-a-row' });
  });

  it('counts a transient bounce SNS delivers twice only once', async () => {
    const id = await confirmed();
    const same = bounce(id, 'Transient', 'fb-repeated');
    const counts = await events.handleRecords([snsRecord(same), snsRecord(same), snsRecord(same)]);
    expect(counts).toMatchObject({ 'transient-counted': 1, duplicate: 2 });
    expect(await store.get(id)).toMatchObject({ status: 'confirmed', transientBounces: 1 });
  });

  it('counts a transient bounce on the retry when the first attempt failed to write it', async () => {
    const id = await confirmed();
    // Fault injection: the first count write fails (DynamoDB has no such fault on demand), as an
    // invocation dying there would; Lambda then retries the whole SNS event.
    let failures = 1;
    const flaky = createMailEvents({
      suppressor: {
        suppress: (...a) => store.suppress(...a),
        resetTransientBounces: (...a) => store.resetTransientBounces(...a),
        recordTransientBounce: async (...a) => {
          if (failures-- > 0) throw new Error('dynamo down');
          return store.recordTransientBounce(...a);
        },
      },
      clock: new ManualClock(),
      log: silentLog,
    });
    const record = snsRecord(bounce(id, 'Transient', 'fb-retried'));
    await expect(flaky.handleRecords([record])).rejects.toThrow('dynamo down');
    expect(await flaky.handleRecords([record])).toMatchObject({ 'transient-counted': 1 });
    expect(await flaky.handleRecords([record])).toMatchObject({ duplicate: 1 });
    expect(await store.get(id)).toMatchObject({ status: 'confirmed', transientBounces: 1 });
  });

  it('skips malformed records and unknown event types without touching anyone, and tolerates unknown ids', async () => {
    const id = await confirmed();
    const counts = await events.handleRecords([
      { garbage: 1 },
      snsRecord('{"eventType":'),
      snsRecord({ eventType: 'Open', open: {}, mail: mail(id) }),
      snsRecord({ eventType: 'Send', send: {}, mail: mail(id) }),
      snsRecord(bounce(null, 'Permanent')),
      snsRecord(bounce('never-existed', 'Permanent')),
      snsRecord(bounce('never-existed', 'Transient')),
    ]);
    expect(counts).toMatchObject({ invalid: 2, ignored: 2, 'no-subscriber-id': 1, 'unknown-subscriber': 2, suppressed: 0 });
    expect((await store.get(id))?.status).toBe('confirmed');
    expect(await store.get('never-existed')).toBeNull();
  });

  it('lets a store failure escape so the invocation is retried', async () => {
    const failing = createMailEvents({
      suppressor: {
        suppress: async () => {
          throw new Error('dynamo down');
        },
        recordTransientBounce: async () => ({ count: 0, counted: false }),
        resetTransientBounces: async () => {},
      },
      clock: new ManualClock(),
      log: silentLog,
    });
    await expect(failing.handleRecords([snsRecord(bounce('x', 'Permanent'))])).rejects.toThrow('dynamo down');
  });
});

describe('mail event metrics', () => {
  it('counts every bounce by kind and every complaint, known subscriber or not; deliveries are not counted', async () => {
    const seen: string[] = [];
    const service = createMailEvents({
      suppressor: createMemorySubscriberStore(),
      clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')),
      log: silentLog,
      metrics: { event: (kind) => seen.push(kind) },
    });
    await service.handleRecords([
      snsRecord(bounce('gone-1', 'Permanent')),
      snsRecord(bounce('full-2', 'Transient')),
      snsRecord(bounce(null, 'Undetermined')),
      snsRecord(complaint('angry-3')),
      snsRecord(delivery('fine-4')),
    ]);
    expect(seen).toEqual(['hard-bounce', 'soft-bounce', 'soft-bounce', 'complaint']);
  });
});

describe('mail events recorded on their run', () => {
  it("records a run-tagged bounce or complaint on that run's ledger entry, once; untagged events and deliveries on none", async () => {
    const ledger = new MemoryLedger();
    const runId = 'alert#a-7';
    const runTags = { runId: [Buffer.from(runId).toString('base64url')], runKind: ['alert'] };
    for (const sub of ['s-1', 's-2', 's-3']) {
      await ledger.claim({ runId, subscriberId: sub }, { claimId: 'c', now: 1, leaseMs: 10 });
      await ledger.markSent({ runId, subscriberId: sub }, 'c', `m-${sub}`, 2);
    }
    const service = createMailEvents({ suppressor: createMemorySubscriberStore(), runs: ledger, clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')), log: silentLog });
    const tagged = <T extends { mail: ReturnType<typeof mail> }>(n: T): T => ({ ...n, mail: { ...n.mail, tags: { ...n.mail.tags, ...runTags } } });
    const soft = tagged(bounce('s-1', 'Transient', 'fb-soft'));
    await service.handleRecords([snsRecord(soft), snsRecord(soft), snsRecord(tagged(complaint('s-2'))), snsRecord(bounce('s-3', 'Permanent')), snsRecord(tagged(delivery('s-3')))]);
    const entries = new Map((await ledger.runEntries(runId)).map((e) => [e.subscriberId, e]));
    expect(entries.get('s-1')?.bounce).toEqual({ feedbackId: 'fb-soft', messageId: soft.mail.messageId, at: '2026-01-01T00:00:00.000Z', bounceType: 'Transient', bounceSubType: 'MailboxFull' });
    expect(entries.get('s-2')?.complaint?.feedbackId).toMatch(/^fb-/);
    expect(entries.get('s-3')).not.toHaveProperty('bounce'); // no run tag: suppressed, counted for no run
    expect([...entries.values()].filter((e) => e.bounce || e.complaint)).toHaveLength(2);
  });
});
