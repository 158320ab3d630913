import { createHash } from 'node:crypto';
import type { Article, Brief } from '../article/model.ts';

/**
 * Article records: one per distinct article, keyed by a hash of its content, with the brief the
 * digest and alert emails are rendered from and the time it was ingested (digests collect articles
 * by ingest time, not publication time, so a late-arriving old article is still sent once).
 */

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
}
