/**
 * `npm run serve`: the subscribe API on http://127.0.0.1:3000 (PORT overrides) over embedded dynalite
 * and the SES emulator (mail UI on http://127.0.0.1:8005, SES_PORT overrides), through the same
 * Lambda handler code and the small HTTP adapter. Data persists under .data/serve (gitignored),
 * including a locally generated signing keyring so links keep working across restarts;
 * `--fresh` wipes it first, `--memory` keeps everything in memory.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureTable, localDynamo, standinEnvironment, startStandins } from './local/standins.ts';
import { startHttpAdapter } from './local/http-adapter.ts';
import type { App } from '../lambda/subscribe/app.ts';
import { appFromEnvironment, lazyHandler } from '../lambda/subscribe/handler.ts';
import { silentLog, type Log } from '../lambda/shared/logger.ts';

export interface ServeOptions {
  readonly port?: number;
  readonly sesPort?: number;
  /** Persist DynamoDB data and the keyring here; in memory when absent. */
  readonly dataDir?: string;
  readonly topics?: string;
  readonly log?: Log;
}

export interface ServeStack {
  readonly url: string;
  readonly sesEndpoint: string;
  readonly dynamoEndpoint: string;
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

const TABLE_NAME = 'newsbrief-local';

function localKeyring(dataDir: string | undefined): string {
  const fresh = () => JSON.stringify({ current: 'local1', local1: randomBytes(32).toString('base64url') });
  if (!dataDir) return fresh();
  const file = path.join(dataDir, 'signing-keyring.json');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const ring = fresh();
  writeFileSync(file, ring, { mode: 0o600 });
  return ring;
}

/** Start dynalite, the SES emulator and the subscribe API in this process. */
export async function startServeStack(options: ServeOptions = {}): Promise<ServeStack> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
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
  const handler = lazyHandler(() => built.app ?? notReady(), options.log);
  const http = await startHttpAdapter(handler, { port: options.port ?? 0 });
  const publicUrl = http.url;
  Object.assign(env, {
    TABLE_NAME,
    NEWSLETTER_NAME: 'newsbrief',
    SENDER_ADDRESS: 'news@newsbrief.example.com',
    SENDER_NAME: 'newsbrief',
    POSTAL_ADDRESS: 'newsbrief, 1 Example Street, Springfield, USA',
    PUBLIC_URL: publicUrl,
    TOPICS: options.topics ?? 'world,politics,business,science,technology,asia',
    SIGNING_KEYRING: localKeyring(options.dataDir),
  });
  built.app = options.log ? appFromEnvironment(env, options.log) : appFromEnvironment(env);
  try {
    await built.app;
  } catch (error) {
    await http.close();
    await standins.stop();
    throw error;
  }
  return {
    url: publicUrl,
    sesEndpoint: standins.sesEndpoint,
    dynamoEndpoint: standins.dynamoEndpoint,
    env,
    async stop() {
      await http.close();
      await standins.stop();
    },
  };
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const dataDir = args.has('--memory') ? undefined : path.resolve('.data/serve');
  if (dataDir && args.has('--fresh')) rmSync(dataDir, { recursive: true, force: true });
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
