import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { silentLog } from '../lambda/shared/logger.ts';
import {
  createImporter,
  IMPORT_OUTCOMES,
  planImport,
  type ImportOutcome,
  type RowResult,
  type SubscribeRequester,
} from '../lambda/shared/subscriptions/import.ts';
import { FREQUENCIES, type Frequency } from '../lambda/shared/subscriptions/model.ts';
import { createSubscriptionService } from '../lambda/shared/subscriptions/service.ts';
import { LOCAL_TOPICS } from '../scripts/local/delivery-env.ts';
import { TargetError, UsageError } from './errors.ts';
import { ImportFileError, parseExport, type ImportFormat } from './import-formats.ts';
import { colours, printJson, progress, table, type Io } from './output.ts';
import type { PendingPath, Target } from './targets.ts';

/**
 * `newsbrief subscribers import FILE`: read an export (cli/import-formats.ts), check every row
 * (subscriptions/import.ts planImport), then import the rows through the subscriber store, a few at a
 * time, with a progress bar. The report counts each outcome and lists every skipped row by line and
 * reason, never by address.
 */

export interface ImportCommandOptions {
  readonly format?: ImportFormat;
  readonly confirmed: boolean;
  readonly topics?: readonly string[];
  readonly frequency: Frequency;
  /** Confirmation mails per second on the pending path. */
  readonly rate: number;
  /** Batches of IMPORT_BATCH rows in flight at once. */
  readonly concurrency: number;
  readonly json: boolean;
  /** Read only: report what the import would do, write nothing, queue and mail nothing. */
  readonly dryRun?: boolean;
}

/** What the import did, as `--json` prints it. */
export interface ImportReport {
  readonly file: string;
  readonly format: ImportFormat;
  readonly mode: 'confirmed' | 'pending';
  /** Nothing was written: the counts say what importing the file would do now. */
  readonly dryRun: boolean;
  readonly rows: number;
  readonly counts: Record<ImportOutcome, number>;
  /** Every row that was not imported, with its line and why (no addresses). */
  readonly skipped: readonly { readonly line: number; readonly outcome: ImportOutcome; readonly reason?: string }[];
  /** File tags that name no offered topic, with how many rows had each. */
  readonly ignoredTags: Record<string, number>;
  readonly seconds: number;
}

/** Rows read and created together: one batched read of their lookups (DynamoDB's BatchGetItem takes 100 keys). */
export const IMPORT_BATCH = 100;

/** Outcomes that put someone on the list (or on their way to it, pending their confirmation). */
const ADDED: readonly ImportOutcome[] = ['confirmed', 'requested'];

/** Space calls `rate` per second apart, whatever the concurrency. */
function pacer(rate: number): () => Promise<void> {
  let next = Date.now();
  return async () => {
    const now = Date.now();
    const at = Math.max(next, now);
    next = at + 1000 / rate;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  };
}

/** Read, check and import `file` into `target`; prints the report and returns it. */
export async function importFile(target: Target, file: string, options: ImportCommandOptions, io: Io): Promise<ImportReport> {
  const name = path.basename(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'not readable (permission denied)' : (error as Error).message;
    throw new UsageError(`${file}: ${reason}`, { cause: error });
  }
  let parsed;
  try {
    parsed = parseExport(text, options.format ? { format: options.format } : {});
  } catch (error) {
    if (error instanceof ImportFileError) throw new UsageError(`${file}: ${error.message}; nothing imported`, { cause: error });
    throw error;
  }

  const offeredTopics = target.offered?.topics ?? LOCAL_TOPICS;
  const offeredFrequencies = target.offered?.frequencies ?? FREQUENCIES;
  const unknownTopics = (options.topics ?? []).filter((t) => !offeredTopics.includes(t));
  if (unknownTopics.length > 0) throw new UsageError(`--topics: ${unknownTopics.join(', ')} not offered by ${target.description} (${offeredTopics.join(', ')})`);
  if (!offeredFrequencies.includes(options.frequency)) throw new UsageError(`--frequency: ${options.frequency} not offered by ${target.description}`);

  const plan = planImport(parsed.rows, {
    confirmed: options.confirmed,
    source: `${parsed.format}:${name}`,
    ...(options.topics ? { topics: options.topics } : {}),
    frequency: options.frequency,
    offeredTopics,
    offeredFrequencies,
  });

  // Without attested consent, each new person is asked as the subscribe form asks: a request stored
  // and queued for the confirmation worker, which mails them (at most once per address and mailbox
  // per window). --rate paces the requests, so the worker's sends stay within the SES send rate.
  let pending: PendingPath | undefined;
  let requests: SubscribeRequester | undefined;
  if (!options.dryRun && !options.confirmed && plan.planned.some((r) => r.state === 'subscribed' || r.state === 'unconfirmed')) {
    if (!target.pending) {
      throw new TargetError(
        `${file}: ${target.description} has no confirmation queue output (ConfirmationQueueUrl): deploy it with this version of newsbrief ` +
          'to import without --confirmed, or import with --confirmed if they agreed before',
      );
    }
    pending = await target.pending();
    const service = createSubscriptionService({
      store: target.subscribers,
      queue: pending.queue,
      keyring: await target.keyring(),
      config: { publicUrl: pending.publicUrl, topics: offeredTopics },
      log: silentLog,
    });
    const pace = pacer(options.rate);
    requests = {
      async request(input) {
        await pace();
        await service.subscribe({ email: input.email, topics: [...input.topics], frequency: input.frequency });
      },
    };
  }

  const importer = createImporter(
    { store: target.subscribers, keyring: await target.keyring(), ...(requests ? { requests } : {}) },
    { confirmed: options.confirmed, source: `${parsed.format}:${name}`, ...(options.dryRun ? { dryRun: true } : {}) },
  );
  const started = Date.now();
  const results: RowResult[] = [
    ...parsed.problems.map((p) => ({ line: p.line, outcome: 'invalid' as const, reason: p.reason })),
    ...plan.decided,
  ];
  const bar = progress(io, options.dryRun ? 'checking' : 'importing', plan.planned.length);
  const limit = pLimit(options.concurrency);
  const batches: (typeof plan.planned)[] = [];
  for (let i = 0; i < plan.planned.length; i += IMPORT_BATCH) batches.push(plan.planned.slice(i, i + IMPORT_BATCH));
  let done = 0;
  try {
    await Promise.all(
      batches.map((batch) =>
        limit(async () => {
          results.push(...(await importer.importRows(batch)));
          done += batch.length;
          bar.increment(batch.length);
        }),
      ),
    );
  } catch (error) {
    limit.clearQueue();
    throw new TargetError(
      `${file}: import stopped after ${done} of ${plan.planned.length} rows: ${(error as Error).name}: ${(error as Error).message}. ` +
        'Import the file again to finish: rows already imported are skipped',
      { cause: error },
    );
  } finally {
    bar.stop();
    if (pending) {
      await pending.settled();
      await pending.close();
    }
  }

  const counts = Object.fromEntries(IMPORT_OUTCOMES.map((o) => [o, 0])) as Record<ImportOutcome, number>;
  for (const r of results) counts[r.outcome]++;
  const report: ImportReport = {
    file,
    format: parsed.format,
    mode: options.confirmed ? 'confirmed' : 'pending',
    dryRun: options.dryRun === true,
    rows: parsed.rows.length + parsed.problems.length,
    counts,
    skipped: results
      .filter((r) => !ADDED.includes(r.outcome) && r.outcome !== 'opted-out')
      .sort((a, b) => a.line - b.line)
      .map((r) => ({ line: r.line, outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}) })),
    ignoredTags: Object.fromEntries(plan.ignoredTags),
    seconds: (Date.now() - started) / 1000,
  };
  if (options.json) printJson(io, report);
  else printImportReport(io, report, target.description);
  return report;
}

const DESCRIBE: Record<ImportOutcome, string> = {
  confirmed: 'imported, confirmed (consent attested)',
  requested: 'imported, pending: confirmation mail queued',
  'opted-out': 'recorded as opted out at the source (never mailed)',
  invalid: 'skipped: invalid',
  duplicate: 'skipped: repeated in the file',
  unconfirmed: 'skipped: never confirmed at the source',
  'already-confirmed': 'skipped: already subscribed',
  'already-pending': 'skipped: already pending',
  unsubscribed: 'skipped: unsubscribed here before',
  suppressed: 'skipped: suppressed (bounce or complaint)',
  forgotten: 'skipped: asked to be forgotten',
};

/** The same outcomes in a dry run's words: what the import would do. */
const WOULD: Record<ImportOutcome, string> = {
  confirmed: 'would be imported, confirmed (consent attested)',
  requested: 'would be imported, pending: a confirmation mail queued',
  'opted-out': 'would be recorded as opted out at the source (never mailed)',
  unconfirmed: 'would be skipped: never confirmed at the source',
  'already-confirmed': 'would be skipped: already subscribed',
  'already-pending': 'would be skipped: already pending',
  unsubscribed: 'would be skipped: unsubscribed here before',
  suppressed: 'would be skipped: suppressed (bounce or complaint)',
  forgotten: 'would be skipped: asked to be forgotten',
  invalid: 'would be skipped: invalid',
  duplicate: 'would be skipped: repeated in the file',
};

function printImportReport(io: Io, report: ImportReport, where: string): void {
  const c = colours(io);
  const into = report.dryRun ? `checked against ${where}, dry run: nothing written` : `into ${where}`;
  io.out(`${c.bold(report.file)}: ${report.format} export, ${report.rows.toLocaleString('en-US')} row(s) ${into} (${report.mode})`);
  const words = report.dryRun ? WOULD : DESCRIBE;
  const rows = IMPORT_OUTCOMES.filter((o) => report.counts[o] > 0).map((o) => [words[o], report.counts[o]] as const);
  io.out(table(io, ['outcome', 'rows'], rows));
  const details = report.skipped.filter((s) => s.reason !== undefined);
  for (const s of details.slice(0, 50)) io.out(c.yellow(`  line ${s.line}: ${s.outcome}: ${s.reason}`));
  if (details.length > 50) io.out(`  … and ${details.length - 50} more (--json lists them all)`);
  const tags = Object.entries(report.ignoredTags);
  if (tags.length > 0) {
    io.out(`tags that name no topic here (ignored): ${tags.slice(0, 20).map(([t, n]) => `${t} (${n})`).join(', ')}${tags.length > 20 ? ', …' : ''}`);
  }
  // A rate over a fraction of a second says nothing; over a long import it says how long the next will take.
  const rate = report.seconds >= 1 ? ` (${Math.round(report.rows / report.seconds).toLocaleString('en-US')} rows/s)` : '';
  if (report.dryRun) io.out(`checked in ${report.seconds.toFixed(1)} s${rate}; nothing was written: run it again without --dry-run to import`);
  else io.out(`done in ${report.seconds.toFixed(1)} s${rate}; importing this file again changes nothing`);
}
