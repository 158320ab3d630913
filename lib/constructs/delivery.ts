import { Duration, Stack, TimeZone, type RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType, type Bucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Schedule, ScheduleExpression, ScheduleTargetInput, ContextAttribute } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { checkDeliveryTiming, type DigestFrequency } from '../config.ts';
import { SENDER_RESERVE_MS } from '../../lambda/shared/delivery/timing.ts';
import { grantObjects, grantTable } from '../grants.ts';
import { acknowledge, arnFinding } from '../nag-suppressions.ts';
import { environmentFor, type DeliveryEnvKey, type EnvKey } from '../environment.ts';
import { HouseFunction } from './house-function.ts';
import type { Mail } from './mail.ts';
import { ARTICLES_PREFIX, ISSUES_PREFIX } from './data.ts';

/** Recipients per send job (MAX_RECIPIENTS_PER_JOB in lambda/shared/delivery/ports.ts). */
const RECIPIENTS_PER_JOB = 50;
/** The sender's timeout; a batch that cannot finish in time is cut at a deadline and partly retried. */
export const SENDER_TIMEOUT = Duration.minutes(5);
/** The ingest function's timeout: parse, analyse, store, and the alert fan-out (resumed by Lambda's retry). */
export const INGEST_TIMEOUT = Duration.minutes(2);
/** The digest function's timeout, the full Lambda limit: a run that still times out resumes from its checkpoint next time. */
export const DIGEST_TIMEOUT = Duration.minutes(15);
/** AWS's guidance for SQS event sources: visibility timeout at least six times the function timeout. */
export const SEND_QUEUE_VISIBILITY = Duration.seconds(SENDER_TIMEOUT.toSeconds() * 6);
/** Receives of one job before it is parked in the dead-letter queue. */
export const SEND_MAX_RECEIVE_COUNT = 5;

/**
 * SQS batch size such that a full batch (50 recipients a job) fits in half the sender's timeout at
 * one instance's share of the rate, so a healthy batch never hits the deadline. Between 1 and 10.
 */
export function senderBatchSize(maxSendRate: number, senderConcurrency: number): number {
  const perInstanceRate = maxSendRate / senderConcurrency;
  const jobsInHalfTimeout = Math.floor((SENDER_TIMEOUT.toSeconds() / 2) * perInstanceRate / RECIPIENTS_PER_JOB);
  return Math.min(10, Math.max(1, jobsInHalfTimeout));
}

/** Settings every delivery function shares. */
export interface FunctionDefaults {
  /** Log retention of every function. */
  readonly logRetention: RetentionDays;
  /** Removal policy of every function's log group. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** Powertools log level. */
  readonly logLevel: string;
}

export interface DeliveryProps {
  readonly table: TableV2;
  readonly bucket: Bucket;
  readonly signingKey: Secret;
  readonly mail: Mail;
  /** Values of the variables that do not come from this construct (table name, sender, URL...). */
  readonly environment: Readonly<Omit<Record<EnvKey, string>, DeliveryEnvKey>>;
  /** Digest schedules by frequency: an EventBridge Scheduler cron and IANA time zone. */
  readonly schedules: Readonly<Partial<Record<DigestFrequency, { readonly cron: string; readonly timeZone: string }>>>;
  /** The SES account's MaxSendRate, shared by all sender instances. */
  readonly maxSendRate: number;
  /** Sender instances at once (the event source's maximum concurrency, at least 2). */
  readonly senderConcurrency: number;
  /** Keyword rules per topic, JSON-encoded into TOPIC_RULES. */
  readonly topicRules: Readonly<Record<string, readonly string[]>>;
  /** Articles shown in full per digest. */
  readonly digestMaxFullArticles: number;
  readonly functionDefaults: FunctionDefaults;
  /** Hooks that copy templates/ next to the bundle of the functions that render MJML. */
  readonly renderingHooks: ICommandHooks;
  /** Entry modules of the three delivery functions. */
  readonly entries: Readonly<Record<'ingest' | 'digest' | 'sender', string>>;
}

/**
 * The delivery pipeline: an article landing under `articles/` runs ingest (store, immediate
 * alerts); a schedule per frequency runs the digest; both put send jobs on an encrypted SQS queue
 * whose consumer, the sender, mails each recipient once through SES at a bounded rate.
 * Asynchronous invocations that fail after Lambda's retries are parked in `failedInvocations`.
 */
export class Delivery extends Construct {
  public readonly sendQueue: Queue;
  /** Send jobs that failed SEND_MAX_RECEIVE_COUNT times. */
  public readonly sendDeadLetterQueue: Queue;
  /** Events of ingest, digest and mail-events that failed every asynchronous attempt. */
  public readonly failedInvocations: Queue;
  public readonly ingest: HouseFunction;
  public readonly digest: HouseFunction;
  public readonly sender: HouseFunction;
  public readonly schedules: Partial<Record<DigestFrequency, Schedule>> = {};
  /** Every environment value, the caller's plus this construct's (queue URL, bucket, rates...). */
  public readonly environment: Readonly<Record<EnvKey, string>>;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const { table, bucket, mail, signingKey, functionDefaults } = props;
    checkDeliveryTiming({
      reserveMs: SENDER_RESERVE_MS,
      functionTimeoutMs: SENDER_TIMEOUT.toMilliseconds(),
      visibilityTimeoutMs: SEND_QUEUE_VISIBILITY.toMilliseconds(),
    });

    this.sendDeadLetterQueue = new Queue(this, 'SendDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.sendQueue = new Queue(this, 'SendQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: SEND_QUEUE_VISIBILITY,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.sendDeadLetterQueue, maxReceiveCount: SEND_MAX_RECEIVE_COUNT },
    });
    this.failedInvocations = new Queue(this, 'FailedInvocations', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const values: Record<EnvKey, string> = {
      ...props.environment,
      BUCKET_NAME: bucket.bucketName,
      SEND_QUEUE_URL: this.sendQueue.queueUrl,
      CONFIGURATION_SET: mail.configurationSet.configurationSetName,
      MAX_SEND_RATE: String(props.maxSendRate),
      SENDER_CONCURRENCY: String(props.senderConcurrency),
      TOPIC_RULES: JSON.stringify(props.topicRules),
      DIGEST_MAX_FULL_ARTICLES: String(props.digestMaxFullArticles),
    };
    this.environment = values;
    const common = {
      logRetention: functionDefaults.logRetention,
      logRemovalPolicy: functionDefaults.logRemovalPolicy,
      logLevel: functionDefaults.logLevel,
    };

    this.ingest = new HouseFunction(this, 'Ingest', {
      ...common,
      description: 'newsbrief: parse and analyse an uploaded article, store it, send immediate alerts',
      entry: props.entries.ingest,
      memorySize: 1024, // NLP analysis is CPU-bound; Lambda CPU scales with memory
      timeout: INGEST_TIMEOUT,
      deadLetterQueue: this.failedInvocations,
      retryAttempts: 2,
      bundling: { commandHooks: props.renderingHooks },
      environment: environmentFor('ingest', values),
    });
    bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.ingest), { prefix: ARTICLES_PREFIX });
    grantObjects(bucket, this.ingest, ARTICLES_PREFIX, { read: true });
    grantObjects(bucket, this.ingest, ISSUES_PREFIX, { read: true, write: true });
    // Articles and their digest queue entries (Get/Put), alert runs (Get/Put/Update), the alert's audience (Query).
    grantTable(table, this.ingest, { items: ['GetItem', 'PutItem', 'UpdateItem'], queryIndex: true });
    this.sendQueue.grantSendMessages(this.ingest);

    this.digest = new HouseFunction(this, 'Digest', {
      ...common,
      description: 'newsbrief: render the scheduled digest, archive it, enqueue send jobs for its audience',
      entry: props.entries.digest,
      memorySize: 1024,
      timeout: DIGEST_TIMEOUT,
      deadLetterQueue: this.failedInvocations,
      retryAttempts: 2,
      bundling: { commandHooks: props.renderingHooks },
      environment: environmentFor('digest', values),
    });
    grantObjects(bucket, this.digest, ISSUES_PREFIX, { read: true, write: true });
    // Runs, checkpoints and the lock (Get/Put/Update), carrying queued articles (Update), the queue and the audience (Query).
    grantTable(table, this.digest, { items: ['GetItem', 'PutItem', 'UpdateItem'], queryIndex: true });
    this.sendQueue.grantSendMessages(this.digest);

    // One role for every digest schedule, allowed to invoke only the digest function.
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    acknowledge(
      schedulerRole,
      arnFinding(schedulerRole, this.digest, ':*'),
      'Added by the scheduler target\'s grantInvoke: the digest function and its versions/aliases (function ARN + ":*"), never any other function.',
    );
    for (const [frequency, schedule] of Object.entries(props.schedules) as [DigestFrequency, { cron: string; timeZone: string }][]) {
      this.schedules[frequency] = new Schedule(this, `${capitalise(frequency)}Schedule`, {
        description: `newsbrief ${frequency} digest`,
        schedule: ScheduleExpression.expression(schedule.cron, TimeZone.of(schedule.timeZone)),
        target: new LambdaInvoke(this.digest, {
          role: schedulerRole,
          // The digest derives its run id from the scheduled time, so a redelivered event is one run.
          input: ScheduleTargetInput.fromObject({ frequency, scheduledTime: ContextAttribute.scheduledTime }),
          retryAttempts: 3,
          maxEventAge: Duration.hours(6),
          // An invocation Scheduler could not make after its retries is parked with the others.
          deadLetterQueue: this.failedInvocations,
        }),
      });
    }

    this.sender = new HouseFunction(this, 'Sender', {
      ...common,
      description: 'newsbrief: send each recipient of a send job once through SES, at a bounded rate',
      entry: props.entries.sender,
      memorySize: 512,
      timeout: SENDER_TIMEOUT,
      environment: environmentFor('sender', values),
    });
    this.sender.addEventSource(
      new SqsEventSource(this.sendQueue, {
        batchSize: senderBatchSize(props.maxSendRate, props.senderConcurrency),
        maxConcurrency: props.senderConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    grantObjects(bucket, this.sender, ISSUES_PREFIX, { read: true });
    // Subscriber status (Get) and the delivery ledger: claim (Put), mark (Update), release (Delete).
    grantTable(table, this.sender, { items: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] });
    signingKey.grantRead(this.sender);
    mail.grantSendRaw(this.sender);
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
