import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { baseEnvSchema, readEnv } from '../shared/config.ts';
import { lazy } from '../shared/lazy.ts';
import { powertoolsLog, type Log } from '../shared/logger.ts';
import type { Mailer } from '../shared/mailer.ts';
import { createSesMailer } from '../shared/ses-mailer.ts';
import { parseRecord } from '../shared/sqs-record.ts';
import { keyringLoader } from '../shared/signing-keys.ts';
import { createConfirmationComposer } from '../shared/subscriptions/confirmation-mail.ts';
import { createConfirmationWorker, type ConfirmationWorker } from '../shared/subscriptions/confirmations.ts';
import { createDynamoSubscriberStore } from '../shared/subscriptions/dynamo-store.ts';
import { confirmationJobSchema } from '../shared/subscriptions/requests.ts';
import type { SubscriberStore } from '../shared/subscriptions/store.ts';

/**
 * Lambda entry point of the confirmation worker: an SQS event source on the confirmation queue
 * (ReportBatchItemFailures). Each message names one subscribe request the API stored; the worker
 * handles the records one after another and reports the failed ones only, so SQS retries just those
 * and parks a message in the dead-letter queue after its last receive. Nothing is built at import.
 */

/** The worker's environment, checked at cold start. */
export const confirmMailEnvSchema = baseEnvSchema
  .pick({
    TABLE_NAME: true,
    NEWSLETTER_NAME: true,
    SENDER_ADDRESS: true,
    SENDER_NAME: true,
    POSTAL_ADDRESS: true,
    PUBLIC_URL: true,
    SIGNING_KEY_SECRET_ARN: true,
    SIGNING_KEYRING: true,
  })
  .extend({
    /** SES configuration set for confirmation mail (bounce/complaint events). Optional locally. */
    CONFIGURATION_SET: z.string().min(1).optional(),
  })
  .refine((env) => env.SIGNING_KEY_SECRET_ARN !== undefined || env.SIGNING_KEYRING !== undefined, {
    message: 'set SIGNING_KEY_SECRET_ARN (AWS) or SIGNING_KEYRING (local)',
    path: ['SIGNING_KEY_SECRET_ARN'],
  });

/** How long one SendRawEmail may take before it counts as an unknown outcome. */
export const CONFIRM_SES_TIMEOUT_MS = 5_000;

/**
 * The SES client of the confirmation worker. maxAttempts 1: an SDK retry after a timeout or a reset
 * would send a mail SES may already have taken (three mails from one request behind a slow SES); the
 * worker decides instead, from what the failure proves (send-outcome.ts). A bounded request time,
 * because the SES emulator never answers the actions it lacks.
 */
export function confirmationSesClient(requestTimeoutMs = CONFIRM_SES_TIMEOUT_MS): SESClient {
  return new SESClient({ maxAttempts: 1, requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } });
}

export interface ConfirmMailRuntime {
  readonly worker: ConfirmationWorker;
  readonly log: Log;
}

/** Ports a local runner or a test substitutes. */
export interface ConfirmMailOverrides {
  readonly store?: SubscriberStore;
  readonly mailer?: Mailer;
  readonly clock?: () => Date;
  readonly log?: Log;
  /** SES request timeout (tests make it short). */
  readonly sesRequestTimeoutMs?: number;
}

/** Build the worker from the environment; clients honour AWS_ENDPOINT_URL_* (how local runs reach the stand-ins). */
export async function confirmMailRuntime(env: Record<string, string | undefined> = process.env, overrides: ConfirmMailOverrides = {}): Promise<ConfirmMailRuntime> {
  const config = readEnv(confirmMailEnvSchema, env);
  const log = overrides.log ?? powertoolsLog;
  const keyring = await keyringLoader(config, () => new SecretsManagerClient({}))();
  const store =
    overrides.store ??
    createDynamoSubscriberStore({
      doc: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
      tableName: config.TABLE_NAME,
    });
  const mailer =
    overrides.mailer ??
    createSesMailer(confirmationSesClient(overrides.sesRequestTimeoutMs), {
      from: config.SENDER_ADDRESS,
      ...(config.CONFIGURATION_SET ? { configurationSet: config.CONFIGURATION_SET } : {}),
    });
  const worker = createConfirmationWorker({
    store,
    mailer,
    composer: createConfirmationComposer({
      newsletterName: config.NEWSLETTER_NAME,
      postalAddress: config.POSTAL_ADDRESS,
      from: { name: config.SENDER_NAME, address: config.SENDER_ADDRESS },
    }),
    keyring,
    publicUrl: config.PUBLIC_URL,
    ...(overrides.clock ? { clock: overrides.clock } : {}),
    log,
  });
  return { worker, log };
}

export type ConfirmMailHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** Build the SQS handler over a runtime (the Lambda builds it from the environment; serve and tests pass their own). */
export function createConfirmMailHandler(runtime: () => Promise<ConfirmMailRuntime>): ConfirmMailHandler {
  return async (event) => {
    const { worker, log } = await runtime();
    const failed: string[] = [];
    for (const record of event.Records ?? []) {
      const job = parseRecord(record, confirmationJobSchema);
      if (!job.success) {
        log.error('not a confirmation job; it will reach the dead-letter queue', { messageId: record.messageId });
        failed.push(record.messageId);
        continue;
      }
      try {
        await worker.handle(job.data.requestId);
      } catch (error) {
        log.warn('confirmation job failed; the queue retries it', {
          requestId: job.data.requestId,
          receiveCount: record.attributes?.ApproximateReceiveCount,
          errorName: (error as Error)?.name,
        });
        failed.push(record.messageId);
      }
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** The Lambda handler. */
export const handler = createConfirmMailHandler(lazy(() => confirmMailRuntime()));
