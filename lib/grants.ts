import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../lambda/shared/table.ts';
import { acknowledge, arnFinding } from './nag-suppressions.ts';

/**
 * Narrow grants. CDK's grantRead/grantReadWriteData hand out families (`s3:GetObject*`,
 * `s3:List*`, `dynamodb:Scan`, every index); these grant the exact actions the handlers call.
 */

/** Item-level DynamoDB actions; the handlers never Scan, batch or transact. */
export type ItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

/** DynamoDB access a function needs. */
export interface TableAccess {
  /** Item actions on the table (the stores use conditional Put/Update/Delete for every state change). */
  readonly items: readonly ItemAction[];
  /**
   * Query on the byFrequency index only (confirmed subscribers by frequency, articles waiting in a
   * digest queue); no store queries the base table.
   * @default false
   */
  readonly queryIndex?: boolean;
}

/** Grant exactly the DynamoDB actions of `access` on `table`, and Query on the byFrequency index if asked. */
export function grantTable(table: TableV2, grantee: IGrantable, access: TableAccess): void {
  if (access.items.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: access.items.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }),
    );
  }
  if (access.queryIndex) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${TABLE_KEYS.gsi.name}`] }),
    );
  }
}

/** S3 access to the objects under one prefix. */
export interface ObjectAccess {
  /** GetObject, plus ListBucket limited to the prefix so a missing key reads as 404, not 403. */
  readonly read?: boolean;
  /** PutObject. */
  readonly write?: boolean;
}

/** Grant object reads and/or writes under `prefix` (e.g. `issues/`) of `bucket`, and nothing else. */
export function grantObjects(bucket: Bucket, grantee: IGrantable, prefix: string, access: ObjectAccess): void {
  const actions = [...(access.read ? ['s3:GetObject'] : []), ...(access.write ? ['s3:PutObject'] : [])];
  if (actions.length === 0) return;
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [bucket.arnForObjects(`${prefix}*`)] }));
  if (grantee.grantPrincipal instanceof Construct) {
    acknowledge(
      grantee.grantPrincipal,
      arnFinding(grantee.grantPrincipal, bucket, `/${prefix}*`),
      `S3 object ARNs express a key prefix with a trailing wildcard: this grants ${actions.join(' and ')} below ${prefix} only.`,
    );
  }
  if (access.read) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      }),
    );
  }
}
