/**
 * `npm start`: the whole pipeline on this machine, through the real Lambda handlers and the real AWS
 * SDK clients against embedded stand-ins (dynalite for DynamoDB, aws-ses-v2-local for SES).
 *
 * 1. starts dynalite (data under .data/local/dynamo) and the SES emulator on 127.0.0.1;
 * 2. loads examples/subscribers.json through the subscriber store (pending, then confirmed);
 * 3. puts each examples/articles/* file into the local articles "bucket" (.data/local/blobs) and
 *    invokes the ingest handler with the S3 notification for it; then serves examples/feeds/ and
 *    examples/pages/ on 127.0.0.1 and runs the poll handler once over those feeds;
 * 4. drains the in-process send queue through the sender handler (the immediate alerts), then
 *    invokes the digest handler for the daily digest and drains the queue again;
 * 5. writes every email the SES emulator received to out/outbox/*.eml (the raw MIME the sender
 *    built, recorded on its way to SES, because the emulator's store drops headers) and *.html;
 * 6. prints a summary and exits 0.
 *
 * Data persists, so a second `npm start` finds the articles already ingested (no second alert) and
 * no article new since the last daily run (no second digest). `--fresh` wipes .data/local first.
 * The data folder, keyring and configuration are the ones `npm run serve` uses (scripts/local/config.ts),
 * so the links in the outbox work there, and serve shows the archive of the issues sent here.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { createIngestHandler, resultRow, type IngestSummary } from '../lambda/ingest/handler.ts';
import { createDigestHandler } from '../lambda/digest/handler.ts';
import { createSenderHandler, senderRuntime } from '../lambda/sender/handler.ts';
import type { DigestResult } from '../lambda/shared/delivery/digest.ts';
import { FolderBlobStore } from '../lambda/shared/delivery/folder-blobs.ts';
import { MemoryJobQueue } from '../lambda/shared/delivery/memory-queue.ts';
import type { Mailer } from '../lambda/shared/mailer.ts';
import { deliveryRuntime } from '../lambda/shared/delivery/runtime.ts';
import { lazy } from '../lambda/shared/lazy.ts';
import { emptyCounts, type BatchReport, type RecipientOutcome } from '../lambda/shared/delivery/sender.ts';
import type { Log } from '../lambda/shared/logger.ts';
import { createSesMailer } from '../lambda/shared/ses-mailer.ts';
import { parseKeyring } from '../lambda/shared/signing-keys.ts';
import { createDynamoSubscriberStore } from '../lambda/shared/subscriptions/dynamo-store.ts';
import { FREQUENCIES, type Frequency } from '../lambda/shared/subscriptions/model.ts';
import { InvalidSeedError, seedConfirmedSubscriber } from '../lambda/shared/subscriptions/seed.ts';
import { randomSubscriberId } from '../lambda/shared/subscriptions/service.ts';
import { emailHashes } from '../lambda/shared/subscriptions/tokens.ts';
import { normaliseEmail } from '../lambda/shared/subscriptions/validation.ts';
import { claimDataDir, DataDirInUseError, LOCAL_DATA_DIR, localBlobsDir } from './local/config.ts';
import { LOCAL_FEEDS_LIST, LOCAL_FEEDS_PORT, LOCAL_SENDER_ADDRESS, LOCAL_TABLE_NAME, localDeliveryEnvironment, localKeyring } from './local/delivery-env.ts';
import type { FeedPollResult } from '../lambda/shared/feeds/poll.ts';
import { pollLocalFeeds } from './local/feeds.ts';
import { clearOutbox, ensureTable, localDynamo, localSes, readOutbox, standinEnvironment, startStandins } from './local/standins.ts';

const TABLE_NAME = LOCAL_TABLE_NAME;
const SENDER_ADDRESS = LOCAL_SENDER_ADDRESS;

/** A problem with the local inputs, reported as one line naming the file and the reason. */
export class StartInputError extends Error {
  override readonly name = 'StartInputError';
}

const subscribersSchema = z.array(
  z
    .object({
      email: z.string().min(1).max(320),
      topics: z.array(z.string().regex(/^[a-z0-9-]+$/, 'topic slugs are lower-case letters, digits and dashes')).default([]),
      frequency: z.enum(FREQUENCIES).default('daily'),
      /** "pending" subscribers never confirmed: they must receive nothing. */
      status: z.enum(['confirmed', 'pending']).default('confirmed'),
    })
    .strict(),
);

export interface StartOptions {
  /** Root of persisted data (dynalite, blobs, keyring). Default .data/local, shared with `npm run serve`. */
  readonly dataDir: string;
  /** Where the outbox goes. Default out/outbox. */
  readonly outboxDir: string;
  readonly articlesDir: string;
  readonly subscribersFile: string;
  readonly fresh?: boolean;
  /** Example feeds (with feeds.json), the pages they link to, and the port they are served on; no feed poll when absent. */
  readonly feeds?: { readonly dir: string; readonly pagesDir: string; readonly port: number };
  /** Warnings and errors of the handlers; default: printed to stderr, one line each. */
  readonly log?: Log;
}

export interface StartSummary {
  readonly articles: IngestSummary['results'];
  readonly rejected: IngestSummary['rejected'];
  /** The feed poll: each feed's outcome, and the items that went through ingest. */
  readonly feeds: { readonly results: FeedPollResult[]; readonly articles: IngestSummary['results'] };
  readonly subscribers: { id: string; email: string; frequency: Frequency; topics: string[]; status: string }[];
  readonly alertsEnqueued: number;
  readonly digest: DigestResult;
  readonly delivery: Record<RecipientOutcome, number>;
  readonly deadLetters: number;
  /** Files written to the outbox, one .eml (+ .html) per email the SES emulator received. */
  readonly outbox: { file: string; subscriberId: string; subject: string }[];
  readonly millis: number;
}

function readSubscribers(file: string): z.infer<typeof subscribersSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(error as Error).message})`;
    throw new StartInputError(`${file}: ${reason}`, { cause: error });
  }
  const parsed = subscribersSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; ');
    throw new StartInputError(`${file}: ${problems}`);
  }
  return parsed.data;
}

const stderrLog: Log = {
  debug() {},
  info() {},
  warn: (message, extra) => process.stderr.write(`warn: ${message} ${extra ? JSON.stringify(extra) : ''}\n`),
  error: (message, extra) => process.stderr.write(`error: ${message} ${extra ? JSON.stringify(extra) : ''}\n`),
};

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
}

/** Run the local pipeline once and return what happened. */
export async function runStart(options: StartOptions): Promise<StartSummary> {
  const started = performance.now();
  // Refuse before touching anything while `npm run serve` holds the folder (even --fresh would wipe its data).
  let claim: { release(): void };
  try {
    claim = claimDataDir(options.dataDir, 'npm start');
  } catch (error) {
    if (error instanceof DataDirInUseError) throw new StartInputError(error.message, { cause: error });
    throw error;
  }
  try {
    if (options.fresh) {
      rmSync(options.dataDir, { recursive: true, force: true });
      claim = claimDataDir(options.dataDir, 'npm start');
    }
    return await runOnData(options, started);
  } finally {
    claim.release();
  }
}

/** The pipeline on a data folder this process holds. */
async function runOnData(options: StartOptions, started: number): Promise<StartSummary> {
  const log = options.log ?? stderrLog;
  mkdirSync(options.dataDir, { recursive: true });
  rmSync(options.outboxDir, { recursive: true, force: true });
  mkdirSync(options.outboxDir, { recursive: true });
  const subscriberInput = readSubscribers(options.subscribersFile);
  const articleFiles = readdirSync(options.articlesDir)
    .filter((f) => !f.startsWith('.') && statSync(path.join(options.articlesDir, f)).isFile())
    .sort();
  if (articleFiles.length === 0) throw new StartInputError(`${options.articlesDir}: no article files`);

  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const standins = await startStandins({ dataDir: path.join(options.dataDir, 'dynamo') });
  try {
    // The emulator's store is per process; start from an empty one so the outbox is this run's mail only.
    await clearOutbox(standins.sesEndpoint);
    const { client, doc } = localDynamo(standins.dynamoEndpoint);
    await ensureTable(client, TABLE_NAME);
    // The handlers' SDK clients find the stand-ins through the standard endpoint variables.
    Object.assign(process.env, standinEnvironment(standins));
    const keyringJson = localKeyring(options.dataDir);
    // The links point at `npm run serve` on the same data folder (scripts/local/config.ts).
    const env = localDeliveryEnvironment(keyringJson);

    // 2. Subscribers, through the subscriber store's own transitions.
    const keyring = parseKeyring(keyringJson);
    const store = createDynamoSubscriberStore({ doc, tableName: TABLE_NAME });
    const subscribers: StartSummary['subscribers'] = [];
    for (const [index, s] of subscriberInput.entries()) {
      const at = new Date().toISOString();
      const label = `${options.subscribersFile}: entry [${index}]`;
      let subscriber;
      if (s.status === 'confirmed') {
        // The subscribe flow's own store operations and address rules, without the opt-in mail.
        try {
          subscriber = await seedConfirmedSubscriber(store, keyring, s, at, label);
        } catch (error) {
          if (error instanceof InvalidSeedError) throw new StartInputError(error.message, { cause: error });
          throw error;
        }
      } else {
        const normalised = normaliseEmail(s.email);
        if (!normalised.ok) throw new StartInputError(`${label}: ${normalised.reason}`);
        const [hash] = emailHashes(normalised.email, keyring);
        const { subscriberId } = await store.createPending(
          { id: randomSubscriberId(), email: normalised.email, emailHash: (hash as { hash: string }).hash, topics: s.topics, frequency: s.frequency },
          at,
        );
        subscriber = await store.get(subscriberId);
      }
      if (!subscriber?.email) throw new StartInputError(`${label}: could not be stored`);
      subscribers.push({ id: subscriber.id, email: subscriber.email, frequency: subscriber.frequency, topics: subscriber.topics, status: subscriber.status });
    }

    // The delivery ports: the same runtime as the Lambdas, with a folder for S3 and an in-process queue for SQS.
    const blobs = new FolderBlobStore(localBlobsDir(options.dataDir));
    const queue = new MemoryJobQueue({ visibilityTimeoutMs: 2_000, maxReceives: 5 });
    const runtime = lazy(() => deliveryRuntime(env, { blobs, queue, log }));

    // The sender's SES calls go through a recorder that keeps the exact raw MIME for the outbox.
    const raws = new Map<string, { raw: Buffer; subscriberId: string }>();
    const ses = createSesMailer(localSes(standins.sesEndpoint), { from: SENDER_ADDRESS, configurationSet: env.CONFIGURATION_SET as string });
    const recordingMailer: Mailer = {
      async send(message) {
        const result = await ses.send(message);
        raws.set(result.messageId, { raw: Buffer.from(message.raw), subscriberId: message.subscriberId });
        return result;
      },
    };
    const delivery: Record<RecipientOutcome, number> = emptyCounts();
    const onReport = (report: BatchReport) => {
      for (const job of report.jobs) for (const [k, n] of Object.entries(job.counts)) delivery[k as RecipientOutcome] += n;
    };
    const sender = createSenderHandler(lazy(() => senderRuntime(env, { blobs, mailer: recordingMailer, log })), { onReport });

    // 3. Ingest every article as S3 would announce it.
    const ingest = createIngestHandler(runtime);
    const results: IngestSummary['results'] = [];
    const rejected: IngestSummary['rejected'] = [];
    for (const file of articleFiles) {
      const key = `articles/${file}`;
      await blobs.put(key, readFileSync(path.join(options.articlesDir, file)), 'application/octet-stream');
      const summary = await ingest({
        Records: [{ s3: { bucket: { name: env.BUCKET_NAME }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/') } } }],
      });
      results.push(...summary.results);
      rejected.push(...summary.rejected.map((r) => ({ key: path.join(options.articlesDir, file), reason: r.reason })));
    }
    // 3b. The example feeds, through the poll handler and the same ingest path.
    const feedPoll = options.feeds
      ? await pollLocalFeeds({ feedsDir: options.feeds.dir, pagesDir: options.feeds.pagesDir, port: options.feeds.port, delivery: runtime, doc, tableName: TABLE_NAME })
      : { feeds: [], articles: [] };
    const feeds: StartSummary['feeds'] = {
      results: feedPoll.feeds,
      articles: feedPoll.articles.map(({ feedUrl, result }) => resultRow(`${feedUrl} → ${result.article.origin}`, result)),
    };
    const alertsEnqueued = queue.enqueued.length ? queue.enqueued.reduce((n, j) => n + j.recipients.length, 0) : 0;

    // 4. Alerts out, then the daily digest, through the same queue and sender.
    await queue.drain(sender);
    const digest = await createDigestHandler(runtime, env)({ frequency: 'daily' });
    await queue.drain(sender);

    // 5. The outbox: what the SES emulator received, with the raw MIME recorded on the way.
    const outbox: StartSummary['outbox'] = [];
    const mails = await readOutbox(standins.sesEndpoint);
    for (const [i, mail] of mails.entries()) {
      const recorded = raws.get(mail.messageId);
      const subscriberId = recorded?.subscriberId ?? 'unknown';
      const base = `${String(i + 1).padStart(2, '0')}-${slug(mail.subject)}-${subscriberId.slice(0, 8)}`;
      const eml = recorded?.raw ?? Buffer.from(`Subject: ${mail.subject}\r\n\r\n${mail.body.text ?? ''}`);
      writeFileSync(path.join(options.outboxDir, `${base}.eml`), eml);
      if (mail.body.html) writeFileSync(path.join(options.outboxDir, `${base}.html`), mail.body.html);
      outbox.push({ file: path.join(options.outboxDir, `${base}.eml`), subscriberId, subject: mail.subject });
    }

    return {
      articles: results,
      rejected,
      feeds,
      subscribers,
      alertsEnqueued,
      digest,
      delivery,
      deadLetters: queue.deadLetters.length,
      outbox,
      millis: performance.now() - started,
    };
  } finally {
    await standins.stop();
  }
}

/** Mask an address for the console: first letter of the local part, the domain kept. */
function mask(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/** The human summary printed by `npm start`. */
export function formatSummary(s: StartSummary): string {
  const lines: string[] = [];
  lines.push(`Articles (${s.articles.length}):`);
  for (const a of s.articles) {
    const state = a.outcome === 'duplicate' ? 'already ingested, no new alert' : `${a.outcome}, ${a.alerts} alert recipient(s)`;
    lines.push(`  • ${a.title}  [${state}]`);
    for (const q of a.keyQuotes) lines.push(`      ${q}`);
  }
  for (const r of s.rejected) lines.push(`  ✗ ${r.key}: ${r.reason}`);
  if (s.feeds.results.length > 0) {
    lines.push('', `Feeds (${s.feeds.results.length}):`);
    for (const f of s.feeds.results) {
      const i = f.items;
      const detail = f.outcome === 'failed' ? f.error : f.outcome === 'not-modified' ? '304 Not Modified, nothing new' : `${i.ingested} new, ${i.duplicate} seen before, ${i.deferred} waiting for their page, ${i.skipped} skipped`;
      lines.push(`  ${f.url}  [${f.outcome}] ${detail}`);
    }
    for (const a of s.feeds.articles) {
      lines.push(`  • ${a.title}  [${a.outcome === 'duplicate' ? 'already ingested, no new alert' : `${a.outcome}, ${a.alerts} alert recipient(s)`}]`);
      for (const q of a.keyQuotes) lines.push(`      ${q}`);
    }
  }
  lines.push('', `Subscribers (${s.subscribers.length}):`);
  for (const sub of s.subscribers) {
    lines.push(`  ${sub.id.slice(0, 8)}  ${mask(sub.email).padEnd(20)} ${sub.status.padEnd(10)} ${sub.frequency.padEnd(9)} ${sub.topics.join(',') || '(all topics)'}`);
  }
  const d = s.digest;
  const digestLine =
    d.outcome === 'empty'
      ? 'no article since the last daily run: nothing sent, run recorded empty'
      : d.outcome === 'duplicate'
        ? 'this schedule event was already handled: nothing sent again'
        : `${d.outcome}, ${d.articleIds.length} article(s), ${d.counts.enqueued} recipient(s), ` +
          `${d.counts.skipped} whose topics matched no article (sent nothing)`;
  lines.push(
    '',
    `Daily digest ${d.runId}: ${digestLine}`,
    `Alerts enqueued: ${s.alertsEnqueued} recipient(s)`,
    '',
    `Emails sent: ${s.delivery.sent}   skipped: ${s.delivery.skipped}   already sent before: ${s.delivery['already-done']}   ` +
      `rejected: ${s.delivery.rejected}   failed: ${s.delivery.failed}   dead-lettered jobs: ${s.deadLetters}`,
  );
  if (s.outbox.length > 0) {
    lines.push(`Outbox (${s.outbox.length} emails, .eml + .html):`);
    for (const o of s.outbox) lines.push(`  ${o.file}  "${o.subject}"`);
  } else {
    lines.push('Outbox: no email this time (nothing new since the last run; use --fresh to start over).');
  }
  lines.push(`Time taken: ${(s.millis / 1000).toFixed(2)} s`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--fresh');
  if (unknown.length > 0) {
    process.stderr.write(`npm start: unknown option ${unknown.join(' ')} (only --fresh)\n`);
    return 2;
  }
  try {
    const summary = await runStart({
      dataDir: path.resolve(LOCAL_DATA_DIR),
      outboxDir: 'out/outbox',
      articlesDir: 'examples/articles',
      subscribersFile: 'examples/subscribers.json',
      // A fixed port: the feeds' URLs, and so their conditional-GET state, stay the same across runs.
      feeds: { dir: path.dirname(LOCAL_FEEDS_LIST), pagesDir: 'examples/pages', port: Number(process.env.FEEDS_PORT ?? LOCAL_FEEDS_PORT) },
      fresh: argv.includes('--fresh'),
    });
    process.stdout.write(`${formatSummary(summary)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof StartInputError) {
      process.stderr.write(`npm start: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`npm start failed: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
