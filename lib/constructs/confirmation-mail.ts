import { Duration } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { grantTable } from '../grants.ts';
import type { FunctionDefaults } from './delivery.ts';
import { HouseFunction } from './house-function.ts';
import type { Mail } from './mail.ts';

/** The worker's timeout: a batch of 10 confirmation mails, each one SES call of at most 5 s. */
export const CONFIRM_WORKER_TIMEOUT = Duration.seconds(60);
/** AWS's guidance for SQS event sources: visibility timeout at least six times the function timeout. */
export const CONFIRM_QUEUE_VISIBILITY = Duration.seconds(CONFIRM_WORKER_TIMEOUT.toSeconds() * 6);
/** Receives of one job before it is parked in the dead-letter queue (about 30 minutes of retries). */
export const CONFIRM_MAX_RECEIVE_COUNT = 5;
/** Jobs per invocation. */
export const CONFIRM_BATCH_SIZE = 10;
/** Worker instances at once: SQS's minimum, so confirmation mail takes a small share of the SES rate. */
export const CONFIRM_MAX_CONCURRENCY = 2;

export interface ConfirmationMailWorkerProps {
  /** Entry module of the worker (lambda/confirm-mail/handler.ts). */
  readonly entry: string;
  /** Its environment (lib/environment.ts `environmentFor('confirm-mail', …)`). */
  readonly environment: Record<string, string>;
  readonly table: TableV2;
  readonly signingKey: Secret;
  readonly mail: Mail;
  readonly functionDefaults: FunctionDefaults;
}

/**
 * The confirmation-mail queue (issue 11): POST /subscribe stores the request and queues its id, and a
 * small worker drains the queue and does the state-dependent work (find or create the subscriber, the
 * per-address and per-mailbox limits, SES), so the API answers every address in the same time.
 * The queue is made first, because the subscribe function's environment needs its URL; `addWorker`
 * adds the consumer once the stack's environment is complete. Encrypted (SQS-managed), TLS only, with
 * a dead-letter queue that the stack's alarms watch.
 */
export class ConfirmationMail extends Construct {
  public readonly queue: Queue;
  /** Jobs that failed CONFIRM_MAX_RECEIVE_COUNT times. */
  public readonly deadLetterQueue: Queue;
  /** Set by addWorker. */
  public worker?: HouseFunction;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: CONFIRM_QUEUE_VISIBILITY,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: CONFIRM_MAX_RECEIVE_COUNT },
    });
  }

  /** Allow `grantee` (the subscribe function) to queue jobs: sqs:SendMessage on this queue, nothing else. */
  grantEnqueue(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
  }

  /** Create the worker that drains the queue, with exactly the access it needs. */
  addWorker(props: ConfirmationMailWorkerProps): HouseFunction {
    const { functionDefaults } = props;
    const worker = new HouseFunction(this, 'Worker', {
      logRetention: functionDefaults.logRetention,
      logRemovalPolicy: functionDefaults.logRemovalPolicy,
      logLevel: functionDefaults.logLevel,
      description: 'newsbrief: confirmation mail for queued subscribe requests (double opt-in)',
      entry: props.entry,
      timeout: CONFIRM_WORKER_TIMEOUT,
      environment: props.environment,
    });
    worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: CONFIRM_BATCH_SIZE,
        maxConcurrency: CONFIRM_MAX_CONCURRENCY,
        reportBatchItemFailures: true,
      }),
    );
    // Requests (Get, Delete once handled), subscribers and lookups (Get, conditional Put), mailbox limits (conditional Put/Delete).
    grantTable(props.table, worker, { items: ['GetItem', 'PutItem', 'DeleteItem'] });
    props.signingKey.grantRead(worker);
    props.mail.grantSendRaw(worker);
    this.worker = worker;
    return worker;
  }
}
