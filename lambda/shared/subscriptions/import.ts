import type { Keyring } from '../signing-keys.ts';
import type { Frequency, Subscriber } from './model.ts';
import { randomSubscriberId } from './service.ts';
import type { ImportedState, NewSubscriber, SubscriberStore } from './store.ts';
import { emailHashes } from './tokens.ts';
import { normaliseEmail } from './validation.ts';

/**
 * Importing a list from another newsletter tool (`npx newsbrief subscribers import`), under the same
 * rules as everything else that touches a subscriber:
 * - an address we know is never changed by an import: confirmed or pending stay as they are, and
 *   someone who unsubscribed, was suppressed (bounce, complaint) or asked to be forgotten is never
 *   subscribed again;
 * - with attested consent (`--confirmed`) a new person is confirmed at once and the consent recorded
 *   (source, time); otherwise they get a subscribe request like the form's, so the confirmation
 *   worker mails them and they confirm by double opt-in;
 * - an opt-out in the old tool (unsubscribed, bounced, complained, blocked) is recorded as such, so no
 *   later import, nor `subscribers add`, can add them; they may still subscribe themselves through
 *   the form, as anyone who unsubscribed may;
 * - invalid addresses and repeats within the file are skipped and reported.
 * So importing the same file twice changes nothing: every address is known the second time.
 */

/** What the source says about a person. */
export type SourceState = 'subscribed' | 'unconfirmed' | 'unsubscribed' | 'bounced' | 'complained' | 'blocked';

/** One person of an import file, as the export format reader gives it. */
export interface ImportRow {
  /** Line of the file (for the report). */
  readonly line: number;
  readonly email: string;
  readonly state: SourceState;
  /** Tags or topics as written; those naming an offered topic become the subscriber's topics. */
  readonly tags: readonly string[];
  readonly frequency?: string;
  /** When the person opted in at the source (ISO). */
  readonly optInAt?: string;
}

export interface ImportOptions {
  /** The operator attests that every subscribed person in the file agreed (`--confirmed`). */
  readonly confirmed: boolean;
  /** Where the list came from, recorded with attested consent (`<format>:<file name>`). */
  readonly source: string;
  /** Topics for everyone, instead of the file's (`--topics`); empty = every topic. */
  readonly topics?: readonly string[];
  /** Frequency of rows that name none. */
  readonly frequency: Frequency;
  /** What the target offers: a tag becomes a topic only when it names one of these. */
  readonly offeredTopics: readonly string[];
  readonly offeredFrequencies: readonly Frequency[];
}

/** What became of one row. */
export type ImportOutcome =
  /** New, confirmed with the operator's attested consent. */
  | 'confirmed'
  /** New, a subscribe request queued: the confirmation worker mails them. */
  | 'requested'
  /** An opt-out at the source, recorded so no later import adds them. */
  | 'opted-out'
  | 'invalid'
  | 'duplicate'
  /** `--confirmed`, but the source says this person never confirmed: left out. */
  | 'unconfirmed'
  | 'already-confirmed'
  | 'already-pending'
  | 'unsubscribed'
  | 'suppressed'
  | 'forgotten';

export const IMPORT_OUTCOMES: readonly ImportOutcome[] = [
  'confirmed',
  'requested',
  'opted-out',
  'invalid',
  'duplicate',
  'unconfirmed',
  'already-confirmed',
  'already-pending',
  'unsubscribed',
  'suppressed',
  'forgotten',
];

export interface RowResult {
  readonly line: number;
  readonly outcome: ImportOutcome;
  /** For invalid and duplicate rows: why (never the address). */
  readonly reason?: string;
  readonly subscriberId?: string;
}

/** A row that passed the checks and is ready for the store. */
export interface PlannedRow {
  readonly line: number;
  readonly email: string;
  readonly state: SourceState;
  readonly topics: string[];
  readonly frequency: Frequency;
  readonly optInAt?: string;
}

export interface ImportPlan {
  readonly planned: PlannedRow[];
  /** Rows already decided without the store (invalid, duplicate, unconfirmed with --confirmed). */
  readonly decided: RowResult[];
  /** Tags that name no offered topic, with how many rows carried each. */
  readonly ignoredTags: ReadonlyMap<string, number>;
}

/** A tag as a topic slug: lower case, spaces and underscores as hyphens. */
export function tagSlug(tag: string): string {
  return tag.trim().toLowerCase().replace(/[\s_]+/g, '-');
}

/** Check every row without touching the store: addresses, repeats, topics, frequencies. Pure. */
export function planImport(rows: readonly ImportRow[], options: ImportOptions): ImportPlan {
  const planned: PlannedRow[] = [];
  const decided: RowResult[] = [];
  const ignoredTags = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const row of rows) {
    const normalised = normaliseEmail(row.email);
    if (!normalised.ok) {
      decided.push({ line: row.line, outcome: 'invalid', reason: normalised.reason });
      continue;
    }
    // One address, one subscriber, whatever its spelling: the store's lookup hash lower-cases it too.
    const key = normalised.email.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      decided.push({ line: row.line, outcome: 'duplicate', reason: `same address as line ${first}` });
      continue;
    }
    seen.set(key, row.line);

    let frequency = options.frequency;
    if (row.frequency !== undefined) {
      const f = row.frequency.trim().toLowerCase();
      if (!(options.offeredFrequencies as readonly string[]).includes(f)) {
        decided.push({ line: row.line, outcome: 'invalid', reason: `frequency "${row.frequency.slice(0, 20)}" is not offered (${options.offeredFrequencies.join(', ')})` });
        continue;
      }
      frequency = f as Frequency;
    }
    let topics: string[];
    if (options.topics !== undefined) {
      topics = [...options.topics];
    } else {
      const slugs = new Set<string>();
      for (const tag of row.tags) {
        const slug = tagSlug(tag);
        if (options.offeredTopics.includes(slug)) slugs.add(slug);
        else ignoredTags.set(tag, (ignoredTags.get(tag) ?? 0) + 1);
      }
      // The offered order, so the same choice always compares equal (as the subscribe API keeps it).
      topics = options.offeredTopics.filter((t) => slugs.has(t));
    }
    if (row.state === 'unconfirmed' && options.confirmed) {
      decided.push({ line: row.line, outcome: 'unconfirmed', reason: 'not confirmed at the source: import without --confirmed to send a confirmation mail' });
      continue;
    }
    planned.push({ line: row.line, email: normalised.email, state: row.state, topics, frequency, ...(row.optInAt ? { optInAt: row.optInAt } : {}) });
  }
  return { planned, decided, ignoredTags };
}

/** Queues a subscribe request like the form's, for the confirmation worker (the double opt-in path). */
export interface SubscribeRequester {
  request(input: { readonly email: string; readonly topics: readonly string[]; readonly frequency: Frequency }): Promise<void>;
}

export interface ImporterDeps {
  readonly store: Pick<SubscriberStore, 'findManyByEmailHash' | 'createImportedMany' | 'get'>;
  readonly keyring: Keyring;
  /** The pending path; required unless every row is imported with attested consent (or nothing is written: a dry run). */
  readonly requests?: SubscribeRequester;
  readonly clock?: () => Date;
  readonly newId?: () => string;
}

/** The outcome for an address the store already has: an import never changes it. */
export function existingOutcome(subscriber: Subscriber): ImportOutcome {
  switch (subscriber.status) {
    case 'confirmed':
      return 'already-confirmed';
    case 'pending':
      return 'already-pending';
    case 'unsubscribed':
      return 'unsubscribed';
    case 'suppressed':
      return subscriber.suppressedReason === 'forgotten' ? 'forgotten' : 'suppressed';
  }
}

/** The record kept for an opt-out at the source. */
function optOutState(state: SourceState): ImportedState {
  return state === 'unsubscribed' ? { status: 'unsubscribed' } : { status: 'suppressed', reason: `import:${state}` };
}

/** Whether the source says the person opted out (recorded so, never mailed). */
const isOptOut = (state: SourceState): boolean => state !== 'subscribed' && state !== 'unconfirmed';

/**
 * What importing `row` would do, from what the store holds for its address (`hit`), writing nothing:
 * the outcome of a row no other writer touches in between.
 */
function wouldDo(row: PlannedRow, hit: { subscriber: Subscriber | null } | undefined, confirmed: boolean): ImportOutcome {
  if (hit?.subscriber) return existingOutcome(hit.subscriber);
  if (isOptOut(row.state)) return 'opted-out';
  return confirmed ? 'confirmed' : 'requested';
}

/** Build the importer over the subscriber store and the subscribe-request path. */
export function createImporter(deps: ImporterDeps, options: Pick<ImportOptions, 'confirmed' | 'source'> & { readonly dryRun?: boolean }) {
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomSubscriberId;

  return {
    /**
     * Import checked rows (distinct addresses, as planImport leaves them), results in the same order.
     * One batched read finds the known addresses; new people are created together. Store failures
     * throw (the caller reports them; a re-run resumes, as the import is idempotent).
     */
    async importRows(rows: readonly PlannedRow[]): Promise<RowResult[]> {
      const hashesOf = rows.map((row) => emailHashes(row.email, deps.keyring).map((h) => h.hash));
      const found = await deps.store.findManyByEmailHash(hashesOf.flat());
      if (options.dryRun) {
        // Read only: what each row would become, with the id it would land on when the address is known.
        return rows.map((row, index) => {
          const hit = hashesOf[index]!.map((h) => found.get(h)).find((f) => f !== undefined);
          const outcome = wouldDo(row, hit, options.confirmed);
          return { line: row.line, outcome, ...(hit?.subscriber ? { subscriberId: hit.subscriberId } : {}) };
        });
      }
      const at = clock().toISOString();
      const results: RowResult[] = [];
      const creating: { readonly index: number; readonly input: NewSubscriber; readonly state: ImportedState; readonly optOut: boolean }[] = [];
      const requesting: Promise<void>[] = [];
      rows.forEach((row, index) => {
        const hashes = hashesOf[index]!;
        const hash = hashes.find((h) => found.has(h));
        const hit = hash === undefined ? undefined : found.get(hash);
        if (hit?.subscriber) {
          results[index] = { line: row.line, outcome: existingOutcome(hit.subscriber), subscriberId: hit.subscriberId };
          return;
        }
        const optOut = isOptOut(row.state);
        if (!optOut && !options.confirmed) {
          if (!deps.requests) throw new Error('the importer needs a subscribe-request path for rows without attested consent');
          requesting.push(deps.requests.request({ email: row.email, topics: row.topics, frequency: row.frequency }));
          results[index] = { line: row.line, outcome: 'requested' };
          return;
        }
        const state: ImportedState = optOut
          ? optOutState(row.state)
          : { status: 'confirmed', consent: { method: 'operator-attested', source: options.source, attestedAt: at, ...(row.optInAt ? { sourceOptInAt: row.optInAt } : {}) } };
        // A lookup left without its record (a crash between the two writes) keeps its id and hash.
        const input: NewSubscriber = { id: hit?.subscriberId ?? newId(), email: row.email, emailHash: hash ?? hashes[0]!, topics: row.topics, frequency: row.frequency };
        creating.push({ index, input, state, optOut });
      });
      await Promise.all(requesting);
      const created = await deps.store.createImportedMany(creating, at);
      await Promise.all(
        creating.map(async ({ index, optOut }, i) => {
          const row = rows[index]!;
          const { subscriberId, created: made } = created[i]!;
          if (made) {
            results[index] = { line: row.line, outcome: optOut ? 'opted-out' : 'confirmed', subscriberId };
            return;
          }
          // Another writer (the form, a parallel import) got there first: theirs stands.
          const other = await deps.store.get(subscriberId);
          results[index] = { line: row.line, outcome: other ? existingOutcome(other) : 'already-pending', subscriberId };
        }),
      );
      return results;
    },
  };
}
