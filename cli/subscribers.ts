import { Command, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { FREQUENCIES, type Frequency, type Subscriber } from '../lambda/shared/subscriptions/model.ts';
import { InvalidSeedError, seedConfirmedSubscriber } from '../lambda/shared/subscriptions/seed.ts';
import type { Transition } from '../lambda/shared/subscriptions/store.ts';
import { emailHashes } from '../lambda/shared/subscriptions/tokens.ts';
import { normaliseEmail } from '../lambda/shared/subscriptions/validation.ts';
import { TargetError, UsageError } from './errors.ts';
import { importFile } from './import.ts';
import { IMPORT_FORMATS, type ImportFormat } from './import-formats.ts';
import { printJson, progress, table, type Io } from './output.ts';
import { onTarget, withTargetOptions, type TargetOptions } from './target-options.ts';
import type { Target } from './targets.ts';

/**
 * `newsbrief subscribers ...`: subscribers of a target. `add ADDRESS --confirmed` puts one
 * confirmed subscriber in, through the subscriber store and address rules the subscribe API uses,
 * without the opt-in mail: for a test address of your own, e.g. one verified in the SES sandbox.
 * `import FILE` brings a list from another tool (cli/import.ts), `export` writes the list as CSV in
 * the columns import reads, and `show`, `unsubscribe` and `forget` serve support and erasure requests.
 */

const SLUG = /^[a-z0-9-]+$/;

/** First letter of the local part and the domain: enough to recognise, not to harvest. */
export function maskAddress(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

interface AddOptions extends TargetOptions {
  readonly confirmed?: boolean;
  readonly topics?: string;
  readonly frequency: string;
}

export function subscribersCommand(io: Io): Command {
  const print = io.out;
  const group = new Command('subscribers').description('manage the subscribers of a target');
  withTargetOptions(
    group
      .command('add')
      .description('add one confirmed subscriber (your own test address: no opt-in mail is sent)')
      .argument('<address>', 'email address')
      .option('--confirmed', 'required: you confirm the address owner agreed (e.g. it is your own verified address)')
      .option('--topics <list>', 'comma-separated topic slugs (default: every topic)')
      .option('--frequency <frequency>', `one of ${FREQUENCIES.join(', ')}`, 'daily'),
  ).action(async (address: string, options: AddOptions) => {
    if (!options.confirmed) {
      throw new UsageError('subscribers add only adds confirmed subscribers: pass --confirmed to say the address owner agreed (use the subscribe form for anyone else)');
    }
    const topics = topicList(options.topics) ?? [];
    if (!(FREQUENCIES as readonly string[]).includes(options.frequency)) {
      throw new UsageError(`--frequency: must be one of ${FREQUENCIES.join(', ')}`);
    }
    const frequency = options.frequency as Frequency;
    await onTarget(options, async (target) => {
      if (target.offered) {
        const unknown = topics.filter((t) => !target.offered!.topics.includes(t));
        if (unknown.length > 0) throw new UsageError(`--topics: ${unknown.join(', ')} not offered by ${target.description} (${target.offered.topics.join(', ')})`);
        if (!target.offered.frequencies.includes(frequency)) {
          throw new UsageError(`--frequency: ${frequency} not offered by ${target.description} (${target.offered.frequencies.join(', ')})`);
        }
      }
      let subscriber;
      try {
        subscriber = await seedConfirmedSubscriber(target.subscribers, await target.keyring(), { email: address, topics, frequency }, new Date().toISOString(), 'address');
      } catch (error) {
        if (error instanceof InvalidSeedError) throw new UsageError(error.message, { cause: error });
        throw error;
      }
      const state = subscriber.status === 'confirmed' ? 'confirmed' : `${subscriber.status} (left as it is: a subscriber who left is not re-added)`;
      print(
        `subscriber ${subscriber.id} ${maskAddress(subscriber.email ?? address)}: ${state}, ${subscriber.frequency}, ` +
          `topics: ${subscriber.topics.join(',') || '(all)'} in ${target.description}`,
      );
    });
  });
  addImport(group, io);
  addExport(group, io);
  addSupportCommands(group, io);
  return group;
}

/** Topic slugs from a `--topics` value; a usage error names the ones that are not slugs. */
function topicList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const topics = value.split(',').map((t) => t.trim()).filter(Boolean);
  const bad = topics.filter((t) => !SLUG.test(t));
  if (bad.length > 0) throw new UsageError(`--topics: ${bad.join(', ')} not a topic slug (lower-case letters, digits, hyphens)`);
  return topics;
}

/** A positive whole number option, or a usage error naming it. */
function positive(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name}: must be a whole number of at least 1, not "${value}"`);
    return n;
  };
}

interface ImportOptions extends TargetOptions {
  readonly format?: ImportFormat;
  readonly confirmed?: boolean;
  readonly topics?: string;
  readonly frequency: string;
  readonly rate: number;
  readonly concurrency: number;
  readonly json?: boolean;
  readonly dryRun?: boolean;
}

function addImport(group: Command, io: Io): void {
  withTargetOptions(
    group
      .command('import')
      .description(
        'import a list exported from Mailchimp, listmonk, Substack, Buttondown, or a plain email[,topics][,frequency] CSV. ' +
          'Skips invalid and repeated addresses and anyone already known here; never resubscribes someone who unsubscribed or was suppressed. ' +
          'Importing the same file again changes nothing.',
      )
      .argument('<file>', 'the CSV export')
      .addOption(new Option('--format <format>', 'the export format (default: recognised by the header)').choices(IMPORT_FORMATS))
      .option('--confirmed', 'you attest that everyone subscribed in the file agreed to receive this newsletter: they are confirmed at once, the consent recorded with the file and time')
      .option('--topics <list>', "comma-separated topic slugs for everyone (default: the file's tags that name a topic; none = every topic)")
      .option('--frequency <frequency>', `for rows that name none: one of ${FREQUENCIES.join(', ')}`, 'daily')
      .option('--rate <n>', 'confirmation mails per second, without --confirmed', positive('--rate'), 10)
      .option('--concurrency <n>', 'batches of 100 rows written at once', positive('--concurrency'), 4)
      .option('--dry-run', 'check the file against the list and report what would be added or skipped, and why; write, queue and mail nothing')
      .option('--json', 'print the report as JSON'),
  ).action(async (file: string, options: ImportOptions) => {
    if (!(FREQUENCIES as readonly string[]).includes(options.frequency)) throw new UsageError(`--frequency: must be one of ${FREQUENCIES.join(', ')}`);
    const topics = topicList(options.topics);
    await onTarget(options, (target) =>
      importFile(
        target,
        file,
        {
          ...(options.format ? { format: options.format } : {}),
          confirmed: options.confirmed === true,
          ...(topics ? { topics } : {}),
          frequency: options.frequency as Frequency,
          rate: options.rate,
          concurrency: options.concurrency,
          json: options.json === true,
          dryRun: options.dryRun === true,
        },
        io,
      ),
    );
  });
}

/** The export's columns: the plain format import reads back, status and times included. */
export const EXPORT_COLUMNS = ['email', 'topics', 'frequency', 'status', 'created_at', 'confirmed_at', 'consent_source'] as const;

/** Whether the export lists a subscriber: a forgotten person's address is gone, and never written. */
export function exportable(s: Subscriber): s is Subscriber & { email: string } {
  return s.email !== undefined && !(s.status === 'suppressed' && s.suppressedReason === 'forgotten');
}

interface ExportOptions extends TargetOptions {
  readonly status?: string;
}

function addExport(group: Command, io: Io): void {
  const STATUSES = ['confirmed', 'pending', 'unsubscribed', 'suppressed'] as const;
  withTargetOptions(
    group
      .command('export')
      .description('write every subscriber as CSV on stdout (email, topics, frequency, status, created_at, confirmed_at, consent_source); forgotten people never appear')
      .addOption(new Option('--status <status>', 'only subscribers in this state').choices(STATUSES)),
  ).action(async (options: ExportOptions) => {
    await onTarget(options, async (target) => {
      // Page by page: a long list is written as it is read, never held whole.
      io.out(stringify([], { header: true, columns: [...EXPORT_COLUMNS] }).trimEnd());
      const bar = progress(io, 'exporting', 0);
      let cursor: string | undefined;
      let count = 0;
      try {
        do {
          const page = await target.subscribers.listAll({ limit: 500, ...(cursor ? { cursor } : {}) });
          const records = page.items
            .filter((s) => exportable(s) && (options.status === undefined || s.status === options.status))
            .map((s) => [s.email, s.topics.join(','), s.frequency, s.status, s.createdAt, s.confirmedAt ?? '', s.consent?.source ?? '']);
          if (records.length > 0) io.out(stringify(records).trimEnd());
          count += records.length;
          bar.setTotal(count);
          bar.increment(records.length);
          cursor = page.cursor;
        } while (cursor);
      } finally {
        bar.stop();
      }
      io.err(`${count.toLocaleString('en-US')} subscriber(s) exported from ${target.description}`);
    });
  });
}

/** The subscriber an address belongs to, found the way the subscribe API finds it; a usage error names a bad address. */
async function findByAddress(target: Target, address: string) {
  const normalised = normaliseEmail(address);
  if (!normalised.ok) throw new UsageError(`address: ${normalised.reason}`);
  const found = await target.subscribers.findByEmailHash(emailHashes(normalised.email, await target.keyring()).map((h) => h.hash));
  if (!found?.subscriber) throw new TargetError(`no subscriber with that address in ${target.description}`);
  return found.subscriber;
}

/** A subscriber as `show` prints it: the address masked, everything else as stored. */
export function describeSubscriber(s: Subscriber): Record<string, string> {
  return {
    id: s.id,
    address: s.email ? maskAddress(s.email) : '(erased)',
    status: s.status === 'suppressed' ? `suppressed (${s.suppressedReason ?? 'no reason'})` : s.status,
    topics: s.topics.join(',') || '(all)',
    frequency: s.frequency,
    created: s.createdAt,
    ...(s.confirmedAt ? { confirmed: s.confirmedAt } : {}),
    updated: s.updatedAt,
    ...(s.consent ? { consent: `${s.consent.method}, ${s.consent.source}, attested ${s.consent.attestedAt}${s.consent.sourceOptInAt ? `, opted in at the source ${s.consent.sourceOptInAt}` : ''}` } : {}),
    ...(s.transientBounces ? { 'transient bounces': String(s.transientBounces) } : {}),
  };
}

interface SupportOptions extends TargetOptions {
  readonly json?: boolean;
}

const TRANSITION_TEXT: Record<string, Record<Transition, string>> = {
  unsubscribe: { changed: 'unsubscribed', unchanged: 'was already unsubscribed', refused: 'not changed (suppressed or forgotten: never mailed anyway)', unknown: 'unknown' },
  forget: { changed: 'forgotten: address erased, never mailed again', unchanged: 'was already forgotten', refused: 'refused', unknown: 'unknown' },
};

function addSupportCommands(group: Command, io: Io): void {
  withTargetOptions(
    group.command('show').description('show one subscriber: state, topics, frequency, times, recorded consent').argument('<address>', 'email address').option('--json', 'print JSON'),
  ).action(async (address: string, options: SupportOptions) => {
    await onTarget(options, async (target) => {
      const fields = describeSubscriber(await findByAddress(target, address));
      if (options.json) printJson(io, fields);
      else io.out(table(io, ['field', 'value'], Object.entries(fields)));
    });
  });

  for (const action of ['unsubscribe', 'forget'] as const) {
    const description =
      action === 'unsubscribe'
        ? 'unsubscribe one address now (they receive nothing more; they may subscribe again through the form)'
        : 'erase one address (GDPR Art. 17): the address is deleted, a keyed hash stays so it is never mailed or imported again';
    withTargetOptions(group.command(action).description(description).argument('<address>', 'email address').option('--json', 'print JSON')).action(
      async (address: string, options: SupportOptions) => {
        await onTarget(options, async (target) => {
          const s = await findByAddress(target, address);
          const at = new Date().toISOString();
          const outcome = action === 'unsubscribe' ? await target.subscribers.unsubscribe(s.id, at) : await target.subscribers.forget(s.id, at);
          if (outcome === 'unknown') throw new TargetError(`subscriber ${s.id}: the store could not say whether the change was made; run the command again`);
          if (options.json) printJson(io, { id: s.id, action, outcome });
          else io.out(`subscriber ${s.id}: ${TRANSITION_TEXT[action]![outcome]}`);
        });
      },
    );
  }
}
