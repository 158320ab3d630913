import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './dynamo-query.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  claimVerdict,
  LEDGER_RETENTION_SECONDS,
  LedgerError,
  ledgerKeys,
  MAX_TRIES,
  type ClaimOptions,
  type ClaimResult,
  type DeliveryLedger,
  type LedgerEntry,
  type LedgerKey,
  type LedgerReader,
  type LedgerState,
  type MailEventRecord,
  type MailEventRecorder,
  type RecordedBounce,
  type RecordedMailEvent,
} from './ledger.ts';

/** The document-client capability the ledger needs. */
export type LedgerDynamoClient = Pick<DynamoDBDocumentClient, 'send'>;

interface LedgerItem {
  pk: string;
  sk: string;
  runId: string;
  subscriberId: string;
  state: LedgerState;
  claimId?: string;
  leaseUntil?: number;
  tries?: number;
  messageId?: string;
  reason?: string;
  updatedAt: number;
  expiresAt: number;
  bounce?: RecordedBounce;
  complaint?: RecordedMailEvent;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ConditionalCheckFailedException')
  );
}

/**
 * The ledger on the single table (see ledger.ts for the protocol). Only single-item conditional
 * writes, no transactions, so it behaves the same on DynamoDB and on dynalite. `expiresAt` (TTL) only
 * keeps the table small: correctness never depends on expiry.
 */
export class DynamoLedger implements DeliveryLedger, LedgerReader, MailEventRecorder {
  constructor(
    private readonly doc: LedgerDynamoClient,
    private readonly tableName: string,
  ) {}

  async claim(key: LedgerKey, { claimId, now, leaseMs }: ClaimOptions): Promise<ClaimResult> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerKeys(key),
          ReturnValues: 'UPDATED_NEW',
          UpdateExpression:
            'SET #state = :claimed, #claim = :cid, #lease = :until, #u = :now, runId = :run, subscriberId = :sub, expiresAt = :exp ADD #tries :one',
          // New, or an attempt whose outcome is unknown (recorded so, or its holder died and the lease ran
          // out) with tries to spare. A final state never changes.
          ConditionExpression:
            'attribute_not_exists(pk) OR ((#state = :claimed OR #state = :unknown) AND #lease < :now AND (attribute_not_exists(#tries) OR #tries < :max))',
          ExpressionAttributeNames: { '#state': 'state', '#claim': 'claimId', '#lease': 'leaseUntil', '#u': 'updatedAt', '#tries': 'tries' },
          ExpressionAttributeValues: {
            ':claimed': 'claimed',
            ':unknown': 'unknown',
            ':cid': claimId,
            ':until': now + leaseMs,
            ':now': now,
            ':run': key.runId,
            ':sub': key.subscriberId,
            ':exp': Math.floor(now / 1000) + LEDGER_RETENTION_SECONDS,
            ':one': 1,
            ':max': MAX_TRIES,
          },
        }),
      );
      return { outcome: 'claimed', tries: Number(out.Attributes?.tries ?? 1) };
    } catch (error) {
      if (!isConditionFailure(error)) throw new LedgerError('ledger claim failed', { cause: error });
    }
    const existing = await this.get(key);
    if (!existing) {
      // Released between our write and our read: report a live lease so the job retries shortly.
      return { outcome: 'leased', leaseUntil: now };
    }
    const verdict = claimVerdict(existing, now);
    // A take-over verdict here means the item changed between our write and our read: retry later.
    if (verdict === 'take-over') return { outcome: 'leased', leaseUntil: now };
    if (verdict.outcome === 'done' && verdict.state === 'unknown' && existing.state === 'claimed') await this.giveUp(key, existing, claimId, now);
    return verdict;
  }

  /**
   * The last allowed attempt's holder let its lease run out: record the message given up, under a new
   * claim id, so that holder (should it still be running) can neither record nor release it any more.
   */
  private async giveUp(key: LedgerKey, seen: LedgerEntry, claimId: string, now: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerKeys(key),
          UpdateExpression: 'SET #state = :unknown, #claim = :cid, #u = :now',
          ConditionExpression: '#state = :claimed AND #claim = :seen AND #lease < :now',
          ExpressionAttributeNames: { '#state': 'state', '#claim': 'claimId', '#lease': 'leaseUntil', '#u': 'updatedAt' },
          ExpressionAttributeValues: { ':unknown': 'unknown', ':claimed': 'claimed', ':cid': claimId, ':seen': seen.claimId ?? '', ':now': now },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw new LedgerError('ledger give-up write failed', { cause: error });
    }
  }

  private async finish(
    key: LedgerKey,
    claimId: string,
    state: 'sent' | 'rejected' | 'unknown',
    detail: { messageId?: string; reason?: string },
    now: number,
  ): Promise<boolean> {
    const names: Record<string, string> = { '#state': 'state', '#claim': 'claimId', '#u': 'updatedAt' };
    const values: Record<string, unknown> = { ':state': state, ':claimed': 'claimed', ':cid': claimId, ':now': now };
    let set = '#state = :state, #u = :now';
    if (detail.messageId !== undefined) {
      names['#mid'] = 'messageId';
      values[':mid'] = detail.messageId;
      set += ', #mid = :mid';
    }
    if (detail.reason !== undefined) {
      names['#reason'] = 'reason';
      values[':reason'] = detail.reason;
      set += ', #reason = :reason';
    }
    // A final state drops the lease; an unknown outcome keeps it, so no retry comes before it ends.
    let update = `SET ${set}`;
    if (state !== 'unknown') {
      names['#lease'] = 'leaseUntil';
      update += ' REMOVE #lease';
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerKeys(key),
          UpdateExpression: update,
          ConditionExpression: '#state = :claimed AND #claim = :cid',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new LedgerError(`ledger ${state} write failed`, { cause: error });
    }
  }

  async markSent(key: LedgerKey, claimId: string, messageId: string, now: number): Promise<boolean> {
    return this.finish(key, claimId, 'sent', { messageId }, now);
  }

  async markRejected(key: LedgerKey, claimId: string, reason: string, now: number): Promise<boolean> {
    return this.finish(key, claimId, 'rejected', { reason }, now);
  }

  async markUnknown(key: LedgerKey, claimId: string, now: number): Promise<boolean> {
    return this.finish(key, claimId, 'unknown', {}, now);
  }

  async release(key: LedgerKey, claimId: string): Promise<void> {
    const names = { '#state': 'state', '#claim': 'claimId', '#tries': 'tries' };
    try {
      // The only attempt: delete the claim.
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: ledgerKeys(key),
          ConditionExpression: '#state = :claimed AND #claim = :cid AND (attribute_not_exists(#tries) OR #tries <= :one)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':claimed': 'claimed', ':cid': claimId, ':one': 1 },
        }),
      );
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw new LedgerError('ledger release failed', { cause: error });
    }
    try {
      // An earlier attempt's outcome is still unknown: back to that, claimable at once.
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerKeys(key),
          UpdateExpression: 'SET #state = :unknown, #lease = :zero ADD #tries :minus',
          ConditionExpression: '#state = :claimed AND #claim = :cid AND #tries > :one',
          ExpressionAttributeNames: { ...names, '#lease': 'leaseUntil' },
          ExpressionAttributeValues: { ':claimed': 'claimed', ':unknown': 'unknown', ':cid': claimId, ':one': 1, ':zero': 0, ':minus': -1 },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw new LedgerError('ledger release failed', { cause: error });
    }
  }

  async get(key: LedgerKey): Promise<LedgerEntry | null> {
    let out;
    try {
      out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: ledgerKeys(key), ConsistentRead: true }));
    } catch (error) {
      throw new LedgerError('ledger read failed', { cause: error });
    }
    const item = out.Item as LedgerItem | undefined;
    return item ? entryOf(item) : null;
  }

  async recordMailEvent(key: LedgerKey, record: MailEventRecord): Promise<'recorded' | 'duplicate' | 'unknown'> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerKeys(key),
          UpdateExpression: 'SET #event = :event',
          // Only on an entry the run made, and only the first event of its kind: a redelivery changes nothing.
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#event)',
          ExpressionAttributeNames: { '#event': record.kind },
          ExpressionAttributeValues: { ':event': record.event },
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!isConditionFailure(error)) throw new LedgerError(`ledger ${record.kind} write failed`, { cause: error });
    }
    return (await this.get(key)) ? 'duplicate' : 'unknown';
  }

  async runEntries(runId: string): Promise<LedgerEntry[]> {
    const items = await queryAll(
      this.doc,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ledgerKeys({ runId, subscriberId: '' }).pk },
        ConsistentRead: true,
      },
      (error) => new LedgerError('ledger read failed', { cause: error }),
    );
    return items.map((item) => entryOf(item as unknown as LedgerItem));
  }
}

/** A stored ledger item as the port's entry. */
function entryOf(item: LedgerItem): LedgerEntry {
  return {
    runId: item.runId,
    subscriberId: item.subscriberId,
    state: item.state,
    updatedAt: item.updatedAt,
    ...(item.claimId !== undefined ? { claimId: item.claimId } : {}),
    ...(item.leaseUntil !== undefined ? { leaseUntil: item.leaseUntil } : {}),
    ...(item.tries !== undefined ? { tries: item.tries } : {}),
    ...(item.messageId !== undefined ? { messageId: item.messageId } : {}),
    ...(item.reason !== undefined ? { reason: item.reason } : {}),
    ...(item.bounce !== undefined ? { bounce: item.bounce } : {}),
    ...(item.complaint !== undefined ? { complaint: item.complaint } : {}),
  };
}
