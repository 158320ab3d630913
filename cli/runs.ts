import { Command } from 'commander';
import { toJobs } from '../lambda/shared/delivery/fanout.ts';
import { MAX_TRIES, type LedgerEntry, type LedgerReader } from '../lambda/shared/delivery/ledger.ts';
import type { SendJob } from '../lambda/shared/delivery/ports.ts';
import type { RunJobRecord, RunRecord, RunStore } from '../lambda/shared/delivery/runs.ts';
import type { Subscriber } from '../lambda/shared/subscriptions/model.ts';
import type { SubscriberReader } from '../lambda/shared/subscriptions/store.ts';
import { TargetError, UsageError } from './errors.ts';
import { colours, printJson, progress, table, type Io } from './output.ts';
import { onTarget, withTargetOptions, type TargetOptions } from './target-options.ts';
import type { Target } from './targets.ts';

/**
 * `newsbrief runs list | show RUN | resend RUN --failed [--unknown]`: what each digest or alert run
 * did, from three records: the run record (articles, audience, counts), the jobs it enqueued (who it
 * addressed, with which issue: runs.ts `recordJobs`), and the delivery ledger (what happened to each
 * of them: ledger.ts). A resend goes through the sender and the ledger like any send job, so a
 * recipient the ledger holds as sent is never mailed again.
 */

/** What happened to one recipient a run addressed. */
export type RunOutcome =
  /** SES accepted it (the ledger holds its message id). */
  | 'sent'
  /** SES refused it (MessageRejected, or an address that can never be mailed): recorded with the reason. */
  | 'rejected'
  /** SES's answer was lost (it may have sent); `tries` attempts so far. */
  | 'unknown'
  /** A sender holds a live claim right now. */
  | 'in-flight'
  /** Not sent and no longer subscribed (left, suppressed or forgotten before the send). */
  | 'skipped'
  /** Addressed, still subscribed, and not sent: every attempt failed, or the job is still queued. */
  | 'failed';

export interface RecipientState {
  readonly subscriberId: string;
  readonly issueKey: string;
  /** The job record that addressed them (page, place), where a resend's sender notes them if found already sent. */
  readonly page: number;
  readonly index: number;
  readonly outcome: RunOutcome;
  readonly tries?: number;
  readonly reason?: string;
}

/** One run as `runs show` and `runs list --json` report it. */
export interface RunReport {
  readonly runId: string;
  readonly kind: RunRecord['kind'];
  readonly frequency: RunRecord['frequency'];
  readonly status: RunRecord['status'];
  readonly startedAt: string;
  readonly completedAt?: string;
  readonly articleIds: readonly string[];
  readonly audience: {
    /** Recipients put into send jobs. */
    readonly enqueued: number;
    /** Members of the run's audience whose topics matched none of its articles: sent nothing. */
    readonly noMatchingArticle: number;
  };
  /** Whether the run recorded its jobs (runs from before that have no per-recipient account). */
  readonly recipientsOnRecord: boolean;
  readonly outcomes: Record<RunOutcome, number>;
  /**
   * Recipients a sender found the ledger already holding as sent, and so did not mail again: a
   * redelivered job, a resend that raced a late send. Noted on the run's job records by the sender;
   * they are counted under `sent` too.
   */
  readonly alreadySent: number;
  /** Rejection reasons (SES error names), most frequent first. */
  readonly rejectionReasons: readonly { readonly reason: string; readonly count: number }[];
  /**
   * Bounces and complaints of this run's own messages, per recipient: the mail-events function records
   * each on the run's ledger entry, found by the message's run tag (message-tags.ts), keeping the first
   * of each kind, so a redelivered event counts once. `hard` are permanent bounces (SES's bounce rate),
   * `soft` transient or undetermined ones.
   */
  readonly mailEvents: { readonly bounces: { readonly hard: number; readonly soft: number }; readonly complaints: number };
}

const OUTCOMES: readonly RunOutcome[] = ['sent', 'rejected', 'unknown', 'in-flight', 'skipped', 'failed'];

/** Read subscribers `ids` a few at a time (one GetItem each), with a progress bar on a terminal. */
async function readSubscribers(io: Io, subscribers: Pick<SubscriberReader, 'get'>, ids: readonly string[]): Promise<Map<string, Subscriber | null>> {
  const found = new Map<string, Subscriber | null>();
  const bar = progress(io, 'subscribers', ids.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      found.set(id, await subscribers.get(id));
      bar.increment();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(16, ids.length) }, worker));
  } finally {
    bar.stop();
  }
  return found;
}

/** The outcome of a recipient from its ledger entry (none: not sent) and, when unsent, whether they are still subscribed. */
function outcomeOf(entry: LedgerEntry | undefined, subscriber: Subscriber | null | undefined, now: number): RunOutcome {
  if (entry?.state === 'sent' || entry?.state === 'rejected') return entry.state;
  if (entry?.state === 'unknown') return 'unknown';
  // A claim whose lease ran out: its holder died between the claim and the record, so the outcome is unknown.
  if (entry?.state === 'claimed') return (entry.leaseUntil ?? 0) >= now ? 'in-flight' : 'unknown';
  return subscriber?.status === 'confirmed' ? 'failed' : 'skipped';
}

/** Every recipient the run addressed, with their outcome, and the run's ledger entries (its mail events with them). */
export async function recipientStates(
  io: Io,
  run: RunRecord,
  stores: { runs: RunStore; ledger: LedgerReader; subscribers: Pick<SubscriberReader, 'get'> },
  now: number,
): Promise<{ states: RecipientState[]; recipientsOnRecord: boolean; entries: readonly LedgerEntry[]; alreadySent: number }> {
  const jobs = await stores.runs.listJobs(run.runId);
  const jobOf = new Map<string, RunJobRecord>();
  for (const job of jobs) for (const id of job.recipients) if (!jobOf.has(id)) jobOf.set(id, job);
  const entries = await stores.ledger.runEntries(run.runId);
  const ledger = new Map(entries.map((e) => [e.subscriberId, e]));
  // Only the unsent are read: whether they are still subscribed tells failed from skipped.
  const subscribers = await readSubscribers(io, stores.subscribers, [...jobOf.keys()].filter((id) => ledger.get(id) === undefined));
  const states = [...jobOf].map(([subscriberId, job]): RecipientState => {
    const entry = ledger.get(subscriberId);
    const outcome = outcomeOf(entry, subscribers.get(subscriberId), now);
    return {
      subscriberId,
      issueKey: job.issueKey,
      page: job.page,
      index: job.index,
      outcome,
      ...(entry?.tries !== undefined && outcome === 'unknown' ? { tries: entry.tries } : {}),
      ...(entry?.reason !== undefined ? { reason: entry.reason } : {}),
    };
  });
  const alreadySent = new Set(jobs.flatMap((job) => job.alreadySent ?? [])).size;
  return { states, recipientsOnRecord: jobs.length > 0 || run.counts.enqueued === 0, entries, alreadySent };
}

/** The run's bounces and complaints, from its ledger entries (one of each kind at most per recipient). */
export function mailEventCounts(entries: readonly LedgerEntry[]): RunReport['mailEvents'] {
  const counts = { bounces: { hard: 0, soft: 0 }, complaints: 0 };
  for (const e of entries) {
    if (e.bounce) counts.bounces[e.bounce.bounceType === 'Permanent' ? 'hard' : 'soft']++;
    if (e.complaint) counts.complaints++;
  }
  return counts;
}

/** The report of one run. */
export async function runReport(io: Io, target: Target & { runs: RunStore; ledger: LedgerReader }, run: RunRecord, now: number): Promise<RunReport> {
  const stores = { runs: target.runs, ledger: target.ledger, subscribers: target.subscribers };
  const { states, recipientsOnRecord, entries, alreadySent } = await recipientStates(io, run, stores, now);
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<RunOutcome, number>;
  const reasons = new Map<string, number>();
  for (const s of states) {
    outcomes[s.outcome]++;
    if (s.outcome === 'rejected') reasons.set(s.reason ?? 'unknown', (reasons.get(s.reason ?? 'unknown') ?? 0) + 1);
  }
  return {
    runId: run.runId,
    kind: run.kind,
    frequency: run.frequency,
    status: run.status,
    startedAt: run.startedAt,
    ...(run.completedAt !== undefined ? { completedAt: run.completedAt } : {}),
    articleIds: run.articleIds,
    audience: { enqueued: run.counts.enqueued, noMatchingArticle: run.counts.skipped },
    recipientsOnRecord,
    outcomes,
    alreadySent,
    rejectionReasons: [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([reason, count]) => ({ reason, count })),
    mailEvents: mailEventCounts(entries),
  };
}

/** The target's run store and ledger, or a target error when it keeps none. */
function runStores(target: Target): Target & { runs: RunStore; ledger: LedgerReader } {
  if (!target.runs || !target.ledger) throw new TargetError(`${target.description} keeps no delivery runs`);
  return target as Target & { runs: RunStore; ledger: LedgerReader };
}

async function getRun(target: Target & { runs: RunStore }, runId: string): Promise<RunRecord> {
  const run = await target.runs.get(runId);
  if (!run) throw new TargetError(`${target.description} has no run ${runId} (see newsbrief runs list)`);
  return run;
}

/**
 * The send jobs that resend a run's issue to `recipients`: one per job record they came from (its
 * issue, at most 50 recipients), naming that record, so the sender notes there whom it finds already sent.
 */
export function resendJobs(run: Pick<RunRecord, 'runId' | 'kind'>, recipients: readonly RecipientState[]): SendJob[] {
  const byJob = new Map<string, { issueKey: string; page: number; index: number; ids: string[] }>();
  for (const r of recipients) {
    const key = `${r.page}#${r.index}`;
    const job = byJob.get(key) ?? { issueKey: r.issueKey, page: r.page, index: r.index, ids: [] };
    job.ids.push(r.subscriberId);
    byJob.set(key, job);
  }
  return [...byJob.values()].flatMap(({ issueKey, page, index, ids }) => toJobs(run, issueKey, ids).map((job) => ({ ...job, page, index })));
}

/** Who a resend addresses: the failed, and with `unknown` the unknown whose tries are not used up. */
export function resendTargets(states: readonly RecipientState[], options: { unknown: boolean }): RecipientState[] {
  return states.filter((s) => s.outcome === 'failed' || (options.unknown && s.outcome === 'unknown' && (s.tries ?? 1) < MAX_TRIES));
}

/** Counts a resend reports (the sender's outcomes). */
export interface ResendResult {
  readonly recipients: number;
  readonly jobs: number;
  /** Present when the resend ran here (local data); a stack's sender reports in its logs and the ledger. */
  readonly sent?: Record<string, number>;
}

/** Sends resend jobs: locally through the sender handler and the SES emulator; on a stack, onto the send queue. */
export type ResendSender = (target: Target, jobs: readonly SendJob[]) => Promise<Record<string, number> | undefined>;

interface ListOptions extends TargetOptions {
  readonly json?: boolean;
  readonly limit: string;
}

interface ResendOptions extends TargetOptions {
  readonly json?: boolean;
  readonly failed?: boolean;
  readonly unknown?: boolean;
}

function printReport(io: Io, r: RunReport): void {
  const c = colours(io);
  io.out(`${c.bold(r.runId)}: ${r.kind} ${r.frequency}, ${r.status}, started ${r.startedAt}${r.completedAt ? `, fanned out ${r.completedAt}` : ''}`);
  io.out(`articles (${r.articleIds.length}): ${r.articleIds.join(', ') || '-'}`);
  io.out(`audience: ${r.audience.enqueued} recipient(s) enqueued, ${r.audience.noMatchingArticle} with no matching article`);
  if (!r.recipientsOnRecord) {
    io.out(c.yellow('this run kept no recipient records (it ran before newsbrief recorded them): no per-recipient outcomes'));
    return;
  }
  const o = r.outcomes;
  io.out(table(io, ['sent', 'already sent', 'rejected', 'unknown', 'in flight', 'skipped', 'failed'], [[o.sent, r.alreadySent, o.rejected, o.unknown, o['in-flight'], o.skipped, o.failed]]));
  if (r.alreadySent > 0) io.out(`already sent: ${r.alreadySent} recipient(s) the ledger held as sent when a job reached them again (a redelivery or a resend); not mailed twice`);
  if (r.rejectionReasons.length > 0) io.out(`top rejection reasons: ${r.rejectionReasons.slice(0, 5).map((x) => `${x.reason} ${x.count}`).join(', ')}`);
  const { bounces, complaints } = r.mailEvents;
  io.out(`bounces ${bounces.hard + bounces.soft} (hard ${bounces.hard}, soft ${bounces.soft}), complaints ${complaints}: this run's own messages, from the mail events`);
  if (o.failed > 0) io.out(c.yellow(`${o.failed} not sent: newsbrief runs resend ${r.runId} --failed (while the run's jobs are still queued, these include recipients not reached yet)`));
  if (o.unknown > 0) io.out(`${o.unknown} with a lost SES answer (may have been sent): --unknown resends to those with tries left, at most one more copy`);
}

export function runsCommand(io: Io, resend: ResendSender): Command {
  const group = new Command('runs').description('digest and alert runs: what each sent, and resending to the failed');
  withTargetOptions(
    group
      .command('list')
      .description('the latest runs, newest first: articles, audience, sent / already sent / rejected / unknown / skipped / failed, bounces and complaints')
      .option('--limit <n>', 'runs to show', '20')
      .option('--json', 'print JSON'),
  ).action(async (options: ListOptions) => {
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit: a whole number from 1 to 1000');
    await onTarget(options, async (t) => {
      const target = runStores(t);
      const now = Date.now();
      const reports: RunReport[] = [];
      for (const run of await target.runs.listRuns(limit)) reports.push(await runReport(io, target, run, now));
      if (options.json) return printJson(io, reports);
      if (reports.length === 0) return io.out(`${target.description} has no runs yet (newsbrief digest run daily starts one)`);
      io.out(
        table(
          io,
          ['run', 'status', 'articles', 'enqueued', 'sent', 'already sent', 'rejected', 'unknown', 'skipped', 'failed', 'bounces', 'complaints'],
          reports.map((r) => [
            r.runId,
            r.status,
            r.articleIds.length,
            r.audience.enqueued,
            ...(r.recipientsOnRecord
              ? [r.outcomes.sent, r.alreadySent, r.outcomes.rejected, r.outcomes.unknown, r.outcomes.skipped, r.outcomes.failed]
              : ['-', '-', '-', '-', '-', '-']),
            r.mailEvents.bounces.hard + r.mailEvents.bounces.soft,
            r.mailEvents.complaints,
          ]),
        ),
      );
    });
  });

  withTargetOptions(
    group
      .command('show')
      .description("one run: its articles, audience, outcomes, top rejection reasons, and its messages' bounces and complaints")
      .argument('<run>', 'run id (from runs list)')
      .option('--json', 'print JSON'),
  ).action(async (runId: string, options: ListOptions) => {
    await onTarget(options, async (t) => {
      const target = runStores(t);
      const report = await runReport(io, target, await getRun(target, runId), Date.now());
      if (options.json) printJson(io, report);
      else printReport(io, report);
    });
  });

  withTargetOptions(
    group
      .command('resend')
      .description("send a run's issue again to the recipients it failed, through the ledger: nobody already sent gets it twice")
      .argument('<run>', 'run id (from runs list)')
      .option('--failed', 'recipients still subscribed whose send failed (required)')
      .option('--unknown', `also those whose SES answer was lost (SES may have sent: at most one more copy, ${MAX_TRIES} in all)`)
      .option('--json', 'print JSON'),
  ).action(async (runId: string, options: ResendOptions) => {
    if (!options.failed) throw new UsageError('say what to resend: --failed (and --unknown for lost SES answers)');
    await onTarget(options, async (t) => {
      const target = runStores(t);
      const run = await getRun(target, runId);
      const { states, recipientsOnRecord } = await recipientStates(io, run, { runs: target.runs, ledger: target.ledger, subscribers: target.subscribers }, Date.now());
      if (!recipientsOnRecord) throw new TargetError(`run ${runId} kept no recipient records (it ran before newsbrief recorded them): nothing can be resent safely`);
      const targets = resendTargets(states, { unknown: options.unknown === true });
      const jobs = resendJobs(run, targets);
      const sent = jobs.length > 0 ? await resend(target, jobs) : undefined;
      const result: ResendResult = { recipients: targets.length, jobs: jobs.length, ...(sent ? { sent } : {}) };
      if (options.json) return printJson(io, { runId, ...result });
      if (targets.length === 0) return io.out(`run ${runId}: nothing to resend (no failed recipient${options.unknown ? ' and no unknown one with tries left' : ''})`);
      if (!sent) return io.out(`run ${runId}: ${targets.length} recipient(s) in ${jobs.length} job(s) queued for the sender; see newsbrief runs show ${runId}`);
      io.out(
        `run ${runId}: resent to ${targets.length} recipient(s): sent ${sent.sent ?? 0}, already sent before ${sent['already-done'] ?? 0}, ` +
          `skipped ${sent.skipped ?? 0}, rejected ${sent.rejected ?? 0}, failed ${sent.failed ?? 0}, unknown ${(sent.uncertain ?? 0) + (sent['given-up'] ?? 0)}`,
      );
    });
  });
  return group;
}
