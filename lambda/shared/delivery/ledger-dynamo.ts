import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  LEDGER_RETENTION_SECONDS,
  LedgerError,
  ledgerKeys,
  type ClaimOptions,
  type ClaimResult,
  type DeliveryLedger,
  type LedgerEntry,
  type LedgerKey,
  type LedgerState,
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
  messageId?: string;
  reason?: string;
  updatedAt: number;
  expiresAt: number;
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
export class DynamoLedger implements DeliveryLedger {
  constructor(
    private readonly doc: LedgerDynamoClient,
    private readonly tableName: string,
  ) {}

  async claim(key: LedgerKey, { claimId, now, leaseMs }: ClaimOptions): Promise<ClaimResult> {
    const item: LedgerItem = {
      ...ledgerKeys(key),
      runId: key.runId,
      subscriberId: key.subscriberId,
      state: 'claimed',
      claimId,
      leaseUntil: now + leaseMs,
      updatedAt: now,
      expiresAt: Math.floor(now / 1000) + LEDGER_RETENTION_SECONDS,
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          // New, or a claim whose lease has run out (its holder crashed). A final state never changes.
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :claimed AND #lease < :now)',
          ExpressionAttributeNames: { '#state': 'state', '#lease': 'leaseUntil' },
          ExpressionAttributeValues: { ':claimed': 'claimed', ':now': now },
        }),
      );
      return { outcome: 'claimed' };
    } catch (error) {
      if (!isConditionFailure(error)) throw new LedgerError('ledger claim failed', { cause: error });
    }
    const existing = await this.get(key);
    if (!existing) {
      // Released between our write and our read: report a live lease so the job retries shortly.
      return { outcome: 'leased', leaseUntil: now };
    }
    if (existing.state === 'claimed') return { outcome: 'leased', leaseUntil: existing.leaseUntil ?? now };
    return { outcome: 'done', state: existing.state };
  }

  private async finish(
    key: LedgerKey,
    claimId: string,
    state: 'sent' | 'rejected',
    detail: { messageId?: string; reason?: string },
    now: number,
  ): Promise<boolean> {
    const names: Record<string, string> = { '#state': 'state', '#claim': 'claimId', '#lease': 'leaseUntil', '#u': 'updatedAt' };
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
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerKeys(key),
          UpdateExpression: `SET ${set} REMOVE #lease`,
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

  async release(key: LedgerKey, claimId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: ledgerKeys(key),
          ConditionExpression: '#state = :claimed AND #claim = :cid',
          ExpressionAttributeNames: { '#state': 'state', '#claim': 'claimId' },
          ExpressionAttributeValues: { ':claimed': 'claimed', ':cid': claimId },
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
    if (!item) return null;
    return {
      runId: item.runId,
      subscriberId: item.subscriberId,
      state: item.state,
      updatedAt: item.updatedAt,
      ...(item.claimId !== undefined ? { claimId: item.claimId } : {}),
      ...(item.leaseUntil !== undefined ? { leaseUntil: item.leaseUntil } : {}),
      ...(item.messageId !== undefined ? { messageId: item.messageId } : {}),
      ...(item.reason !== undefined ? { reason: item.reason } : {}),
    };
  }
}
