/**
 * SES accepted the message but its answer never reached the sender: the real fault, not a mock. The
 * real SESClient and SES mailer talk to the SES emulator through a proxy that answers after the
 * client's request timeout, or resets the connection once the emulator has answered. The emulator
 * holds every message it accepted, so the copies a recipient got are counted, not assumed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SESClient } from '@aws-sdk/client-ses';
import { ManualClock } from '../../lambda/shared/delivery/clock.ts';
import { DynamoLedger } from '../../lambda/shared/delivery/ledger-dynamo.ts';
import type { SendJob } from '../../lambda/shared/delivery/ports.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { createSesMailer } from '../../lambda/shared/ses-mailer.ts';
import { createSenderHandler, senderRuntime, senderSesClientConfig } from '../../lambda/sender/handler.ts';
import { clearOutbox, LOCAL_AWS, localDynamo } from '../../scripts/local/standins.ts';
import { addr, context, sqsEvent, startSenderWorld, type SenderWorld } from './sender-fixtures.ts';
import { startSesProxy, type ProxyMode, type SesProxy } from './ses-proxy.ts';

let world: SenderWorld;
let proxy: SesProxy;

beforeAll(async () => {
  world = await startSenderWorld('ambiguous-it');
  proxy = await startSesProxy(world.standins.sesEndpoint);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', world.standins.dynamoEndpoint);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await proxy?.close();
  await world?.stop();
});
beforeEach(async () => {
  await clearOutbox(world.standins.sesEndpoint);
  proxy.forwarded = 0;
});

/** The sender handler with the production SES client settings, reaching SES through the proxy, with a 1 s request timeout. */
function handler(clock: ManualClock) {
  const production = senderSesClientConfig();
  const ses = new SESClient({ ...LOCAL_AWS, ...production, endpoint: proxy.endpoint, requestHandler: { ...production.requestHandler, requestTimeout: 1_000 } });
  const mailer = createSesMailer(ses, { from: 'news@example.com', configurationSet: 'newsbrief-events' });
  const rt = senderRuntime(world.env, { blobs: world.blobs, log: silentLog, mailer, clock });
  return createSenderHandler(async () => rt);
}

describe.each<ProxyMode>(['late', 'reset'])('an answer SES sent but the sender never got (%s)', (mode) => {
  it('is sent at most twice: once, then once more after the lease, and never again', async () => {
    const runId = `digest#daily#2026-02-0${mode === 'late' ? 1 : 2}T06:00:00.000Z`;
    const key = await world.publishIssue(runId);
    const id = await world.subscriber();
    const event = sqsEvent([{ runId, kind: 'digest', issueKey: key, recipients: [id] } satisfies SendJob]);
    const clock = new ManualClock(Date.UTC(2026, 1, 1, 6));
    proxy.mode = mode;

    // First receive: SES accepts, the answer is lost. Not retried within the invocation, not released.
    const first = await handler(clock)(event, context());
    expect(first.batchItemFailures).toHaveLength(1);
    expect((await world.received()).get(addr(id))).toBe(1);
    const ledger = new DynamoLedger(localDynamo(world.standins.dynamoEndpoint).doc, world.table);
    expect(await ledger.get({ runId, subscriberId: id })).toMatchObject({ state: 'unknown' });

    // The redelivery comes after the visibility timeout, when the lease has run out: one more copy.
    clock.advance(30 * 60_000);
    const second = await handler(clock)(sqsEvent([{ runId, kind: 'digest', issueKey: key, recipients: [id] }], [], 2), context());
    expect((await world.received()).get(addr(id))).toBe(2);
    expect(second.batchItemFailures).toEqual([]);

    // Every later delivery (another receive, a dead-letter redrive) sends nothing.
    clock.advance(30 * 60_000);
    proxy.mode = 'pass';
    const third = await handler(clock)(sqsEvent([{ runId, kind: 'digest', issueKey: key, recipients: [id] }], [], 3), context());
    expect(third.batchItemFailures).toEqual([]);
    expect((await world.received()).get(addr(id))).toBe(2);
    expect(proxy.forwarded).toBe(2);
  }, 30_000);
});

it('sends once more after a lost answer, and records the second, answered send', async () => {
  const runId = 'digest#daily#2026-02-03T06:00:00.000Z';
  const key = await world.publishIssue(runId);
  const id = await world.subscriber();
  const job: SendJob = { runId, kind: 'digest', issueKey: key, recipients: [id] };
  const clock = new ManualClock(Date.UTC(2026, 1, 3, 6));
  proxy.mode = 'late';
  expect((await handler(clock)(sqsEvent([job]), context())).batchItemFailures).toHaveLength(1);
  clock.advance(30 * 60_000);
  proxy.mode = 'pass';
  expect(await handler(clock)(sqsEvent([job], [], 2), context())).toEqual({ batchItemFailures: [] });
  expect((await world.received()).get(addr(id))).toBe(2);
  const ledger = new DynamoLedger(localDynamo(world.standins.dynamoEndpoint).doc, world.table);
  expect(await ledger.get({ runId, subscriberId: id })).toMatchObject({ state: 'sent' });
}, 30_000);
