import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type BatchWriteWriteRequest,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { TABLE_KEYS } from '../table.ts';
import { FREQUENCIES, STATUSES, type Frequency, type Subscriber } from './model.ts';
import type { SubscribeRequest } from './requests.ts';
import type { Page, SubscriberStore } from './store.ts';
import { createSubscriberStore, InvalidCursorError, type RecordBackend, type SubscriberRecord } from './record-store.ts';

/**
 * The DynamoDB adapter of the subscriber store (single table, see table.ts), through
 * @aws-sdk/lib-dynamodb. Items:
 * - `SUB#<id>` / `SUB`: the subscriber, with `version` for conditional writes; confirmed subscribers
 *   also carry `gsi1pk = CONFIRMED#<frequency>`, `gsi1sk = <ISO time entered>#<id>` (sparse GSI byFrequency).
 * - `EMAIL#<keyed hash>` / `EMAIL`: points an address hash to its subscriber id. Created with
 *   attribute_not_exists, so one address is one subscriber; never deleted, so a forgotten address
 *   is still recognised. It holds no address.
 * - `SUBREQ#<request id>` / `SUBREQ`: a subscribe request waiting for the confirmation worker (the
 *   address, the choice, the time), deleted once handled, `expiresAt` (TTL) otherwise.
 * - `MAILBOX#<keyed hash>` / `MAILBOX`: when the mailbox last got a confirmation mail
 *   (`lastMailAt`), for the per-mailbox limit; `expiresAt` one window later.
 */

/** The one document-client capability needed. */
export type DocumentSend = Pick<DynamoDBDocumentClient, 'send'>;

const SUB_SK = 'SUB';
const EMAIL_SK = 'EMAIL';
const REQUEST_SK = 'SUBREQ';
const MAILBOX_SK = 'MAILBOX';
const subPk = (id: string) => `SUB#${id}`;
const emailPk = (hash: string) => `EMAIL#${hash}`;
const requestPk = (id: string) => `SUBREQ#${id}`;
const mailboxPk = (hash: string) => `MAILBOX#${hash}`;
const gsiPk = (frequency: Frequency) => `CONFIRMED#${frequency}`;

const { partitionKey: PK, sortKey: SK, gsi } = TABLE_KEYS;

const itemSchema = z.object({
  id: z.string(),
  email: z.string().optional(),
  status: z.enum(STATUSES),
  topics: z.array(z.string()),
  frequency: z.enum(FREQUENCIES),
  createdAt: z.string(),
  confirmedAt: z.string().optional(),
  updatedAt: z.string(),
  suppressedReason: z.string().optional(),
  transientBounces: z.number().optional(),
  consent: z
    .object({ method: z.literal('operator-attested'), source: z.string(), attestedAt: z.string(), sourceOptInAt: z.string().optional() })
    .optional(),
  frequencyHistory: z.array(z.object({ frequency: z.enum(FREQUENCIES), from: z.string(), until: z.string() })).optional(),
  version: z.number(),
  emailHash: z.string().optional(),
  frequencySince: z.string().optional(),
  lastConfirmMailAt: z.string().optional(),
  countedBounces: z.array(z.string()).optional(),
});

const requestSchema = z.object({
  id: z.string(),
  email: z.string(),
  topics: z.array(z.string()),
  frequency: z.enum(FREQUENCIES),
  requestedAt: z.string(),
});

/** A stored item that does not have the subscriber shape (hand-edited, or a bug elsewhere). */
export class CorruptSubscriberItemError extends Error {
  override readonly name = 'CorruptSubscriberItemError';
}

function toRecord(item: Record<string, unknown>): SubscriberRecord {
  const parsed = itemSchema.safeParse(item);
  if (!parsed.success) throw new CorruptSubscriberItemError(`subscriber item ${String(item[PK])} is malformed`, { cause: parsed.error });
  const { version, emailHash, frequencySince, lastConfirmMailAt, countedBounces, ...fields } = parsed.data;
  const subscriber = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as Subscriber;
  return {
    subscriber,
    version,
    ...(emailHash !== undefined ? { emailHash } : {}),
    ...(frequencySince !== undefined ? { frequencySince } : {}),
    ...(lastConfirmMailAt !== undefined ? { lastConfirmMailAt } : {}),
    ...(countedBounces !== undefined ? { countedBounces } : {}),
  };
}

function toItem(record: SubscriberRecord): Record<string, unknown> {
  const { subscriber: s } = record;
  const indexed = s.status === 'confirmed' && record.frequencySince !== undefined;
  const item: Record<string, unknown> = {
    [PK]: subPk(s.id),
    [SK]: SUB_SK,
    ...s,
    version: record.version,
    emailHash: record.emailHash,
    frequencySince: record.frequencySince,
    lastConfirmMailAt: record.lastConfirmMailAt,
    countedBounces: record.countedBounces,
    ...(indexed ? { [gsi.partitionKey]: gsiPk(s.frequency), [gsi.sortKey]: `${record.frequencySince}#${s.id}` } : {}),
  };
  // Drop absent fields here, so the adapter works with any document client (with or without removeUndefinedValues).
  for (const key of Object.keys(item)) if (item[key] === undefined) delete item[key];
  return item;
}

const cursorSchema = z.object({ pk: z.string(), sk: z.string(), g1: z.string(), g2: z.string() }).strict();

function encodeCursor(item: Record<string, unknown>): string {
  return Buffer.from(
    JSON.stringify({ pk: item[PK], sk: item[SK], g1: item[gsi.partitionKey], g2: item[gsi.sortKey] }),
  ).toString('base64url');
}

function decodeCursor(cursor: string, frequency: Frequency): Record<string, string> {
  let parsed: z.infer<typeof cursorSchema>;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (error) {
    throw new InvalidCursorError('paging cursor is malformed', { cause: error });
  }
  if (parsed.g1 !== gsiPk(frequency)) throw new InvalidCursorError('paging cursor belongs to another frequency');
  return { [PK]: parsed.pk, [SK]: parsed.sk, [gsi.partitionKey]: parsed.g1, [gsi.sortKey]: parsed.g2 };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** The record backend over DynamoDB (exported for tests that need the raw items). */
export function dynamoRecordBackend(doc: DocumentSend, tableName: string): RecordBackend {
  return {
    async getRecord(id) {
      const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { [PK]: subPk(id), [SK]: SUB_SK }, ConsistentRead: true }));
      return Item ? toRecord(Item) : null;
    },

    async putRecord(record, expectedVersion) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: toItem(record),
            ...(expectedVersion === null
              ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
              : {
                  ConditionExpression: '#v = :v',
                  ExpressionAttributeNames: { '#v': 'version' },
                  ExpressionAttributeValues: { ':v': expectedVersion },
                }),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async getLookup(emailHash) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: { [PK]: emailPk(emailHash), [SK]: EMAIL_SK }, ConsistentRead: true }),
      );
      return typeof Item?.subscriberId === 'string' ? Item.subscriberId : null;
    },

    async putLookup(emailHash, subscriberId, at) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { [PK]: emailPk(emailHash), [SK]: EMAIL_SK, subscriberId, createdAt: at },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async putRequest(request, expiresAt) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { [PK]: requestPk(request.id), [SK]: REQUEST_SK, ...request, [TABLE_KEYS.ttlAttribute]: expiresAt },
        }),
      );
    },

    async getRequest(id): Promise<SubscribeRequest | null> {
      const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { [PK]: requestPk(id), [SK]: REQUEST_SK }, ConsistentRead: true }));
      if (!Item) return null;
      const parsed = requestSchema.safeParse(Item);
      if (!parsed.success) throw new CorruptSubscriberItemError(`subscribe request ${id} is malformed`, { cause: parsed.error });
      return parsed.data;
    },

    async deleteRequest(id) {
      await doc.send(new DeleteCommand({ TableName: tableName, Key: { [PK]: requestPk(id), [SK]: REQUEST_SK } }));
    },

    async claimMailbox(mailbox, at, notAfter, expiresAt) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { [PK]: mailboxPk(mailbox), [SK]: MAILBOX_SK, lastMailAt: at, [TABLE_KEYS.ttlAttribute]: expiresAt },
            ConditionExpression: 'attribute_not_exists(#pk) OR #last <= :notAfter',
            ExpressionAttributeNames: { '#pk': PK, '#last': 'lastMailAt' },
            ExpressionAttributeValues: { ':notAfter': notAfter },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async releaseMailbox(mailbox, at) {
      try {
        await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { [PK]: mailboxPk(mailbox), [SK]: MAILBOX_SK },
            ConditionExpression: '#last = :at',
            ExpressionAttributeNames: { '#last': 'lastMailAt' },
            ExpressionAttributeValues: { ':at': at },
          }),
        );
      } catch (error) {
        // A later claim (or none) stands: nothing to undo.
        if (!isConditionFailure(error)) throw error;
      }
    },

    async getLookups(hashes) {
      const items = await batchGet(doc, tableName, hashes.map((h) => ({ [PK]: emailPk(h), [SK]: EMAIL_SK })));
      const found = new Map<string, string>();
      for (const item of items) {
        if (typeof item.subscriberId === 'string') found.set(String(item[PK]).slice('EMAIL#'.length), item.subscriberId);
      }
      return found;
    },

    async getRecords(ids) {
      const items = await batchGet(doc, tableName, ids.map((id) => ({ [PK]: subPk(id), [SK]: SUB_SK })));
      return new Map(items.map((item) => {
        const record = toRecord(item);
        return [record.subscriber.id, record] as const;
      }));
    },

    async putNewRecords(records) {
      await batchWrite(doc, tableName, records.map(toItem));
    },

    async scanSubscribers({ cursor, limit }): Promise<Page<Subscriber>> {
      let start: Record<string, string> | undefined;
      if (cursor !== undefined) {
        try {
          start = scanCursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
        } catch (error) {
          throw new InvalidCursorError('paging cursor is malformed', { cause: error });
        }
      }
      // Limit counts items read before the filter, so a page may hold fewer subscribers than `limit`.
      const out = await doc.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: '#sk = :sub',
          ExpressionAttributeNames: { '#sk': SK },
          ExpressionAttributeValues: { ':sub': SUB_SK },
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const items = (out.Items ?? []).map((item) => toRecord(item).subscriber);
      const next = out.LastEvaluatedKey ? { [PK]: String(out.LastEvaluatedKey[PK]), [SK]: String(out.LastEvaluatedKey[SK]) } : undefined;
      return { items, ...(next ? { cursor: Buffer.from(JSON.stringify(next)).toString('base64url') } : {}) };
    },

    async queryConfirmed(frequency, { enteredBefore, enteredFrom, cursor, limit }): Promise<Page<Subscriber>> {
      // Ask for one more than a page: a cursor then means "there is more", never an empty last page.
      // "<time>#<id>" never equals a bare time, so BETWEEN is the half-open [enteredFrom, enteredBefore).
      const out = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: gsi.name,
          KeyConditionExpression: enteredFrom === undefined ? '#g1 = :g1 AND #g2 < :before' : '#g1 = :g1 AND #g2 BETWEEN :from AND :before',
          ExpressionAttributeNames: { '#g1': gsi.partitionKey, '#g2': gsi.sortKey },
          ExpressionAttributeValues: { ':g1': gsiPk(frequency), ':before': enteredBefore, ...(enteredFrom === undefined ? {} : { ':from': enteredFrom }) },
          Limit: limit + 1,
          ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor, frequency) } : {}),
        }),
      );
      const items = out.Items ?? [];
      const page = items.slice(0, limit);
      const last = page[page.length - 1];
      // LastEvaluatedKey with a short page means DynamoDB's 1 MB cap stopped early: there may be more.
      const more = items.length > limit || out.LastEvaluatedKey !== undefined;
      return {
        items: page.map((item) => toRecord(item).subscriber),
        ...(more && last ? { cursor: encodeCursor(last) } : {}),
      };
    },
  };
}

/** How many times unprocessed keys or items of a batch are sent again (with a growing pause) before giving up. */
const BATCH_RETRIES = 8;

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** attempt)));

/** BatchGetItem, 100 keys a call (DynamoDB's limit), strongly consistent, unprocessed keys sent again. */
async function batchGet(doc: DocumentSend, tableName: string, keys: readonly Record<string, string>[]): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const unique = [...new Map(keys.map((k) => [`${k[PK]}\0${k[SK]}`, k])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = unique.slice(i, i + 100);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > BATCH_RETRIES) throw new Error(`BatchGetItem left ${pending.length} key(s) unprocessed after ${BATCH_RETRIES} retries`);
      if (attempt > 0) await pause(attempt);
      const out: BatchGetCommandOutput = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
      items.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return items;
}

/** BatchWriteItem puts, 25 items a call (DynamoDB's limit), the calls side by side, unprocessed items sent again. */
async function batchWrite(doc: DocumentSend, tableName: string, items: readonly Record<string, unknown>[]): Promise<void> {
  const chunks: BatchWriteWriteRequest[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: BatchWriteWriteRequest[] | undefined = chunk;
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > BATCH_RETRIES) throw new Error(`BatchWriteItem left ${pending.length} item(s) unprocessed after ${BATCH_RETRIES} retries`);
        if (attempt > 0) await pause(attempt);
        const out: BatchWriteCommandOutput = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = out.UnprocessedItems?.[tableName];
      }
    }),
  );
}

/** The scan's cursor: DynamoDB's LastEvaluatedKey (pk, sk only on the base table), as base64url JSON. */
const scanCursorSchema = z.object({ [PK]: z.string(), [SK]: z.string() }).strict();

/** The subscriber store over DynamoDB. */
export function createDynamoSubscriberStore(options: { readonly doc: DocumentSend; readonly tableName: string }): SubscriberStore {
  return createSubscriberStore(dynamoRecordBackend(options.doc, options.tableName));
}
