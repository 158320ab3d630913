import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocalDigest } from '../../cli/digest.ts';
import { resendVia } from '../../cli/resend.ts';
import { openLocal } from '../../cli/targets.ts';
import { createIngestHandler } from '../../lambda/ingest/handler.ts';
import { systemClock } from '../../lambda/shared/delivery/clock.ts';
import { FolderBlobStore } from '../../lambda/shared/delivery/folder-blobs.ts';
import { DynamoLedger } from '../../lambda/shared/delivery/ledger-dynamo.ts';
import { createMailEvents } from '../../lambda/shared/delivery/mail-events.ts';
import { createMailEventsHandler } from '../../lambda/mail-events/handler.ts';
import { MemoryJobQueue } from '../../lambda/shared/delivery/memory-queue.ts';
import { deliveryRuntime } from '../../lambda/shared/delivery/runtime.ts';
import { lazy } from '../../lambda/shared/lazy.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import type { Mailer } from '../../lambda/shared/mailer.ts';
import { createSesMailer, type SesSend } from '../../lambda/shared/ses-mailer.ts';
import { LOCAL_SENDER_ADDRESS, LOCAL_TABLE_NAME, localDeliveryEnvironment, localKeyring } from '../../scripts/local/delivery-env.ts';
import { localDynamo, localSes } from '../../scripts/local/standins.ts';
import { cli, cliWith, dataFolder, findSubscriber } from './harness.ts';

// runs list / show / resend over local data: dynalite holds the runs, their jobs and the ledger, the
// SES emulator takes the mail through the real SDK. Faults are injected by a wrapper around the real
// SES-emulator mailer (it throws before calling SES for the addresses chosen to fail), and the same
// kind of wrapper counts what SES accepted, per address, across the digest and the resends.

const ARTICLE = `Harbour council votes on the new ferry line

The council of the harbour town voted on Tuesday to open a ferry line to the islands.

"We have waited ten years for this," the mayor said.
`;

const ADDRESSES = ['ada@example.com', 'bo@example.com', 'cy@example.com', 'di@example.com'];
const FAIL = 'bo@example.com';
const REJECT = 'cy@example.com';

/** Copies SES accepted, per address: the same counter for every send of the test. */
const accepted = new Map<string, number>();
function counting(mailer: Mailer): Mailer {
  return {
    async send(message) {
      const out = await mailer.send(message);
      accepted.set(message.to, (accepted.get(message.to) ?? 0) + 1);
      return out;
    },
  };
}

/** The digest's mailer: FAIL cannot be reached (a connection refused: not sent, for certain), REJECT is refused by SES. */
function faulty(mailer: Mailer): Mailer {
  const inner = counting(mailer);
  return {
    async send(message) {
      if (message.to === FAIL) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (message.to === REJECT) throw Object.assign(new Error('Address blacklisted.'), { name: 'MessageRejected' });
      return inner.send(message);
    },
  };
}

/** What each SendRawEmail carried to the SES emulator, per envelope recipient: SES's message id and the message tags. */
const sesCalls = new Map<string, { messageId: string; tags: { Name?: string | undefined; Value?: string | undefined }[] }>();
/** The real SES mailer over the emulator, its client's calls observed (SES keeps the tags out of the mail; the events carry them). */
function observedSes(sesEndpoint: string): Mailer {
  const client = localSes(sesEndpoint);
  const observed: SesSend = {
    async send(command) {
      const out = await client.send(command);
      sesCalls.set(command.input.Destinations![0]!, { messageId: out.MessageId!, tags: command.input.Tags ?? [] });
      return out;
    },
  };
  return createSesMailer(observed, { from: LOCAL_SENDER_ADDRESS, configurationSet: 'newsbrief-local' });
}

/** An SES event-publishing notification about the message sent to `address`, as SES writes it and SNS delivers it to the function. */
function sesEvent(address: string, event: { eventType: 'Bounce'; bounce: object } | { eventType: 'Complaint'; complaint: object }, runTag?: string) {
  const call = sesCalls.get(address)!;
  const tags: Record<string, string[]> = { 'ses:configuration-set': ['newsbrief-local'], 'ses:from-domain': ['example.com'], 'ses:caller-identity': ['newsbrief-sender'] };
  for (const t of call.tags) tags[t.Name!] = [t.Value!];
  if (runTag !== undefined) tags.runId = [runTag];
  const message = {
    ...event,
    mail: {
      timestamp: '2026-11-27T08:00:01.000Z',
      source: LOCAL_SENDER_ADDRESS,
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com',
      sendingAccountId: '123456789012',
      messageId: call.messageId,
      destination: [address],
      headersTruncated: false,
      headers: [{ name: 'Subject', value: 'Daily brief' }],
      commonHeaders: { from: [LOCAL_SENDER_ADDRESS], to: [address], subject: 'Daily brief' },
      tags,
    },
  };
  return {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:newsbrief-mail-events:7c1e',
    Sns: { Type: 'Notification', MessageId: `sns-${Math.random()}`, TopicArn: 'arn:aws:sns:us-east-1:123456789012:newsbrief-mail-events', Message: JSON.stringify(message), Timestamp: '2026-11-27T08:05:00.000Z' },
  };
}

/** Put one article into the data folder through the ingest handler, as npm start does. */
async function ingestArticle(dir: string): Promise<void> {
  const target = await openLocal(dir);
  try {
    const env = localDeliveryEnvironment(localKeyring(dir));
    const blobs = new FolderBlobStore(path.join(dir, 'blobs'));
    const queue = new MemoryJobQueue({ visibilityTimeoutMs: 2_000 });
    await blobs.put('articles/ferry.txt', ARTICLE, 'text/plain');
    const summary = await createIngestHandler(lazy(() => deliveryRuntime(env, { blobs, queue, log: silentLog })))({
      Records: [{ s3: { bucket: { name: env.BUCKET_NAME }, object: { key: 'articles/ferry.txt' } } }],
    });
    expect(summary.rejected).toEqual([]);
  } finally {
    await target.close();
  }
}

describe('newsbrief runs --local', () => {
  const dir = dataFolder();
  let runId = '';
  const ids = new Map<string, string>();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    for (const address of ADDRESSES) {
      const added = await cli('subscribers', 'add', address, '--confirmed', '--frequency', 'daily', '--local', dir);
      expect(added.code).toBe(0);
      ids.set(address, (await findSubscriber(dir, address))!.id);
    }
    await ingestArticle(dir);
    // The digest with the faults injected; one receive per job, so the failed job dead-letters at once.
    const target = await openLocal(dir);
    try {
      const lines = await runLocalDigest(target, 'daily', { wrapMailer: () => faulty(observedSes(target.standins.sesEndpoint)), maxReceives: 1 });
      runId = /^digest (\S+):/.exec(lines[0]!)![1]!;
      expect(lines[1]).toContain('sent 2,');
    } finally {
      await target.close();
    }
  }, 120_000);

  it('list: each run with its articles, audience and outcomes (human and --json)', async () => {
    const human = await cli('runs', 'list', '--local', dir);
    expect(human.err).toBe('');
    expect(human.code).toBe(0);
    expect(human.out).toContain(runId);
    const json = await cli('runs', 'list', '--json', '--local', dir);
    expect(json.code).toBe(0);
    const [report] = JSON.parse(json.out) as { runId: string; articleIds: string[]; audience: { enqueued: number }; outcomes: Record<string, number> }[];
    expect(report).toMatchObject({ runId, audience: { enqueued: 4 }, outcomes: { sent: 2, rejected: 1, failed: 1, unknown: 0, skipped: 0 } });
    expect(report!.articleIds).toHaveLength(1);
    expect(report).toMatchObject({ mailEvents: { bounces: { hard: 0, soft: 0 }, complaints: 0 } });
  }, 60_000);

  it('show: the outcomes, the top rejection reasons, and no address anywhere', async () => {
    const human = await cli('runs', 'show', runId, '--local', dir);
    expect(human.code).toBe(0);
    expect(human.out).toContain('top rejection reasons: MessageRejected 1');
    expect(human.out).toMatch(/sent\s+already sent\s+rejected\s+unknown\s+in flight\s+skipped\s+failed\s*\n\s*2\s+0\s+1\s+0\s+0\s+0\s+1/);
    expect(human.out).toContain(`newsbrief runs resend ${runId} --failed`);
    for (const address of ADDRESSES) expect(human.out + human.err).not.toContain(address);
    const json = JSON.parse((await cli('runs', 'show', runId, '--json', '--local', dir)).out) as { rejectionReasons: unknown };
    expect(json.rejectionReasons).toEqual([{ reason: 'MessageRejected', count: 1 }]);
  }, 60_000);

  it('resend --failed: the failed recipient gets exactly one copy, the others none; a second resend sends nothing', async () => {
    const before = new Map(accepted);
    expect(before.get(FAIL)).toBeUndefined();
    const first = await cliWith({ resend: resendVia({ wrapMailer: counting }) }, 'runs', 'resend', runId, '--failed', '--json', '--local', dir);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ runId, recipients: 1, jobs: 1, sent: { sent: 1 } });
    expect(accepted.get(FAIL)).toBe(1);
    for (const address of ADDRESSES.filter((a) => a !== FAIL)) expect(accepted.get(address)).toBe(before.get(address));

    const second = await cliWith({ resend: resendVia({ wrapMailer: counting }) }, 'runs', 'resend', runId, '--failed', '--local', dir);
    expect(second.code).toBe(0);
    expect(second.out).toContain('nothing to resend');
    expect(accepted.get(FAIL)).toBe(1);
    expect((JSON.parse((await cli('runs', 'show', runId, '--json', '--local', dir)).out) as { outcomes: unknown }).outcomes).toMatchObject({ sent: 3, failed: 0, rejected: 1 });
  }, 60_000);

  it('resend goes through the ledger: a recipient the ledger holds as sent is not mailed even when asked for, and is counted already sent', async () => {
    // The run's recorded job again, straight to the sender (as a redelivery would bring it): the ledger
    // finished every recipient, 3 sent and 1 rejected.
    const target = await openLocal(dir);
    try {
      const [job] = await target.runs!.listJobs(runId);
      expect(job?.alreadySent).toBeUndefined();
      const resent = { runId, kind: 'digest' as const, issueKey: job!.issueKey, recipients: [...job!.recipients], page: job!.page, index: job!.index };
      expect(await resendVia({ wrapMailer: counting })(target, [resent])).toMatchObject({ sent: 0, 'already-done': 4 });
      expect(await resendVia({ wrapMailer: counting })(target, [resent])).toMatchObject({ sent: 0, 'already-done': 4 }); // twice: still 3
      expect((await target.runs!.listJobs(runId))[0]?.alreadySent).toEqual(['ada@example.com', 'bo@example.com', 'di@example.com'].map((a) => ids.get(a)).sort());
    } finally {
      await target.close();
    }
    expect(accepted.get(FAIL)).toBe(1);
    const show = JSON.parse((await cli('runs', 'show', runId, '--json', '--local', dir)).out) as { alreadySent: number; outcomes: Record<string, number> };
    expect(show).toMatchObject({ alreadySent: 3, outcomes: { sent: 3, rejected: 1 } });
    const human = await cli('runs', 'show', runId, '--local', dir);
    expect(human.out).toMatch(/sent\s+already sent\s+rejected[^\n]*\n\s*3\s+3\s+1/);
  }, 60_000);

  it("show and list: the run's own bounces and complaints, from SES events carrying its tag, each counted once however often SNS delivers it", async () => {
    const ada = sesCalls.get('ada@example.com')!;
    // What the SES mailer put on the digest's messages: the subscriber, and the run (base64url: SES allows no '#' or ':').
    expect(ada.tags).toEqual([
      { Name: 'subscriberId', Value: ids.get('ada@example.com') },
      { Name: 'runId', Value: Buffer.from(runId).toString('base64url') },
      { Name: 'runKind', Value: 'digest' },
    ]);
    const target = await openLocal(dir);
    try {
      const { doc } = localDynamo(target.standins.dynamoEndpoint);
      const handler = createMailEventsHandler(
        () => createMailEvents({ suppressor: target.subscribers, runs: new DynamoLedger(doc, LOCAL_TABLE_NAME), clock: systemClock, log: silentLog }),
        silentLog,
      );
      const hard = sesEvent('ada@example.com', { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bounceSubType: 'General', feedbackId: 'fb-ada-1', timestamp: '2026-11-27T08:04:00.000Z', bouncedRecipients: [{ emailAddress: 'ada@example.com', action: 'failed', status: '5.1.1' }] } });
      const complaint = sesEvent('di@example.com', { eventType: 'Complaint', complaint: { feedbackId: 'fb-di-1', complaintFeedbackType: 'abuse', timestamp: '2026-11-27T08:04:30.000Z', complainedRecipients: [{ emailAddress: 'di@example.com' }] } });
      // Another run's message to ada bounced too: it is that run's, not this one's.
      const otherRun = sesEvent('ada@example.com', { eventType: 'Bounce', bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull', feedbackId: 'fb-ada-2' } }, Buffer.from('digest#daily#2026-11-26T08:00:00.000Z').toString('base64url'));
      await handler({ Records: [hard, complaint, otherRun] } as never);
      await handler({ Records: [hard, complaint] } as never); // SNS delivers at least once
      const entries = new Map((await target.ledger!.runEntries(runId)).map((e) => [e.subscriberId, e]));
      expect(entries.get(ids.get('ada@example.com')!)?.bounce).toMatchObject({ bounceType: 'Permanent', feedbackId: 'fb-ada-1', messageId: ada.messageId });
      expect(entries.get(ids.get('di@example.com')!)?.complaint).toMatchObject({ feedbackId: 'fb-di-1' });
    } finally {
      await target.close();
    }
    expect(await findSubscriber(dir, 'ada@example.com')).toMatchObject({ status: 'suppressed', suppressedReason: 'bounce:permanent:General' });

    const show = await cli('runs', 'show', runId, '--json', '--local', dir);
    expect((JSON.parse(show.out) as { mailEvents: unknown }).mailEvents).toEqual({ bounces: { hard: 1, soft: 0 }, complaints: 1 });
    const human = await cli('runs', 'show', runId, '--local', dir);
    expect(human.out).toContain('bounces 1 (hard 1, soft 0), complaints 1');
    const list = JSON.parse((await cli('runs', 'list', '--json', '--local', dir)).out) as { runId: string; mailEvents: unknown }[];
    expect(list.find((r) => r.runId === runId)?.mailEvents).toEqual({ bounces: { hard: 1, soft: 0 }, complaints: 1 });
  }, 60_000);

  it.each([
    [['runs', 'resend', 'x'], 2, 'say what to resend: --failed'],
    [['runs', 'list', '--limit', '0'], 2, '--limit: a whole number from 1 to 1000'],
    [['runs', 'show', 'digest#daily#2000-01-01T00:00:00.000Z'], 1, 'has no run digest#daily#2000-01-01T00:00:00.000Z'],
  ])('exit codes: %j → %i', async (argv, code, message) => {
    const result = await cli(...argv, '--local', dir);
    expect(result.code).toBe(code);
    expect(result.err).toContain(message);
  }, 60_000);

  it('has --help on each runs command', async () => {
    for (const argv of [['runs'], ['runs', 'list'], ['runs', 'show'], ['runs', 'resend']]) {
      const result = await cli(...argv, '--help');
      expect(result.code).toBe(0);
      expect(result.out).toContain('Usage: newsbrief runs');
    }
  });
});
