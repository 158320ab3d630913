import { createHash } from 'node:crypto';
import type { Article, Brief } from '../article/model.ts';
import { FREQUENCIES, type DigestFrequency } from '../subscriptions/model.ts';

/**
 * Article records: one per distinct article, keyed by a hash of its content, with the brief the
 * digest and alert emails are rendered from and the time it was ingested.
 *
 * Digests do not select articles by time: a write can land long after its ingest time was stamped
 * (SDK retries, a Lambda retry), and a time window would then skip it. Instead each stored article
 * waits in a queue per digest frequency until one run of that frequency carries it, with a
 * conditional write: every article enters exactly one run of each frequency, however late it landed.
 */

/** The frequencies that have digest runs. */
export const DIGEST_FREQUENCIES: readonly DigestFrequency[] = FREQUENCIES.filter((f): f is DigestFrequency => f !== 'immediate');

/** An article in a frequency's digest queue: waiting, or carried by the run `runId`. */
export interface DigestEntry {
  readonly articleId: string;
  readonly ingestedAt: string;
  readonly runId?: string;
}

/** An ingested article as delivery stores it. */
export interface ArticleRecord {
  /** Content hash (see `articleId`). */
  readonly id: string;
  /** ISO time of the first ingest; digests select on it. */
  readonly ingestedAt: string;
  /** The object key or file it came from (first ingest wins). */
  readonly origin: string;
  readonly brief: Brief;
}

/** Query window over ingest times: `since` inclusive, `until` exclusive, both ISO. */
export interface IngestWindow {
  readonly since: string;
  readonly until: string;
  readonly limit: number;
}

/** The article store port. DynamoDB adapter in articles-dynamo.ts; in-memory below. */
export interface ArticleStore {
  /** Store the record unless one with this id exists (conditional put). */
  putIfAbsent(record: ArticleRecord): Promise<'created' | 'exists'>;
  get(id: string): Promise<ArticleRecord | null>;
  /** Records in ingest order (then id), within the window; at most `limit`. */
  listIngested(window: IngestWindow): Promise<ArticleRecord[]>;
  /**
   * Put the stored article in the digest queue of each frequency, unless it is there already (or was
   * carried): idempotent, so an ingest retry never queues an article twice.
   */
  queueForDigests(record: Pick<ArticleRecord, 'id' | 'ingestedAt'>, frequencies?: readonly DigestFrequency[]): Promise<void>;
  /** Articles waiting for a `frequency` digest, ingested before `before`, oldest first, at most `limit`. */
  pendingFor(frequency: DigestFrequency, options: { readonly before: string; readonly limit: number }): Promise<DigestEntry[]>;
  /** Let run `runId` carry the article: true if the run has it (now or already), false if another run took it. */
  carry(frequency: DigestFrequency, articleId: string, runId: string, at: string): Promise<boolean>;
  /** The articles run `runId` carries, oldest first (to finish a run setup cut short). */
  carriedBy(frequency: DigestFrequency, runId: string): Promise<DigestEntry[]>;
}

/** Digest entries in the order a digest shows them: ingest time, then id. */
export function byIngestTime(a: DigestEntry, b: DigestEntry): number {
  return a.ingestedAt === b.ingestedAt ? a.articleId.localeCompare(b.articleId) : a.ingestedAt.localeCompare(b.ingestedAt);
}

/** Article store errors (storage failures, corrupt records). */
export class ArticleStoreError extends Error {
  override readonly name = 'ArticleStoreError';
}

/**
 * The content hash that identifies an article: SHA-256 over its headline and paragraphs, after
 * whitespace normalisation. The same story uploaded twice (another file name, another line ending,
 * re-saved metadata) is one record and one alert; an edited body is a new article.
 */
export function articleId(article: Pick<Article, 'title' | 'paragraphs'>): string {
  const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();
  const canonical = JSON.stringify([norm(article.title), article.paragraphs.map(norm).filter(Boolean)]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** Fetch several records, in the order given, skipping ids that do not exist. */
export async function getArticles(store: Pick<ArticleStore, 'get'>, ids: readonly string[]): Promise<ArticleRecord[]> {
  const found = await Promise.all(ids.map((id) => store.get(id)));
  return found.filter((r): r is ArticleRecord => r !== null);
}

/** In-memory article store: tests, benchmarks and property tests. Same contract as the DynamoDB one. */
export class MemoryArticleStore implements ArticleStore {
  private readonly records = new Map<string, ArticleRecord>();
  /** Digest queue entries by `<frequency>\u0000<articleId>`. */
  private readonly queue = new Map<string, DigestEntry & { readonly frequency: DigestFrequency }>();

  async putIfAbsent(record: ArticleRecord): Promise<'created' | 'exists'> {
    if (this.records.has(record.id)) return 'exists';
    this.records.set(record.id, structuredClone(record));
    return 'created';
  }

  async get(id: string): Promise<ArticleRecord | null> {
    const r = this.records.get(id);
    return r ? structuredClone(r) : null;
  }

  async listIngested({ since, until, limit }: IngestWindow): Promise<ArticleRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.ingestedAt >= since && r.ingestedAt < until)
      .sort((a, b) => (a.ingestedAt === b.ingestedAt ? a.id.localeCompare(b.id) : a.ingestedAt.localeCompare(b.ingestedAt)))
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  async queueForDigests(record: Pick<ArticleRecord, 'id' | 'ingestedAt'>, frequencies: readonly DigestFrequency[] = DIGEST_FREQUENCIES): Promise<void> {
    for (const frequency of frequencies) {
      const k = `${frequency}\u0000${record.id}`;
      if (!this.queue.has(k)) this.queue.set(k, { frequency, articleId: record.id, ingestedAt: record.ingestedAt });
    }
  }

  async pendingFor(frequency: DigestFrequency, { before, limit }: { before: string; limit: number }): Promise<DigestEntry[]> {
    return [...this.queue.values()]
      .filter((e) => e.frequency === frequency && e.runId === undefined && e.ingestedAt < before)
      .sort(byIngestTime)
      .slice(0, limit)
      .map(({ articleId, ingestedAt }) => ({ articleId, ingestedAt }));
  }

  async carry(frequency: DigestFrequency, articleId: string, runId: string): Promise<boolean> {
    const k = `${frequency}\u0000${articleId}`;
    const e = this.queue.get(k);
    if (!e || (e.runId !== undefined && e.runId !== runId)) return false;
    this.queue.set(k, { ...e, runId });
    return true;
  }

  async carriedBy(frequency: DigestFrequency, runId: string): Promise<DigestEntry[]> {
    return [...this.queue.values()]
      .filter((e) => e.frequency === frequency && e.runId === runId)
      .sort(byIngestTime)
      .map(({ articleId, ingestedAt }) => ({ articleId, ingestedAt, runId }));
  }
}
