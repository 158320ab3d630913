import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS } from '../table.ts';
import { queryAll } from './dynamo-query.ts';
import type { DigestFrequency } from '../subscriptions/model.ts';
import { LEDGER_RETENTION_SECONDS } from './ledger.ts';
import type { SendJob } from './ports.ts';
import {
  jobSortKey,
  runOrderKey,
  RunStoreError,
  type DigestLock,
  type DigestState,
  type RunCounts,
  type RunJobRecord,
  type RunRecord,
  type RunStore,
} from './runs.ts';

/** The document-client capability the run store needs. */
export type RunDynamoClient = Pick<DynamoDBDocumentClient, 'send'>;

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ConditionalCheckFailedException')
  );
}

const runKey = (runId: string) => ({ pk: `RUN#${runId}`, sk: 'RUN' });
const stateKey = (frequency: DigestFrequency) => ({ pk: `DIGEST#${frequency}`, sk: 'STATE' });

/** Run records are listed through the GSI, newest first: gsi1pk = "RUNS", gsi1sk = "<start>#<run id>". */
const RUNS_INDEX_PK = 'RUNS';

function fromItem(item: Record<string, unknown>): RunRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _gpk, gsi1sk: _gsk, ...rest } = item;
  return rest as unknown as RunRecord;
}

/** Run records and digest state on the single table; single-item conditional writes only. */
export class DynamoRunStore implements RunStore {
  constructor(
    private readonly doc: RunDynamoClient,
    private readonly tableName: string,
  ) {}

  private async write(what: string, command: PutCommand | UpdateCommand): Promise<boolean> {
    try {
      if (command instanceof PutCommand) await this.doc.send(command);
      else await this.doc.send(command);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new RunStoreError(`${what} failed`, { cause: error });
    }
  }

  async create(run: RunRecord): Promise<'created' | 'exists'> {
    const ok = await this.write(
      `create run ${run.runId}`,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...runKey(run.runId), gsi1pk: RUNS_INDEX_PK, gsi1sk: runOrderKey(run), ...run },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return ok ? 'created' : 'exists';
  }

  async get(runId: string): Promise<RunRecord | null> {
    try {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: runKey(runId), ConsistentRead: true }));
      return out.Item ? fromItem(out.Item) : null;
    } catch (error) {
      throw new RunStoreError(`get run ${runId} failed`, { cause: error });
    }
  }

  async acquireLease(runId: string, owner: string, now: number, leaseMs: number): Promise<RunRecord | null> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(runId),
          UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND #status = :open AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :owner)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':owner': owner, ':until': now + leaseMs, ':now': now, ':open': 'open' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? fromItem(out.Attributes) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw new RunStoreError(`lease run ${runId} failed`, { cause: error });
    }
  }

  async checkpoint(
    runId: string,
    u: { expectedVersion: number; owner: string; cursor: string; counts: RunCounts; leaseUntil: number; at: string },
  ): Promise<boolean> {
    return this.write(
      `checkpoint run ${runId}`,
      new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(runId),
        UpdateExpression: 'SET #cursor = :cursor, #counts = :counts, #version = :next, leaseUntil = :lease, updatedAt = :at',
        ConditionExpression: '#status = :open AND #version = :expected AND leaseOwner = :owner',
        ExpressionAttributeNames: { '#cursor': 'cursor', '#counts': 'counts', '#version': 'version', '#status': 'status' },
        ExpressionAttributeValues: {
          ':cursor': u.cursor,
          ':counts': u.counts,
          ':next': u.expectedVersion + 1,
          ':expected': u.expectedVersion,
          ':lease': u.leaseUntil,
          ':at': u.at,
          ':owner': u.owner,
          ':open': 'open',
        },
      }),
    );
  }

  async finish(
    runId: string,
    u: { expectedVersion: number; owner: string; status: 'complete' | 'empty'; counts: RunCounts; at: string },
  ): Promise<boolean> {
    return this.write(
      `finish run ${runId}`,
      new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(runId),
        UpdateExpression:
          'SET #status = :status, #counts = :counts, #version = :next, updatedAt = :at, completedAt = :at REMOVE #cursor, leaseOwner, leaseUntil',
        ConditionExpression: '#status = :open AND #version = :expected AND leaseOwner = :owner',
        ExpressionAttributeNames: { '#cursor': 'cursor', '#counts': 'counts', '#version': 'version', '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': u.status,
          ':counts': u.counts,
          ':next': u.expectedVersion + 1,
          ':expected': u.expectedVersion,
          ':at': u.at,
          ':owner': u.owner,
          ':open': 'open',
        },
      }),
    );
  }

  async releaseLease(runId: string, owner: string): Promise<void> {
    await this.write(
      `release run ${runId}`,
      new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(runId),
        UpdateExpression: 'SET leaseUntil = :zero',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':zero': 0, ':owner': owner },
      }),
    );
  }

  async getDigestState(frequency: DigestFrequency): Promise<DigestState> {
    try {
      const out = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: stateKey(frequency), ConsistentRead: true }),
      );
      const item = out.Item ?? {};
      return {
        ...(typeof item.watermark === 'string' ? { watermark: item.watermark } : {}),
        ...(typeof item.lastRunId === 'string' ? { lastRunId: item.lastRunId } : {}),
        ...(typeof item.openRunId === 'string' ? { openRunId: item.openRunId } : {}),
        ...(typeof item.lockOwner === 'string' ? { lockOwner: item.lockOwner } : {}),
        ...(typeof item.lockUntil === 'number' ? { lockUntil: item.lockUntil } : {}),
        ...(typeof item.lockStartedAt === 'string' ? { lockStartedAt: item.lockStartedAt } : {}),
      };
    } catch (error) {
      throw new RunStoreError(`get ${frequency} digest state failed`, { cause: error });
    }
  }

  async lockDigest(frequency: DigestFrequency, lock: DigestLock): Promise<boolean> {
    return this.write(
      `lock ${frequency} digest`,
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(frequency),
        UpdateExpression: 'SET openRunId = :run, lockOwner = :owner, lockUntil = :until, lockStartedAt = :started',
        ConditionExpression: 'attribute_not_exists(openRunId)',
        ExpressionAttributeValues: { ':run': lock.runId, ':owner': lock.owner, ':until': lock.until, ':started': lock.startedAt },
      }),
    );
  }

  async takeOverDigest(frequency: DigestFrequency, seen: DigestState, owner: string, until: number, now: number): Promise<boolean> {
    if (seen.openRunId === undefined) return false;
    // A lock from before leases (no owner) is taken over like an expired one.
    const ownerSeen = seen.lockOwner === undefined ? 'attribute_not_exists(lockOwner)' : 'lockOwner = :seenOwner';
    const expired = seen.lockUntil === undefined ? 'attribute_not_exists(lockUntil)' : 'lockUntil < :now';
    return this.write(
      `take over the ${frequency} digest lock`,
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(frequency),
        UpdateExpression: 'SET lockOwner = :owner, lockUntil = :until',
        ConditionExpression: `openRunId = :run AND ${ownerSeen} AND ${expired}`,
        ExpressionAttributeValues: {
          ':run': seen.openRunId,
          ':owner': owner,
          ':until': until,
          ...(seen.lockOwner === undefined ? {} : { ':seenOwner': seen.lockOwner }),
          ...(seen.lockUntil === undefined ? {} : { ':now': now }),
        },
      }),
    );
  }

  async unlockDigest(frequency: DigestFrequency, runId: string): Promise<void> {
    await this.write(
      `unlock ${frequency} digest`,
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(frequency),
        UpdateExpression: 'SET lastRunId = :run REMOVE openRunId, lockOwner, lockUntil, lockStartedAt',
        ConditionExpression: 'openRunId = :run',
        ExpressionAttributeValues: { ':run': runId },
      }),
    );
  }

  async clearWatermark(frequency: DigestFrequency, watermark: string): Promise<void> {
    await this.write(
      `clear the ${frequency} watermark`,
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(frequency),
        UpdateExpression: 'REMOVE watermark',
        ConditionExpression: 'watermark = :w',
        ExpressionAttributeValues: { ':w': watermark },
      }),
    );
  }

  async recordJobs(runId: string, page: number, jobs: readonly SendJob[], at: string): Promise<void> {
    // Kept as long as the ledger entries they are read with.
    const expiresAt = Math.floor(Date.parse(at) / 1000) + LEDGER_RETENTION_SECONDS;
    const puts = jobs.map((job, index) => ({
      PutRequest: { Item: { pk: runKey(runId).pk, sk: jobSortKey(page, index), runId, page, index, issueKey: job.issueKey, recipients: job.recipients, expiresAt } },
    }));
    for (let i = 0; i < puts.length; i += 25) {
      let pending: typeof puts = puts.slice(i, i + 25);
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > 5) throw new RunStoreError(`record jobs of run ${runId}: ${pending.length} write(s) left unprocessed`);
        try {
          const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
          pending = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof puts;
        } catch (error) {
          throw new RunStoreError(`record jobs of run ${runId} failed`, { cause: error });
        }
        if (pending.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  async recordAlreadySent(runId: string, page: number, index: number, subscriberIds: readonly string[]): Promise<void> {
    if (subscriberIds.length === 0) return;
    // A string set: adding the same ids again (a redelivery noting them twice) changes nothing.
    await this.write(
      `note already sent in run ${runId}`,
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: runKey(runId).pk, sk: jobSortKey(page, index) },
        UpdateExpression: 'ADD alreadySent :ids',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':ids': new Set(subscriberIds) },
      }),
    );
  }

  async listJobs(runId: string): Promise<RunJobRecord[]> {
    const items = await queryAll(
      this.doc,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :job)',
        ExpressionAttributeValues: { ':pk': runKey(runId).pk, ':job': 'JOB#' },
        ConsistentRead: true,
      },
      (error) => new RunStoreError(`list jobs of run ${runId} failed`, { cause: error }),
    );
    return items.map((item) => ({
      runId,
      page: Number(item.page),
      index: Number(item.index),
      issueKey: String(item.issueKey),
      recipients: (item.recipients as string[] | undefined) ?? [],
      ...(item.alreadySent instanceof Set ? { alreadySent: [...(item.alreadySent as Set<string>)].sort() } : {}),
    }));
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    try {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_KEYS.gsi.name,
          KeyConditionExpression: 'gsi1pk = :runs',
          ExpressionAttributeValues: { ':runs': RUNS_INDEX_PK },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map(fromItem);
    } catch (error) {
      throw new RunStoreError('list runs failed', { cause: error });
    }
  }
}
