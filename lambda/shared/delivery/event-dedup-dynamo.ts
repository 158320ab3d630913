import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventDedup } from './mail-events.ts';

/** SNS retries for up to about a day; keep the marker a week (TTL only keeps the table small). */
const RETENTION_SECONDS = 7 * 24 * 3600;

/** Event dedup on the single table: one `MAILEVENT#<id>` item, created with attribute_not_exists. */
export class DynamoEventDedup implements EventDedup {
  constructor(
    private readonly doc: Pick<DynamoDBDocumentClient, 'send'>,
    private readonly tableName: string,
  ) {}

  async firstSeen(eventId: string, now: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `MAILEVENT#${eventId}`, sk: 'EVENT', at: now, expiresAt: Math.floor(now / 1000) + RETENTION_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: unknown })?.name === 'ConditionalCheckFailedException') {
        return false;
      }
      throw error;
    }
  }
}
