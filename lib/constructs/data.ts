import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../../lambda/shared/table.ts';

/** The S3 prefix articles are uploaded under; objects created there trigger ingest. */
export const ARTICLES_PREFIX = 'articles/';
/** The S3 prefix the digest archives rendered issues under. */
export const ISSUES_PREFIX = 'issues/';

export interface DataProps {
  /**
   * What happens to the table and buckets when the stack is deleted. Subscribers and the
   * send ledger are the product's memory, so they are kept unless the operator says otherwise.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The stateful half of the stack: the single DynamoDB table (subscribers, articles, runs, the send
 * ledger; key schema in lambda/shared/table.ts) and the bucket of articles and rendered issues.
 */
export class Data extends Construct {
  /** The single table. */
  public readonly table: TableV2;
  /** Articles (input, under `articles/`) and rendered issues (archive, under `issues/`). */
  public readonly bucket: Bucket;
  /** Server access logs of `bucket`. */
  public readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: DataProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Ledger, lock and rate-limit items expire; correctness never depends on it (see table.ts).
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      // No deletion protection: CloudFormation could not delete the table when a failed first deploy
      // rolls back (DeleteTable refuses), leaving it behind. The retain policy already keeps it on
      // stack delete and replacement; point-in-time recovery and the backup DynamoDB makes when a
      // PITR table is deleted cover a deliberate DeleteTable. README: how to turn it on by hand.
      deletionProtection: false,
      removalPolicy,
      globalSecondaryIndexes: [
        {
          indexName: TABLE_KEYS.gsi.name,
          partitionKey: { name: TABLE_KEYS.gsi.partitionKey, type: AttributeType.STRING },
          sortKey: { name: TABLE_KEYS.gsi.sortKey, type: AttributeType.STRING },
          projectionType: ProjectionType.ALL,
        },
      ],
    });

    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // S3 server access logging can only deliver to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy,
    });

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Cast: aws-cdk-lib declares `isWebsite?: boolean` on Bucket, which exactOptionalPropertyTypes rejects.
      serverAccessLogsBucket: this.accessLogsBucket as IBucket,
      serverAccessLogsPrefix: 'bucket/',
      // Overwritten or deleted articles stay recoverable for a while, not forever.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy,
    });
  }
}
