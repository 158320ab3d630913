/**
 * `npm run serve`: the subscribe API and the archive on http://127.0.0.1:3000 (PORT overrides) over
 * embedded dynalite and the SES emulator (mail UI on http://127.0.0.1:8005, SES_PORT overrides),
 * through the same Lambda handler code and the small HTTP adapter, which routes as API Gateway does
 * (only the API's routes reach a handler). Subscribe requests go to an in-process queue with SQS
 * semantics, drained in the background by the confirmation worker's own Lambda handler (there is no
 * SQS stand-in). Data persists under .data/local
 * (gitignored), the folder `npm start` uses too, with its signing keyring: so the links in
 * `npm start`'s outbox work here, and /archive shows the issues it sent. `--fresh` wipes it first,
 * `--memory` keeps everything in memory.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureTable, localDynamo, standinEnvironment, startStandins } from './local/standins.ts';
import { startHttpAdapter } from './local/http-adapter.ts';
import { startQueueWorker, type QueueWorker } from './local/queue-worker.ts';
import { confirmMailRuntime, createConfirmMailHandler } from '../lambda/confirm-mail/handler.ts';
import { lazy } from '../lambda/shared/lazy.ts';
import type { ConfirmationJob } from '../lambda/shared/subscriptions/requests.ts';
import type { App } from '../lambda/subscribe/app.ts';
import { appFromEnvironment, lazyHandler } from '../lambda/subscribe/handler.ts';
import { archiveAppFromEnvironment } from '../lambda/archive/handler.ts';
import { ARCHIVE_ROUTES } from '../lambda/archive/routes.ts';
import { ROUTES } from '../lambda/subscribe/routes.ts';
import { FolderBlobStore } from '../lambda/shared/delivery/folder-blobs.ts';
import { randomBytes } from 'node:crypto';
import { claimDataDir, LOCAL_DATA_DIR, localBlobsDir } from './local/config.ts';
import { LOCAL_TABLE_NAME, localDeliveryEnvironment, localKeyring } from './local/delivery-env.ts';
import { silentLog, type Log } from '../lambda/shared/logger.ts';

export interface ServeOptions {
  readonly port?: number;
  readonly sesPort?: number;
  /** Persist DynamoDB data and the keyring here; in memory when absent. */
  readonly dataDir?: string;
  readonly topics?: string;
  readonly log?: Log;
  /** The confirmation worker's SES request timeout (default 5 s; tests of a slow SES make it short). */
  readonly sesRequestTimeoutMs?: number;
}

export interface ServeStack {
  readonly url: string;
  readonly sesEndpoint: string;
  readonly dynamoEndpoint: string;
  readonly env: Record<string, string>;
  /** The confirmation queue and its worker (its dead letters, what was queued). */
  readonly confirmations: QueueWorker<ConfirmationJob>;
  /** Resolves once every queued subscribe request is handled: its confirmation mail sent or withheld. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const TABLE_NAME = LOCAL_TABLE_NAME;

/** Start dynalite, the SES emulator and the subscribe API in this process. */
export async function startServeStack(options: ServeOptions = {}): Promise<ServeStack> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // One process at a time on a data folder: `npm start` refuses to run while this holds it.
  const claim = options.dataDir ? claimDataDir(options.dataDir, 'npm run serve') : { release() {} };
  const standins = await startStandins({
    ...(options.dataDir ? { dataDir: path.join(options.dataDir, 'dynamo') } : {}),
    sesPort: options.sesPort ?? 0,
  });
  const { client } = localDynamo(standins.dynamoEndpoint);
  await ensureTable(client, TABLE_NAME);

  // The SDK clients in the handler find the stand-ins through the standard endpoint variables.
  Object.assign(process.env, standinEnvironment(standins));

  const env: Record<string, string> = {};
  // The app is built once the URL (its links' base) is known, before the stack is reported ready, so
  // a bad configuration (e.g. TOPICS) stops `npm run serve` at start instead of failing each request.
  const built: { app?: Promise<App> } = {};
  const notReady = () => Promise.reject(new Error('the subscribe API is still starting'));
  const subscribe = lazyHandler(() => built.app ?? notReady(), options.log);
  // API Gateway routes /archive and /archive/{id} to the archive function, everything else to subscribe.
  const archive: { app?: ReturnType<typeof archiveAppFromEnvironment> } = {};
  const handler: Parameters<typeof startHttpAdapter>[0] = (event) =>
    archive.app !== undefined && /^\/archive(\/|$)/.test(event.rawPath ?? '') ? archive.app(event) : subscribe(event);
  const http = await startHttpAdapter(handler, { routes: [...ROUTES, ...ARCHIVE_ROUTES], port: options.port ?? 0 });
  const publicUrl = http.url;
  // npm start's configuration (the subscribe function reads its part of it), on this server's URL.
  const keyring = options.dataDir ? localKeyring(options.dataDir) : JSON.stringify({ current: 'local1', local1: randomBytes(32).toString('base64url') });
  Object.assign(env, {
    ...localDeliveryEnvironment(keyring),
    TABLE_NAME,
    PUBLIC_URL: publicUrl,
    ...(options.topics ? { TOPICS: options.topics } : {}),
  });
  archive.app = archiveAppFromEnvironment(env, {
    reader: options.dataDir ? new FolderBlobStore(localBlobsDir(options.dataDir)) : { get: async () => null, list: async () => [] },
    ...(options.log ? { log: options.log } : {}),
  });
  const log = options.log;
  const worker = createConfirmMailHandler(
    lazy(() =>
      confirmMailRuntime(env, {
        ...(log ? { log } : {}),
        ...(options.sesRequestTimeoutMs !== undefined ? { sesRequestTimeoutMs: options.sesRequestTimeoutMs } : {}),
      }),
    ),
  );
  const confirmations = startQueueWorker<ConfirmationJob>(worker);
  built.app = appFromEnvironment(env, log, { confirmationQueue: confirmations });
  try {
    await built.app;
  } catch (error) {
    await http.close();
    await confirmations.stop();
    await standins.stop();
    claim.release();
    throw error;
  }
  return {
    url: publicUrl,
    sesEndpoint: standins.sesEndpoint,
    dynamoEndpoint: standins.dynamoEndpoint,
    env,
    confirmations,
    settled: () => confirmations.idle(),
    async stop() {
      await http.close();
      await confirmations.stop();
      await standins.stop();
      claim.release();
    },
  };
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const dataDir = args.has('--memory') ? undefined : path.resolve(LOCAL_DATA_DIR);
  if (dataDir && args.has('--fresh')) {
    // Never wipe a folder another run holds.
    claimDataDir(dataDir, 'npm run serve').release();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const port = Number(process.env.PORT ?? 3000);
  const sesPort = Number(process.env.SES_PORT ?? 8005);
  const verbose = process.env.LOG_REQUESTS === '1';
  const stack = await startServeStack({
    port,
    sesPort,
    ...(dataDir ? { dataDir } : {}),
    ...(process.env.TOPICS ? { topics: process.env.TOPICS } : {}),
    // Powertools JSON logs are noisy in a terminal; LOG_REQUESTS=1 shows them.
    ...(verbose ? {} : { log: silentLog }),
  });
  console.log(`subscribe API    ${stack.url}/   (subscribe form)`);
  console.log(`archive          ${stack.url}/archive   (the issues \`npm start\` sent)`);
  console.log(`SES mail UI      ${stack.sesEndpoint}/   (confirmation emails land here)`);
  console.log(`data             ${dataDir ?? 'in memory'}`);
  console.log('Ctrl-C to stop.');
  const stop = () => {
    stack.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`serve: ${(error as Error)?.message ?? String(error)}`);
    process.exit(1);
  });
}
