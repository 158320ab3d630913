import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SESClient } from '@aws-sdk/client-ses';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { deliveryEnvSchema, readEnv } from '../shared/config.ts';
import { systemClock, type Clock } from '../shared/delivery/clock.ts';
import { createIssueComposer } from '../shared/delivery/composer.ts';
import { DynamoLedger } from '../shared/delivery/ledger-dynamo.ts';
import type { DeliveryLedger } from '../shared/delivery/ledger.ts';
import { DynamoRunStore } from '../shared/delivery/runs-dynamo.ts';
import type { AlreadySentRecorder } from '../shared/delivery/runs.ts';
import { sendJobSchema, type BlobStore } from '../shared/delivery/ports.ts';
import type { Mailer } from '../shared/mailer.ts';
import { instanceRate, TokenBucket } from '../shared/delivery/rate-limiter.ts';
import { S3BlobStore } from '../shared/delivery/s3-blobs.ts';
import { SqsPostponer, stoppedJobDelaySeconds, type HeldMessage, type Postponer } from '../shared/delivery/sqs-postpone.ts';
import { outcomeTotals, powertoolsSendMetrics, type SendMetrics } from '../shared/delivery/metrics.ts';
import { createSender, type BatchItem, type BatchReport, type MessageComposer, type SenderService } from '../shared/delivery/sender.ts';
import { powertoolsLog, type Log } from '../shared/logger.ts';
import {
  AFTER_DEADLINE_MS,
  DYNAMO_MAX_ATTEMPTS,
  DYNAMO_REQUEST_TIMEOUT_MS,
  LEASE_MARGIN_MS,
  LEDGER_CALL_MS,
  SENDER_RESERVE_MS,
  SES_MAX_ATTEMPTS,
  SES_REQUEST_TIMEOUT_MS,
} from '../shared/delivery/timing.ts';
import { createSesMailer } from '../shared/ses-mailer.ts';
import { parseRecord } from '../shared/sqs-record.ts';
import { keyringLoader } from '../shared/signing-keys.ts';
import { createDynamoSubscriberStore } from '../shared/subscriptions/dynamo-store.ts';
import type { SubscriberReader } from '../shared/subscriptions/store.ts';
import { lazy } from '../shared/lazy.ts';

/**
 * Lambda entry point of the sender: an SQS event source (batch size ≤ 10, ReportBatchItemFailures)
 * of send jobs. It parses each job, hands the batch to the sender service and reports the failed
 * messages only, so SQS redelivers just those; the delivery ledger makes a redelivered job skip the
 * recipients already sent. A message that is not a valid job is reported failed too, so after
 * maxReceiveCount receives it lands in the dead-letter queue for inspection instead of vanishing.
 *
 * Nothing is built at import: the environment is read and the clients are made on the first invocation
 * and kept for the container's life, with the token bucket (this instance's share of the SES rate).
 */

/** The sender's environment: the delivery variables it uses, plus its own tuning. */
export const senderEnvSchema = deliveryEnvSchema
  .pick({
    TABLE_NAME: true,
    BUCKET_NAME: true,
    NEWSLETTER_NAME: true,
    SENDER_ADDRESS: true,
    SENDER_NAME: true,
    PUBLIC_URL: true,
    CONFIGURATION_SET: true,
    MAX_SEND_RATE: true,
    SENDER_CONCURRENCY: true,
    SIGNING_KEY_SECRET_ARN: true,
    SIGNING_KEYRING: true,
  })
  .extend({
    /**
     * The send queue, to hold jobs back while SES cannot send (sqs-postpone.ts). Only an SQS URL
     * (https://…) is used; the local runners' in-process queue has no visibility to change.
     */
    SEND_QUEUE_URL: z.string().min(1).optional(),
    /**
     * Recipients in flight at once per instance (SES latency hides behind it; the bucket still caps the
     * rate). Default: enough for ~100 ms per send at this instance's rate, between 4 and 32.
     */
    SENDER_PARALLELISM: z.coerce.number().int().min(1).max(50).optional(),
    /**
     * Stop starting sends when this little of the invocation is left. It must cover an SES call started
     * at that moment plus the ledger write recording it (timing.ts), so nothing is in flight at Lambda's limit.
     */
    SENDER_RESERVE_SECONDS: z.coerce
      .number()
      .positive()
      .default(SENDER_RESERVE_MS / 1000)
      .refine((s) => s * 1000 > AFTER_DEADLINE_MS, {
        message: `must exceed ${AFTER_DEADLINE_MS / 1000} s: the SES request timeout (${SES_REQUEST_TIMEOUT_MS} ms) plus a ledger write (${LEDGER_CALL_MS} ms)`,
      }),
  });
export type SenderEnv = z.infer<typeof senderEnvSchema>;

/** In-flight sends that keep `rate`/s going at ~100 ms per send (Little's law), within [4, 32]. */
export function defaultParallelism(rate: number): number {
  return Math.min(32, Math.max(4, Math.ceil(rate / 10)));
}

export interface SenderRuntime {
  readonly sender: SenderService;
  readonly clock: Clock;
  readonly log: Log;
  readonly reserveMs: number;
  /** Hides jobs SES cannot send now (daily quota, paused), so they outwait it instead of dead-lettering. */
  readonly postponer?: Postponer;
  /** Each batch's outcomes (the Lambda: Powertools Metrics, EMF; local runs: none). */
  readonly metrics?: SendMetrics;
}

/** Ports a local runner or a test substitutes (S3 has no stand-in locally; faults are injected here). */
export interface SenderOverrides {
  readonly blobs?: BlobStore;
  /** Replaces the issue composer (the fault tests compose tiny messages, not the real MIME). */
  readonly composer?: MessageComposer;
  readonly mailer?: Mailer;
  readonly ledger?: DeliveryLedger;
  readonly jobRecords?: AlreadySentRecorder;
  readonly subscribers?: Pick<SubscriberReader, 'get'>;
  readonly clock?: Clock;
  readonly log?: Log;
  readonly postponer?: Postponer;
  readonly metrics?: SendMetrics;
}

/**
 * The sender's SES client settings: one attempt per send (an SDK retry after a lost answer would be an
 * uncounted second copy; throttling is retried by the sender's own backoff, through the token bucket)
 * and a request timeout that bounds each call.
 */
export function senderSesClientConfig(): { maxAttempts: number; requestHandler: { requestTimeout: number; throwOnRequestTimeout: true } } {
  return { maxAttempts: SES_MAX_ATTEMPTS, requestHandler: { requestTimeout: SES_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true } };
}

/** Build the sender from the environment; clients honour AWS_ENDPOINT_URL_* (how local runs reach the stand-ins). */
export function senderRuntime(env: Record<string, string | undefined> = process.env, overrides: SenderOverrides = {}): SenderRuntime {
  const config = readEnv(senderEnvSchema, env);
  const clock = overrides.clock ?? systemClock;
  const log = overrides.log ?? powertoolsLog;
  // Every AWS call is bounded (timing.ts), so the reserve covers what can still run after the deadline.
  const dynamo = new DynamoDBClient({
    maxAttempts: DYNAMO_MAX_ATTEMPTS,
    requestHandler: { requestTimeout: DYNAMO_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const ses = new SESClient(senderSesClientConfig());
  const keyring = keyringLoader(config, () => new SecretsManagerClient({}));
  const sender = createSender({
    subscribers: overrides.subscribers ?? createDynamoSubscriberStore({ doc, tableName: config.TABLE_NAME }),
    ledger: overrides.ledger ?? new DynamoLedger(doc, config.TABLE_NAME),
    jobRecords: overrides.jobRecords ?? new DynamoRunStore(doc, config.TABLE_NAME),
    composer:
      overrides.composer ??
      createIssueComposer({
        blobs: overrides.blobs ?? new S3BlobStore(new S3Client({}), config.BUCKET_NAME),
        from: { name: config.SENDER_NAME, address: config.SENDER_ADDRESS },
        publicUrl: config.PUBLIC_URL,
        keyring,
        clock,
      }),
    mailer: overrides.mailer ?? createSesMailer(ses, { from: config.SENDER_ADDRESS, configurationSet: config.CONFIGURATION_SET }),
    permit: new TokenBucket(instanceRate(config.MAX_SEND_RATE, config.SENDER_CONCURRENCY), clock),
    clock,
    log,
    leaseMs: 15 * 60_000 + LEASE_MARGIN_MS,
    parallelism: config.SENDER_PARALLELISM ?? defaultParallelism(instanceRate(config.MAX_SEND_RATE, config.SENDER_CONCURRENCY)),
  });
  const queueUrl = config.SEND_QUEUE_URL?.startsWith('https://') ? config.SEND_QUEUE_URL : undefined;
  const postponer = overrides.postponer ?? (queueUrl ? new SqsPostponer(new SQSClient({}), queueUrl) : undefined);
  return {
    sender,
    clock,
    log,
    reserveMs: config.SENDER_RESERVE_SECONDS * 1000,
    ...(postponer ? { postponer } : {}),
    ...(overrides.metrics ? { metrics: overrides.metrics } : {}),
  };
}

export type SenderHandler = (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SQSBatchResponse>;

/**
 * Build the SQS handler over a runtime (the Lambda builds it from the environment; npm start and tests
 * pass their own). `onReport` sees each batch's counts (the local runner's summary); the Lambda
 * response itself carries only batchItemFailures, the shape SQS's ReportBatchItemFailures expects.
 */
export function createSenderHandler(
  runtime: () => Promise<SenderRuntime>,
  options: { readonly onReport?: (report: BatchReport) => void } = {},
): SenderHandler {
  return async (event, context) => {
    const rt = await runtime();
    const remaining = context?.getRemainingTimeInMillis?.() ?? 15 * 60_000;
    const start = rt.clock.now();
    const items: BatchItem[] = [];
    const invalid: string[] = [];
    for (const record of event.Records ?? []) {
      const job = parseRecord(record, sendJobSchema);
      if (job.success) {
        items.push({ id: record.messageId, job: job.data, receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1) });
      } else {
        rt.log.error('not a send job; it will reach the dead-letter queue', {
          messageId: record.messageId,
          receiveCount: record.attributes?.ApproximateReceiveCount,
          reason: job.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
        });
        invalid.push(record.messageId);
      }
    }
    const report = await rt.sender.sendBatch(items, {
      deadline: start + remaining - rt.reserveMs,
      hardStop: start + remaining,
      // The lease outlives this invocation, so no redelivery can take over a claim while we still hold it.
      leaseMs: remaining + LEASE_MARGIN_MS,
    });
    if (report.stopped) rt.log.warn('send batch stopped early', { reason: report.stopped, failed: report.failedItemIds.length });
    if (report.stopped === 'quota-exceeded' || report.stopped === 'sending-paused') await postpone(rt, event, report.failedItemIds);
    if (rt.metrics) {
      rt.metrics.recipients(outcomeTotals(report));
      rt.metrics.flush();
    }
    options.onReport?.(report);
    return { batchItemFailures: [...invalid, ...report.failedItemIds].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/**
 * SES cannot send for hours: hide the unsent jobs for longer than the queue's visibility timeout, so
 * their few receives outlast the stop. A failure here only means they come back sooner.
 */
async function postpone(rt: SenderRuntime, event: SQSEvent, failedIds: readonly string[]): Promise<void> {
  if (!rt.postponer || failedIds.length === 0) return;
  const failed = new Set(failedIds);
  const held: HeldMessage[] = (event.Records ?? [])
    .filter((r) => failed.has(r.messageId))
    .map((r) => ({
      messageId: r.messageId,
      receiptHandle: r.receiptHandle,
      delaySeconds: stoppedJobDelaySeconds(Number(r.attributes?.ApproximateReceiveCount ?? 1)),
    }));
  try {
    const notHeld = await rt.postponer.postpone(held);
    rt.log.info('unsent jobs held back until SES can send', { jobs: held.length, notHeld, delaySeconds: held[0]?.delaySeconds });
  } catch (error) {
    rt.log.warn('could not hold the unsent jobs back; they return after the visibility timeout', { errorName: (error as Error)?.name });
  }
}

/** The Lambda handler: its outcomes go to CloudWatch as EMF (the stack's dashboard). */
export const handler = createSenderHandler(lazy(() => senderRuntime(process.env, { metrics: powertoolsSendMetrics() })));
