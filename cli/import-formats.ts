import { CsvError, parse } from 'csv-parse/sync';
import type { ImportRow, SourceState } from '../lambda/shared/subscriptions/import.ts';

/**
 * Reading other newsletter tools' subscriber exports (and our own plain format) into one row shape,
 * with csv-parse. Pure: no I/O, no store. Each format is recognised by its header row; `--format`
 * names it when the header is ambiguous. What each source says about a person (subscribed, never
 * confirmed, unsubscribed, bounced, complained or blocked) is kept, so the import never turns an
 * opt-out in the old tool into a subscription here.
 *
 * - **Mailchimp** (audience export): `Email Address`, `TAGS` (a CSV list inside the cell:
 *   `"Asia","VIP"`), `OPTIN_TIME`/`CONFIRM_TIME`. The export is one file per state: the unsubscribed
 *   file has `UNSUB_TIME`, the cleaned (bounced) file `CLEAN_TIME`; a `STATUS`/`Member Status`
 *   column, when present, wins.
 * - **listmonk** (subscribers export): `uuid,email,name,attributes,status,created_at,updated_at`;
 *   `status` enabled / disabled / blocklisted; `attributes` is JSON and may carry `topics` (or
 *   `tags`) and `frequency`.
 * - **Substack** (email list export): `email,active_subscription,expiry,plan,email_disabled,created_at,…`;
 *   `email_disabled = true` means the reader turned email off (unsubscribed or bounced).
 * - **Buttondown** (subscribers export): `email` (or `email_address`), `subscriber_type` (or `type`),
 *   `tags` (comma-separated), `creation_date`.
 * - **plain**: `email[,topics][,frequency]`, with or without a header; topics separated by `;`, `|`
 *   or a quoted comma list. With a header it may also carry `status` (our own export's columns).
 */

export const IMPORT_FORMATS = ['mailchimp', 'listmonk', 'substack', 'buttondown', 'plain'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One person as the export describes them (the importer's row). */
export type SourceRow = ImportRow;

/** A row the format cannot read (no address column value, a status the format does not have…). */
export interface RowProblem {
  readonly line: number;
  readonly reason: string;
}

export interface ParsedExport {
  readonly format: ImportFormat;
  readonly rows: SourceRow[];
  readonly problems: RowProblem[];
  /** Whether the file had a header row. */
  readonly header: boolean;
}

/** The file cannot be read as a subscriber export at all (nothing is imported). */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';
}

type Cells = readonly string[];
type Columns = ReadonlyMap<string, number>;

/** Header names compared without case, spaces, dashes or underscores. */
function key(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

function columnsOf(header: Cells): Columns {
  const map = new Map<string, number>();
  header.forEach((name, i) => {
    const k = key(name);
    if (!map.has(k)) map.set(k, i);
  });
  return map;
}

function cell(cells: Cells, columns: Columns, ...names: string[]): string | undefined {
  for (const name of names) {
    const i = columns.get(key(name));
    if (i !== undefined) {
      const v = cells[i]?.trim();
      if (v !== undefined && v !== '') return v;
    }
  }
  return undefined;
}

/** Recognise a format from a header row; null when it is none of the known exports. */
export function detectFormat(header: Cells): ImportFormat | null {
  const has = (name: string) => header.some((h) => key(h) === key(name));
  if (has('Email Address') && (has('OPTIN_TIME') || has('CONFIRM_TIME') || has('LEID') || has('EUID') || has('MEMBER_RATING'))) return 'mailchimp';
  if (has('email') && has('uuid') && has('attributes')) return 'listmonk';
  if (has('email') && has('email_disabled') && has('active_subscription')) return 'substack';
  if ((has('email') || has('email_address')) && (has('subscriber_type') || (has('type') && has('creation_date')))) return 'buttondown';
  if (has('email') || has('Email Address')) return 'plain';
  return null;
}

/** A date as the exports write it ("2024-03-01 10:12:33", ISO, with or without a zone; no zone = UTC) → ISO, or undefined. */
export function sourceTime(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^\d{4}-\d\d-\d\d/.test(v)) return undefined;
  // PostgreSQL's "+00" zone (listmonk) and a missing zone both mean an instant we can read as UTC.
  let iso = v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(iso) && /T/.test(iso)) iso = `${iso}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Split a tags cell: a CSV list inside the cell (Mailchimp's `"A","B"`), or `,` `;` `|` separated. */
export function splitTags(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const v = value.trim();
  if (v.startsWith('"')) {
    try {
      const [inner] = parse(v, { relax_column_count: true, trim: true }) as string[][];
      if (inner) return inner.map((t) => t.trim()).filter(Boolean);
    } catch {
      // Not a CSV list after all: fall through to the separators.
    }
  }
  return v
    .split(/[,;|]/)
    .map((t) => t.trim().replace(/^"|"$/g, ''))
    .filter(Boolean);
}

const TRUE = new Set(['true', 't', 'yes', 'y', '1']);

type RowReader = (cells: Cells, columns: Columns, line: number) => Omit<SourceRow, 'line' | 'email'> | RowProblem;

const MAILCHIMP_STATES: Readonly<Record<string, SourceState>> = {
  subscribed: 'subscribed',
  pending: 'unconfirmed',
  unsubscribed: 'unsubscribed',
  cleaned: 'bounced',
  archived: 'unsubscribed',
  transactional: 'unconfirmed',
  nonsubscribed: 'unconfirmed',
};

const readMailchimp: RowReader = (cells, columns, line) => {
  const status = cell(cells, columns, 'STATUS', 'Member Status', 'Email Marketing');
  let state: SourceState;
  if (status !== undefined) {
    const s = MAILCHIMP_STATES[key(status)];
    if (!s) return { line, reason: `unknown Mailchimp status "${status.slice(0, 40)}"` };
    state = s;
  } else if (columns.has(key('CLEAN_TIME'))) {
    state = 'bounced';
  } else if (columns.has(key('UNSUB_TIME'))) {
    state = 'unsubscribed';
  } else {
    state = 'subscribed';
  }
  const optInAt = sourceTime(cell(cells, columns, 'CONFIRM_TIME')) ?? sourceTime(cell(cells, columns, 'OPTIN_TIME'));
  return { state, tags: splitTags(cell(cells, columns, 'TAGS')), ...(optInAt ? { optInAt } : {}) };
};

const LISTMONK_STATES: Readonly<Record<string, SourceState>> = { enabled: 'subscribed', disabled: 'unsubscribed', blocklisted: 'blocked' };

const readListmonk: RowReader = (cells, columns, line) => {
  const status = cell(cells, columns, 'status') ?? 'enabled';
  const state = LISTMONK_STATES[key(status)];
  if (!state) return { line, reason: `unknown listmonk status "${status.slice(0, 40)}"` };
  let tags: string[] = [];
  let frequency: string | undefined;
  const attributes = cell(cells, columns, 'attributes');
  if (attributes !== undefined && attributes !== '{}') {
    let attribs: unknown;
    try {
      attribs = JSON.parse(attributes);
    } catch {
      return { line, reason: 'attributes is not JSON' };
    }
    if (attribs && typeof attribs === 'object' && !Array.isArray(attribs)) {
      const a = attribs as Record<string, unknown>;
      const list = a.topics ?? a.tags;
      if (Array.isArray(list)) tags = list.filter((t): t is string => typeof t === 'string');
      else if (typeof list === 'string') tags = splitTags(list);
      if (typeof a.frequency === 'string') frequency = a.frequency;
    }
  }
  const optInAt = sourceTime(cell(cells, columns, 'created_at'));
  return { state, tags, ...(frequency ? { frequency } : {}), ...(optInAt ? { optInAt } : {}) };
};

const readSubstack: RowReader = (cells, columns) => {
  const disabled = TRUE.has((cell(cells, columns, 'email_disabled') ?? 'false').toLowerCase());
  const optInAt = sourceTime(cell(cells, columns, 'created_at'));
  return { state: disabled ? 'unsubscribed' : 'subscribed', tags: [], ...(optInAt ? { optInAt } : {}) };
};

const BUTTONDOWN_STATES: Readonly<Record<string, SourceState>> = {
  regular: 'subscribed',
  premium: 'subscribed',
  trialed: 'subscribed',
  gifted: 'subscribed',
  churning: 'subscribed',
  churned: 'subscribed',
  unpaid: 'subscribed',
  paused: 'subscribed',
  unactivated: 'unconfirmed',
  unsubscribed: 'unsubscribed',
  removed: 'unsubscribed',
  undeliverable: 'bounced',
  complained: 'complained',
  spammy: 'blocked',
  blocked: 'blocked',
};

const readButtondown: RowReader = (cells, columns, line) => {
  const type = cell(cells, columns, 'subscriber_type', 'type') ?? 'regular';
  const state = BUTTONDOWN_STATES[key(type)];
  if (!state) return { line, reason: `unknown Buttondown subscriber type "${type.slice(0, 40)}"` };
  const optInAt = sourceTime(cell(cells, columns, 'creation_date'));
  return { state, tags: splitTags(cell(cells, columns, 'tags')), ...(optInAt ? { optInAt } : {}) };
};

/** Our own export's statuses (and the obvious words), for a plain file with a status column. */
const PLAIN_STATES: Readonly<Record<string, SourceState>> = {
  subscribed: 'subscribed',
  confirmed: 'subscribed',
  active: 'subscribed',
  pending: 'unconfirmed',
  unconfirmed: 'unconfirmed',
  unsubscribed: 'unsubscribed',
  bounced: 'bounced',
  suppressed: 'blocked',
  complained: 'complained',
  blocked: 'blocked',
};

const readPlain: RowReader = (cells, columns, line) => {
  const status = cell(cells, columns, 'status');
  const state = status === undefined ? 'subscribed' : PLAIN_STATES[key(status)];
  if (!state) return { line, reason: `unknown status "${(status ?? '').slice(0, 40)}"` };
  const frequency = cell(cells, columns, 'frequency');
  const optInAt = sourceTime(cell(cells, columns, 'confirmed_at', 'subscribed_at', 'created_at'));
  return { state, tags: splitTags(cell(cells, columns, 'topics', 'tags')), ...(frequency ? { frequency } : {}), ...(optInAt ? { optInAt } : {}) };
};

const READERS: Readonly<Record<ImportFormat, { readonly email: readonly string[]; readonly read: RowReader }>> = {
  mailchimp: { email: ['Email Address'], read: readMailchimp },
  listmonk: { email: ['email'], read: readListmonk },
  substack: { email: ['email'], read: readSubstack },
  buttondown: { email: ['email', 'email_address'], read: readButtondown },
  plain: { email: ['email', 'Email Address'], read: readPlain },
};

/** Columns of a plain file without a header: email, topics, frequency. */
const PLAIN_HEADERLESS: Cells = ['email', 'topics', 'frequency'];

/**
 * Parse a whole export (`text`, the file's content; a UTF-8 byte order mark is dropped) into rows.
 * `format` forces a format; otherwise the header decides. Throws ImportFileError when the file is not
 * CSV or no format fits, naming the line and the reason.
 */
export function parseExport(text: string, options: { readonly format?: ImportFormat } = {}): ParsedExport {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    if (error instanceof CsvError) throw new ImportFileError(`not readable as CSV: ${error.message}`, { cause: error });
    throw error;
  }
  const first = records[0];
  if (!first) throw new ImportFileError('the file has no rows');
  const firstCell = (first.record[0] ?? '').trim();
  // A plain file may start with an address instead of a header.
  const headerless = firstCell.includes('@') && (options.format === undefined || options.format === 'plain');
  const header = headerless ? PLAIN_HEADERLESS : first.record;
  const format = options.format ?? (headerless ? 'plain' : detectFormat(header));
  if (format === null) {
    throw new ImportFileError(
      `line 1: the header (${header.slice(0, 6).map((h) => h.slice(0, 30)).join(', ')}) is not a Mailchimp, listmonk, Substack or Buttondown export, ` +
        'and has no "email" column; name the format with --format, or use email[,topics][,frequency]',
    );
  }
  const columns = columnsOf(header);
  const reader = READERS[format];
  if (!reader.email.some((name) => columns.has(key(name)))) {
    throw new ImportFileError(`line 1: a ${format} export needs a column ${reader.email.map((n) => `"${n}"`).join(' or ')}`);
  }
  const rows: SourceRow[] = [];
  const problems: RowProblem[] = [];
  for (const { record, info } of headerless ? records : records.slice(1)) {
    // info.lines is the line the record ends on; a quoted field may span lines, so count back.
    const line = info.lines - countLineBreaks(record);
    const email = cell(record, columns, ...reader.email);
    if (email === undefined) {
      problems.push({ line, reason: 'no address in the email column' });
      continue;
    }
    const read = reader.read(record, columns, line);
    if ('reason' in read) problems.push(read);
    else rows.push({ line, email, ...read });
  }
  return { format, rows, problems, header: !headerless };
}

function countLineBreaks(record: readonly string[]): number {
  let n = 0;
  for (const value of record) for (const ch of value) if (ch === '\n') n++;
  return n;
}
