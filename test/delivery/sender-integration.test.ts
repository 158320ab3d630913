import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SNSEvent } from 'aws-lambda';
import type { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { ManualClock } from '../../lambda/shared/delivery/clock.ts';
import { issueKey } from '../../lambda/shared/delivery/issue.ts';
import { DynamoRunStore } from '../../lambda/shared/delivery/runs-dynamo.ts';
import { DynamoLedger } from '../../lambda/shared/delivery/ledger-dynamo.ts';
import type { SendJob } from '../../lambda/shared/delivery/ports.ts';
import type { Mailer } from '../../lambda/shared/mailer.ts';
import type { BatchReport } from '../../lambda/shared/delivery/sender.ts';
import type { HeldMessage } from '../../lambda/shared/delivery/sqs-postpone.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { createSesMailer } from '../../lambda/shared/ses-mailer.ts';
import { createSenderHandler, senderRuntime, type SenderOverrides } from '../../lambda/sender/handler.ts';
import { createMailEventsHandler, mailEventsFromEnvironment } from '../../lambda/mail-events/handler.ts';
import { clearOutbox, localDynamo, localSes, readOutbox } from '../../scripts/local/standins.ts';
import { faultyMailer, Invocation, type MailFault } from './faults-support.ts';
import { addr, context, sqsEvent, startSenderWorld, type SenderWorld } from './sender-fixtures.ts';

// The real sender and mail-events handlers over dynalite and the SES emulator through the real SDK.
// S3 has no stand-in: the issues archive is a folder. Faults the emulator cannot produce (throttling,
// MessageRejected, a process dying mid-send) come from a fault-injecting wrapper around the real SES
// mailer (faults-support.ts `faultyMailer`), named in each test.

const TABLE = 'sender-it';

let world: SenderWorld;
let standins: SenderWorld['standins'];
let env: Record<string, string>;
const publishIssue = (runId: string) => world.publishIssue(runId);
const subscriber = (status?: 'confirmed' | 'pending' | 'unsubscribed') => world.subscriber(status);
const received = () => world.received();

/** A real SES mailer whose client records every SendRawEmail command. */
function recordingSesMailer(commands: SendRawEmailCommand[]): Mailer {
  const ses = localSes(standins.sesEndpoint);
  return createSesMailer(
    { send: (cmd: SendRawEmailCommand) => (commands.push(cmd), ses.send(cmd)) },
    { from: 'news@example.com', configurationSet: 'newsbrief-events' },
  );
}

function handlerWith(overrides: SenderOverrides & { envOverrides?: Record<string, string> }, reports: BatchReport[] = []) {
  const { envOverrides, ...ports } = overrides;
  const rt = senderRuntime({ ...env, ...envOverrides }, { blobs: world.blobs, log: silentLog, ...ports });
  return createSenderHandler(async () => rt, { onReport: (r) => reports.push(r) });
}

beforeAll(async () => {
  world = await startSenderWorld(TABLE);
  standins = world.standins;
  env = world.env;
  // The handlers make their own clients: point them at the stand-ins the way npm start does.
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', standins.dynamoEndpoint);
  vi.stubEnv('AWS_ENDPOINT_URL_SES', standins.sesEndpoint);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await world?.stop();
});
beforeEach(async () => {
  await clearOutbox(standins.sesEndpoint);
});

describe('sender handler over dynalite and the SES emulator', () => {
  it('mails each confirmed recipient once with the key quote and personal links, and a redelivery sends nothing', async () => {
    const runId = 'digest#daily#2026-01-02T06:00:00.000Z';
    const key = await publishIssue(runId);
    expect(key).toBe(issueKey(runId, 'all'));
    const yes = [await subscriber(), await subscriber(), await subscriber()];
    const no = [await subscriber('pending'), await subscriber('unsubscribed')];
    const job: SendJob = { runId, kind: 'digest', issueKey: key, recipients: [...yes, ...no], page: 0, index: 0 };
    const runs = new DynamoRunStore(localDynamo(standins.dynamoEndpoint).doc, TABLE);
    await runs.recordJobs(runId, 0, [job], '2026-01-02T06:00:00.000Z');
    const reports: BatchReport[] = [];
    const handler = handlerWith({}, reports);

    expect(await handler(sqsEvent([job]), context())).toEqual({ batchItemFailures: [] });
    const mail = await readOutbox(standins.sesEndpoint);
    expect(mail.map((m) => m.destination.to[0]).sort()).toEqual(yes.map(addr).sort());
    const links = new Set<string>();
    for (const m of mail) {
      expect(m.body.text).toContain('This tunnel will change how the city moves');
      expect(m.body.text).toContain('Mara Lind');
      const unsubscribe = /http:\/\/127\.0\.0\.1:8080\/unsubscribe\?token=[^\s"]+/.exec(m.body.text ?? '')?.[0];
      expect(unsubscribe).toBeTruthy();
      links.add(unsubscribe as string);
    }
    expect(links.size).toBe(3);
    expect(reports[0]?.jobs[0]?.counts).toMatchObject({ sent: 3, skipped: 2 });
    const ledger = new DynamoLedger(localDynamo(standins.dynamoEndpoint).doc, TABLE);
    const entry = await ledger.get({ runId, subscriberId: yes[0] as string });
    expect(entry?.state).toBe('sent');
    expect(mail.map((m) => m.messageId)).toContain(entry?.messageId);

    expect(await handler(sqsEvent([job]), context())).toEqual({ batchItemFailures: [] });
    expect((await readOutbox(standins.sesEndpoint)).length).toBe(3);
    expect(reports[1]?.jobs[0]?.counts).toMatchObject({ sent: 0, 'already-done': 3 });
    // The redelivery noted on the job's record whom it found already sent (runs show's "already sent"), once however often.
    expect((await runs.listJobs(runId))[0]?.alreadySent).toEqual([...yes].sort());
    expect(await handler(sqsEvent([job]), context())).toEqual({ batchItemFailures: [] });
    expect((await runs.listJobs(runId))[0]?.alreadySent).toEqual([...yes].sort());
  }, 60_000);

  it('sends with the configuration set, subscriber and run tags and RFC 8058 headers in the MIME', async () => {
    const runId = 'digest#daily#2026-01-03T06:00:00.000Z';
    const key = await publishIssue(runId);
    const id = await subscriber();
    const commands: SendRawEmailCommand[] = [];
    await handlerWith({ mailer: recordingSesMailer(commands) })(sqsEvent([{ runId, kind: 'digest', issueKey: key, recipients: [id] }]), context());
    expect(commands).toHaveLength(1);
    const input = commands[0]?.input;
    expect(input).toMatchObject({ ConfigurationSetName: 'newsbrief-events', Destinations: [addr(id)], Tags: [
        { Name: 'subscriberId', Value: id },
        { Name: 'runId', Value: Buffer.from(runId).toString('base64url') },
        { Name: 'runKind', Value: 'digest' },
      ],
    });
    const raw = Buffer.from(input?.RawMessage?.Data ?? new Uint8Array()).toString('utf8');
    expect(raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/127\.0\.0\.1:8080\/unsubscribe\?token=/m);
    expect(raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(raw).toContain(`X-Newsbrief-Subscriber: ${id}`);
    expect(raw).toMatch(/^Message-ID: <nb\.[0-9a-f]{40}@example\.com>/m);
  });

  it('after an injected crash after k sends, the redelivery gives every recipient exactly one email', async () => {
    const runId = 'digest#daily#2026-01-04T06:00:00.000Z';
    const key = await publishIssue(runId);
    const ids = await Promise.all(Array.from({ length: 6 }, () => subscriber()));
    const event = sqsEvent([{ runId, kind: 'digest', issueKey: key, recipients: ids }]);
    const clock = new ManualClock(Date.UTC(2026, 0, 4, 6));
    const k = 4;
    // Fault injection: the k+1-th SES call kills the invocation before SES sees it (a crashed container).
    const inv = new Invocation();
    const crashing = faultyMailer(recordingSesMailer([]), inv, (i) => (i === k ? 'crash-before-accept' : undefined));
    const first = handlerWith({ mailer: crashing, clock, envOverrides: { SENDER_PARALLELISM: '1' } })(event, context(30_000));
    expect(await Promise.race([first, inv.dead])).toBe('crashed');
    expect([...(await received()).values()]).toEqual(Array(k).fill(1));

    // SQS redelivers after the visibility timeout (longer than the lease: remaining 30 s + 60 s).
    clock.advance(120_000);
    const again = handlerWith({ clock });
    expect(await again(event, context())).toEqual({ batchItemFailures: [] });
    const got = await received();
    expect([...got.keys()].sort()).toEqual(ids.map(addr).sort());
    expect([...got.values()]).toEqual(Array(6).fill(1));
  });

  it('retries injected throttling with exponential backoff and delivers everything once', async () => {
    const runId = 'digest#daily#2026-01-05T06:00:00.000Z';
    const key = await publishIssue(runId);
    const ids = await Promise.all(Array.from({ length: 4 }, () => subscriber()));
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 6));
    const attempts = new Map<string, number[]>();
    const throttled = new Map<string, number>();
    // Fault injection: SES answers Throttling ("Maximum sending rate exceeded.") twice per recipient.
    const mailer = faultyMailer(
      recordingSesMailer([]),
      new Invocation(),
      (_i, m): MailFault | undefined => {
        const n = throttled.get(m.subscriberId) ?? 0;
        throttled.set(m.subscriberId, n + 1);
        return n < 2 ? 'throttle' : undefined;
      },
      (_i, m) => attempts.set(m.subscriberId, [...(attempts.get(m.subscriberId) ?? []), clock.now()]),
    );
    const event = sqsEvent([{ runId, kind: 'digest', issueKey: key, recipients: ids }]);
    expect(await handlerWith({ mailer, clock })(event, context())).toEqual({ batchItemFailures: [] });
    expect([...(await received()).values()]).toEqual(Array(4).fill(1));
    for (const id of ids) {
      const t = attempts.get(id) ?? [];
      expect(t).toHaveLength(3);
      // Default policy: retry r waits in [step/2, step], step = 200·2^(r−1) ms.
      expect((t[1] as number) - (t[0] as number)).toBeGreaterThanOrEqual(100);
      expect((t[2] as number) - (t[1] as number)).toBeGreaterThanOrEqual(200);
    }
  });

  it('records one rejected recipient and delivers the others', async () => {
    const runId = 'digest#daily#2026-01-06T06:00:00.000Z';
    const key = await publishIssue(runId);
    const ids = await Promise.all(Array.from({ length: 4 }, () => subscriber()));
    const bad = ids[1] as string;
    // Fault injection: SES answers MessageRejected for one recipient.
    const mailer = faultyMailer(recordingSesMailer([]), new Invocation(), (_i, m) => (m.subscriberId === bad ? 'reject' : undefined));
    const event = sqsEvent([{ runId, kind: 'digest', issueKey: key, recipients: ids }]);
    expect(await handlerWith({ mailer })(event, context())).toEqual({ batchItemFailures: [] });
    const got = await received();
    expect([...got.keys()].sort()).toEqual(ids.filter((i) => i !== bad).map(addr).sort());
    const ledger = new DynamoLedger(localDynamo(standins.dynamoEndpoint).doc, TABLE);
    expect(await ledger.get({ runId, subscriberId: bad })).toMatchObject({ state: 'rejected', reason: 'MessageRejected' });
  });

  it('records a subscriber whose stored address is not a mailbox as rejected and mails the others', async () => {
    const runId = 'digest#daily#2026-01-10T06:00:00.000Z';
    const key = await publishIssue(runId);
    const good = await subscriber();
    const badId = `itbad${Math.random().toString(36).slice(2, 8)}`;
    await world.store.createPending({ id: badId, email: 'no-at-sign.example.org', emailHash: `k1:${badId}`, topics: [], frequency: 'daily' }, '2026-01-01T00:00:00.000Z');
    await world.store.confirm(badId, '2026-01-01T00:00:00.000Z');
    const out = await handlerWith({})(sqsEvent([{ runId, kind: 'digest', issueKey: key, recipients: [badId, good] }]), context());
    expect(out).toEqual({ batchItemFailures: [] });
    expect([...(await received()).keys()]).toEqual([addr(good)]);
    const ledger = new DynamoLedger(localDynamo(standins.dynamoEndpoint).doc, TABLE);
    expect(await ledger.get({ runId, subscriberId: badId })).toMatchObject({ state: 'rejected', reason: 'UndeliverableRecipientError' });
  });

  it('on the daily quota, holds the unsent jobs back longer each receive instead of letting them dead-letter', async () => {
    const runId = 'digest#daily#2026-01-11T06:00:00.000Z';
    const key = await publishIssue(runId);
    const [a, b, c] = [await subscriber(), await subscriber(), await subscriber()];
    // Fault injection: SES's daily quota runs out at the second send (the emulator has no quota).
    const mailer = faultyMailer(recordingSesMailer([]), new Invocation(), (i) => (i >= 1 ? 'quota' : undefined));
    // A recording postponer: the SQS adapter is tested on its own (SQS has no local stand-in).
    const held: HeldMessage[][] = [];
    const postponer = { postpone: async (m: readonly HeldMessage[]) => (held.push([...m]), 0) };
    const jobs = [a, b, c].map((id) => ({ runId, kind: 'digest' as const, issueKey: key, recipients: [id as string] }));
    const event = sqsEvent(jobs);
    event.Records[2]!.attributes.ApproximateReceiveCount = '3';
    const out = await handlerWith({ mailer, postponer, envOverrides: { SENDER_PARALLELISM: '1' } })(event, context());
    expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['msg-1', 'msg-2']);
    expect([...(await received()).keys()]).toEqual([addr(a as string)]);
    expect(held).toEqual([
      [
        { messageId: 'msg-1', receiptHandle: 'rh-1', delaySeconds: 2 * 3600 },
        { messageId: 'msg-2', receiptHandle: 'rh-2', delaySeconds: 8 * 3600 },
      ],
    ]);

    // Throttling or the deadline are not a stop of hours: nothing is held back.
    held.length = 0;
    const throttled = faultyMailer(recordingSesMailer([]), new Invocation(), () => 'throttle');
    const retry = await handlerWith({ mailer: throttled, postponer, clock: new ManualClock() })(sqsEvent([jobs[1]!]), context());
    expect(retry.batchItemFailures).toHaveLength(1);
    expect(held).toEqual([]);
  });

  it('reports only the failed and the malformed messages of a batch', async () => {
    const runId = 'digest#daily#2026-01-07T06:00:00.000Z';
    const key = await publishIssue(runId);
    const [a, b] = [await subscriber(), await subscriber()];
    // Fault injection: recipient b is throttled on every attempt.
    const mailer = faultyMailer(recordingSesMailer([]), new Invocation(), (_i, m) => (m.subscriberId === b ? 'throttle' : undefined));
    const event = sqsEvent(
      [
        { runId, kind: 'digest', issueKey: key, recipients: [a as string] },
        { runId, kind: 'digest', issueKey: key, recipients: [b as string] },
      ],
      ['{"runId":"x"}', 'not json'],
    );
    const out = await handlerWith({ mailer, clock: new ManualClock() })(event, context());
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['msg-1', 'msg-2', 'msg-3']);
    expect([...(await received()).keys()]).toEqual([addr(a as string)]);
  });
});

describe('mail-events handler and the next send', () => {
  it('suppresses a bounced subscriber from the SES event, and the next digest skips them', async () => {
    const runId = 'digest#daily#2026-01-08T06:00:00.000Z';
    const key = await publishIssue(runId);
    const ids = [await subscriber(), await subscriber(), await subscriber()];
    const bounced = ids[2] as string;
    const commands: SendRawEmailCommand[] = [];
    await handlerWith({ mailer: recordingSesMailer(commands) })(sqsEvent([{ runId, kind: 'digest', issueKey: key, recipients: ids }]), context());
    const sentToBounced = commands.find((c) => c.input.Destinations?.[0] === addr(bounced));
    const tags = Object.fromEntries((sentToBounced?.input.Tags ?? []).map((t) => [t.Name, [t.Value]]));

    // The SES event-publishing notification SES would publish for that message, wrapped by SNS.
    const notification = {
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'NoEmail',
        bouncedRecipients: [{ emailAddress: addr(bounced) }],
        timestamp: '2026-01-08T06:00:05.000Z',
        feedbackId: 'fb-it-1',
      },
      mail: { timestamp: '2026-01-08T06:00:00.000Z', messageId: 'ses-1', destination: [addr(bounced)], tags: { 'ses:configuration-set': ['newsbrief-events'], ...tags } },
    };
    const sns = { Records: [{ EventSource: 'aws:sns', Sns: { Type: 'Notification', MessageId: 'n1', Message: JSON.stringify(notification) } }] } as unknown as SNSEvent;
    await createMailEventsHandler(() => mailEventsFromEnvironment(env, silentLog), silentLog)(sns);
    expect(await world.store.get(bounced)).toMatchObject({ status: 'suppressed', suppressedReason: 'bounce:permanent:NoEmail' });

    await clearOutbox(standins.sesEndpoint);
    const next = 'digest#daily#2026-01-09T06:00:00.000Z';
    const nextKey = await publishIssue(next);
    const reports: BatchReport[] = [];
    await handlerWith({}, reports)(sqsEvent([{ runId: next, kind: 'digest', issueKey: nextKey, recipients: ids }]), context());
    expect([...(await received()).keys()].sort()).toEqual(ids.slice(0, 2).map(addr).sort());
    expect(reports[0]?.jobs[0]?.counts).toMatchObject({ sent: 2, skipped: 1 });
  });
});
