import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Brief } from '../article/model.ts';
import { TABLE_KEYS } from '../table.ts';
import type { DigestFrequency } from '../subscriptions/model.ts';
import {
  ArticleStoreError,
  DIGEST_FREQUENCIES,
  type ArticleRecord,
  type ArticleStore,
  type DigestEntry,
  type IngestWindow,
} from './articles.ts';

/** The document-client capability the article store needs. */
export type ArticleDynamoClient = Pick<DynamoDBDocumentClient, 'send'>;

/** Partition of the ingest feed on the (overloaded, sparse) GSI: one item per article, ordered by ingest time. */
export const ARTICLE_FEED_KEY = 'ARTICLES';

interface ArticleItem {
  pk: string;
  sk: string;
  gsi1pk: string;
  gsi1sk: string;
  id: string;
  ingestedAt: string;
  origin: string;
  /** The brief as JSON text: one attribute, no empty-string or nesting surprises across DynamoDB and dynalite. */
  brief: string;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ConditionalCheckFailedException')
  );
}

function keyOf(id: string): { pk: string; sk: string } {
  return { pk: `ARTICLE#${id}`, sk: 'ARTICLE' };
}

/** The article's entry in one frequency's digest queue: an item beside the article record. */
function queueKeyOf(id: string, frequency: DigestFrequency): { pk: string; sk: string } {
  return { pk: `ARTICLE#${id}`, sk: `DIGEST#${frequency}` };
}
/** GSI partition of the articles waiting for a digest of one frequency. */
const pendingKey = (frequency: DigestFrequency) => `PENDING#${frequency}`;
/** GSI partition of the articles one run carries. */
const carriedKey = (runId: string) => `CARRIED#${runId}`;
/** Carried queue entries are kept this long (they only stop an ingest retry from queueing again). */
const CARRIED_RETENTION_SECONDS = 30 * 24 * 3600;

function fromItem(item: Record<string, unknown>): ArticleRecord {
  try {
    return {
      id: String(item.id),
      ingestedAt: String(item.ingestedAt),
      origin: String(item.origin),
      brief: JSON.parse(String(item.brief)) as Brief,
    };
  } catch (error) {
    throw new ArticleStoreError(`article ${String(item.id)}: corrupt record`, { cause: error });
  }
}

/**
 * Article records on the single table. The record and its feed entry are ONE item (the feed is the
 * GSI `byFrequency` overloaded with gsi1pk = "ARTICLES", gsi1sk = "<ingestedAt>#<id>").
 *
 * Digest queue: one item per (article, digest frequency) beside the record, written after it (so an
 * entry never points to a missing article) with attribute_not_exists (so an ingest retry never queues
 * an article again, even after a run carried it). While waiting it sits in the GSI partition
 * PENDING#<frequency>; a run carries it with a conditional write that moves it to CARRIED#<runId>.
 * The GSI is eventually consistent: an entry not yet visible waits for the next run, and a stale one
 * already carried loses the conditional write. Reads of the queue cost only what is waiting.
 */
export class DynamoArticleStore implements ArticleStore {
  constructor(
    private readonly doc: ArticleDynamoClient,
    private readonly tableName: string,
  ) {}

  async putIfAbsent(record: ArticleRecord): Promise<'created' | 'exists'> {
    const item: ArticleItem = {
      ...keyOf(record.id),
      gsi1pk: ARTICLE_FEED_KEY,
      gsi1sk: `${record.ingestedAt}#${record.id}`,
      id: record.id,
      ingestedAt: record.ingestedAt,
      origin: record.origin,
      brief: JSON.stringify(record.brief),
    };
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return 'created';
    } catch (error) {
      if (isConditionFailure(error)) return 'exists';
      throw new ArticleStoreError(`article ${record.id}: put failed`, { cause: error });
    }
  }

  async get(id: string): Promise<ArticleRecord | null> {
    let out;
    try {
      out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keyOf(id), ConsistentRead: true }));
    } catch (error) {
      throw new ArticleStoreError(`article ${id}: get failed`, { cause: error });
    }
    return out.Item ? fromItem(out.Item) : null;
  }

  /**
   * Items of one `byFrequency` partition whose sort key lies in [from, to) (ISO times of fixed width
   * before `#<id>`, so "<t>#<id>" < "<to>" exactly when t < to), in order, at most `limit`, over pages.
   */
  private async queryPartition(what: string, partition: string, from: string, to: string, limit: number): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      let out;
      try {
        out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: TABLE_KEYS.gsi.name,
            KeyConditionExpression: '#p = :p AND #s BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#p': TABLE_KEYS.gsi.partitionKey, '#s': TABLE_KEYS.gsi.sortKey },
            // DynamoDB refuses an empty string in a key condition; '0' sorts before every ISO time.
            ExpressionAttributeValues: { ':p': partition, ':from': from || '0', ':to': to },
            Limit: limit - items.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
      } catch (error) {
        throw new ArticleStoreError(`${what} query failed`, { cause: error });
      }
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start && items.length < limit);
    return items;
  }

  async listIngested({ since, until, limit }: IngestWindow): Promise<ArticleRecord[]> {
    return (await this.queryPartition('article feed', ARTICLE_FEED_KEY, since, until, limit)).map(fromItem);
  }

  async queueForDigests(record: Pick<ArticleRecord, 'id' | 'ingestedAt'>, frequencies: readonly DigestFrequency[] = DIGEST_FREQUENCIES): Promise<void> {
    for (const frequency of frequencies) {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...queueKeyOf(record.id, frequency),
              [TABLE_KEYS.gsi.partitionKey]: pendingKey(frequency),
              [TABLE_KEYS.gsi.sortKey]: `${record.ingestedAt}#${record.id}`,
              articleId: record.id,
              ingestedAt: record.ingestedAt,
              frequency,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw new ArticleStoreError(`article ${record.id}: queueing for the ${frequency} digest failed`, { cause: error });
      }
    }
  }

  private async queryQueue(partition: string, before: string, limit: number): Promise<DigestEntry[]> {
    return (await this.queryPartition(`digest queue ${partition}`, partition, '0', before, limit)).map((item) => ({
      articleId: String(item.articleId),
      ingestedAt: String(item.ingestedAt),
      ...(typeof item.runId === 'string' ? { runId: item.runId } : {}),
    }));
  }

  async pendingFor(frequency: DigestFrequency, { before, limit }: { before: string; limit: number }): Promise<DigestEntry[]> {
    return this.queryQueue(pendingKey(frequency), before, limit);
  }

  async carry(frequency: DigestFrequency, articleId: string, runId: string, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: queueKeyOf(articleId, frequency),
          UpdateExpression: 'SET runId = :run, carriedAt = :at, #p = :carried, expiresAt = :exp',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(runId) OR runId = :run)',
          ExpressionAttributeNames: { '#p': TABLE_KEYS.gsi.partitionKey },
          ExpressionAttributeValues: {
            ':run': runId,
            ':at': at,
            ':carried': carriedKey(runId),
            ':exp': Math.floor(Date.parse(at) / 1000) + CARRIED_RETENTION_SECONDS,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new ArticleStoreError(`article ${articleId}: carrying it in ${runId} failed`, { cause: error });
    }
  }

  async carriedBy(_frequency: DigestFrequency, runId: string): Promise<DigestEntry[]> {
    return this.queryQueue(carriedKey(runId), '~', 10_000);
  }
}
