import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Brief } from '../article/model.ts';
import { TABLE_KEYS } from '../table.ts';
import { ArticleStoreError, type ArticleRecord, type ArticleStore, type IngestWindow } from './articles.ts';

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
 * GSI `byFrequency` overloaded with gsi1pk = "ARTICLES", gsi1sk = "<ingestedAt>#<id>"), so a single
 * conditional put makes an article both exist and be visible to digests: no crash window between two writes.
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

  async listIngested({ since, until, limit }: IngestWindow): Promise<ArticleRecord[]> {
    const records: ArticleRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      let out;
      try {
        out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: TABLE_KEYS.gsi.name,
            // "<since>" <= "<t>#<id>" holds for t >= since; "<t>#<id>" <= "<until>" only for t < until
            // (ISO times have a fixed width), so BETWEEN gives the half-open window [since, until).
            KeyConditionExpression: '#p = :p AND #s BETWEEN :since AND :until',
            ExpressionAttributeNames: { '#p': TABLE_KEYS.gsi.partitionKey, '#s': TABLE_KEYS.gsi.sortKey },
            ExpressionAttributeValues: { ':p': ARTICLE_FEED_KEY, ':since': since, ':until': until },
            Limit: limit - records.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
      } catch (error) {
        throw new ArticleStoreError('article feed query failed', { cause: error });
      }
      for (const item of out.Items ?? []) records.push(fromItem(item));
      start = out.LastEvaluatedKey;
    } while (start && records.length < limit);
    return records;
  }
}
