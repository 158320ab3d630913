import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FeedStoreError, keyHash, type FeedState, type FeedStore, type PendingItem, type SeenItem } from './state.ts';

/** The document-client capability the feed store needs. */
export type FeedDynamoClient = Pick<DynamoDBDocumentClient, 'send'>;

/**
 * Feed state on the single table (lambda/shared/table.ts), with conditional writes only (dynalite has
 * no transactions): `FEED#<hash of url>`/`STATE` per feed, versioned and leased; `FEEDITEM#<hash of key>`/`SEEN`
 * per item key, put only if absent. No TTL on seen items: a feed may keep an item for years, and
 * forgetting it would mail it again.
 */

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: unknown })?.name === 'ConditionalCheckFailedException';
}

const stateKey = (url: string) => ({ pk: `FEED#${keyHash(url)}`, sk: 'STATE' });
const itemKey = (key: string) => ({ pk: `FEEDITEM#${keyHash(key)}`, sk: 'SEEN' });

const OPTIONAL = ['etag', 'lastModified', 'lastAttemptAt', 'lastSuccessAt', 'failingSince', 'lastError', 'nextPollAt'] as const;

function fromItem(item: Record<string, unknown>): FeedState {
  try {
    const state: Record<string, unknown> = {
      url: String(item.url),
      failures: Number(item.failures ?? 0),
      pending: typeof item.pending === 'string' ? (JSON.parse(item.pending) as Record<string, PendingItem>) : {},
      version: Number(item.version ?? 0),
    };
    for (const k of OPTIONAL) if (typeof item[k] === 'string') state[k] = item[k];
    return state as unknown as FeedState;
  } catch (error) {
    throw new FeedStoreError(`feed state ${String(item.url)}: corrupt record`, { cause: error });
  }
}

export class DynamoFeedStore implements FeedStore {
  constructor(
    private readonly doc: FeedDynamoClient,
    private readonly tableName: string,
  ) {}

  async get(url: string): Promise<FeedState | null> {
    try {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: stateKey(url), ConsistentRead: true }));
      return out.Item ? fromItem(out.Item) : null;
    } catch (error) {
      if (error instanceof FeedStoreError) throw error;
      throw new FeedStoreError(`feed state ${url}: get failed`, { cause: error });
    }
  }

  async claim(url: string, now: number, leaseUntil: number): Promise<FeedState | null> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey(url),
          UpdateExpression: 'SET #url = :url, leaseUntil = :until, version = if_not_exists(version, :zero) + :one, failures = if_not_exists(failures, :zero)',
          ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil <= :now',
          ExpressionAttributeNames: { '#url': 'url' },
          ExpressionAttributeValues: { ':url': url, ':until': leaseUntil, ':now': now, ':zero': 0, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw new FeedStoreError(`feed state ${url}: claim failed`, { cause: error });
    }
  }

  async save(state: FeedState): Promise<boolean> {
    const item: Record<string, unknown> = {
      ...stateKey(state.url),
      url: state.url,
      failures: state.failures,
      pending: JSON.stringify(state.pending),
      version: state.version + 1,
    };
    for (const k of OPTIONAL) if (state[k] !== undefined) item[k] = state[k];
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': state.version },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new FeedStoreError(`feed state ${state.url}: save failed`, { cause: error });
    }
  }

  async seen(keys: readonly string[]): Promise<SeenItem | null> {
    for (const key of keys) {
      let out;
      try {
        out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: itemKey(key), ConsistentRead: true }));
      } catch (error) {
        throw new FeedStoreError('seen item: get failed', { cause: error });
      }
      const i = out.Item;
      if (i) return { key, articleId: typeof i.articleId === 'string' ? i.articleId : null, feedUrl: String(i.feedUrl), at: String(i.at) };
    }
    return null;
  }

  async markSeen(keys: readonly string[], item: Omit<SeenItem, 'key'>): Promise<void> {
    for (const key of keys) {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...itemKey(key), key: key.slice(0, 2048), feedUrl: item.feedUrl, at: item.at, ...(item.articleId !== null && { articleId: item.articleId }) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw new FeedStoreError('seen item: put failed', { cause: error });
      }
    }
  }
}
