/**
 * The two targets the subscribe benchmarks measure, behind the same node:http adapter (routed as API
 * Gateway does) and the same confirmation queue worker:
 * - `local stack`: `npm run serve`'s stack in this process: the real handlers over the real SDK
 *   clients, dynalite and the SES emulator;
 * - `handler alone`: the same app and worker over the in-memory store and a discarding mailer, the
 *   handler's own cost without the emulators' CPU (in AWS, DynamoDB and SES run elsewhere).
 */
import { randomBytes } from 'node:crypto';
import { startServeStack } from '../scripts/serve.ts';
import { startHttpAdapter } from '../scripts/local/http-adapter.ts';
import { startQueueWorker } from '../scripts/local/queue-worker.ts';
import { clearOutbox, localDynamo, readOutbox } from '../scripts/local/standins.ts';
import { createConfirmMailHandler } from '../lambda/confirm-mail/handler.ts';
import { silentLog } from '../lambda/shared/logger.ts';
import { parseKeyring, type Keyring } from '../lambda/shared/signing-keys.ts';
import { createConfirmationComposer } from '../lambda/shared/subscriptions/confirmation-mail.ts';
import { createConfirmationWorker } from '../lambda/shared/subscriptions/confirmations.ts';
import { createDynamoSubscriberStore } from '../lambda/shared/subscriptions/dynamo-store.ts';
import { createMemorySubscriberStore } from '../lambda/shared/subscriptions/memory-store.ts';
import type { ConfirmationJob } from '../lambda/shared/subscriptions/requests.ts';
import { createSubscriptionService } from '../lambda/shared/subscriptions/service.ts';
import type { SubscriberStore } from '../lambda/shared/subscriptions/store.ts';
import { createApp } from '../lambda/subscribe/app.ts';
import { ROUTES } from '../lambda/subscribe/routes.ts';

export interface BenchTarget {
  readonly title: string;
  readonly url: string;
  /** The store behind the API, to set up addresses in each state. */
  readonly store: SubscriberStore;
  readonly keyring: Keyring;
  /** Every queued request handled. */
  settled(): Promise<void>;
  /** Confirmation mails sent so far. */
  mails(): Promise<number>;
  stop(): Promise<void>;
}

const TOPICS = ['world', 'asia'];

/** `npm run serve`'s stack, in memory, in this process. */
export async function startLocalStack(): Promise<BenchTarget> {
  const stack = await startServeStack({ log: silentLog, topics: TOPICS.join(',') });
  await clearOutbox(stack.sesEndpoint);
  return {
    title: 'local stack (handlers + dynalite + SES emulator)',
    url: stack.url,
    store: createDynamoSubscriberStore({ doc: localDynamo(stack.dynamoEndpoint).doc, tableName: stack.env.TABLE_NAME ?? '' }),
    keyring: parseKeyring(stack.env.SIGNING_KEYRING ?? ''),
    settled: () => stack.settled(),
    mails: async () => (await readOutbox(stack.sesEndpoint)).length,
    stop: () => stack.stop(),
  };
}

/** The same app and worker over the in-memory store and a mailer that discards. */
export async function startHandlerAlone(): Promise<BenchTarget> {
  const keyring = parseKeyring(JSON.stringify({ current: 'b1', b1: randomBytes(32).toString('base64url') }));
  const store = createMemorySubscriberStore();
  let sent = 0;
  const worker = createConfirmationWorker({
    store,
    mailer: { send: async () => ({ messageId: `m-${++sent}` }) },
    composer: createConfirmationComposer({ newsletterName: 'newsbrief', postalAddress: '1 Example Street', from: { name: 'newsbrief', address: 'news@example.com' } }),
    keyring,
    publicUrl: 'http://127.0.0.1',
    log: silentLog,
  });
  const confirmations = startQueueWorker<ConfirmationJob>(createConfirmMailHandler(async () => ({ worker, log: silentLog })));
  const service = createSubscriptionService({ store, queue: confirmations, keyring, config: { publicUrl: 'http://127.0.0.1', topics: TOPICS }, log: silentLog });
  const http = await startHttpAdapter(createApp({ service, pages: { newsletterName: 'newsbrief', topics: TOPICS }, log: silentLog }), { routes: ROUTES });
  return {
    title: 'handler alone (in-memory store, discarding mailer, same HTTP adapter and worker)',
    url: http.url,
    store,
    keyring,
    settled: () => confirmations.idle(),
    mails: async () => sent,
    async stop() {
      await http.close();
      await confirmations.stop();
    },
  };
}
