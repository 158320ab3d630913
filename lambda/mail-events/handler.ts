import type { SNSEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { baseEnvSchema, readEnv } from '../shared/config.ts';
import { systemClock } from '../shared/delivery/clock.ts';
import { DynamoLedger } from '../shared/delivery/ledger-dynamo.ts';
import { createMailEvents, type MailEventsService } from '../shared/delivery/mail-events.ts';
import { powertoolsMailEventMetrics, type MailEventMetrics } from '../shared/delivery/metrics.ts';
import { powertoolsLog, type Log } from '../shared/logger.ts';
import { createDynamoSubscriberStore } from '../shared/subscriptions/dynamo-store.ts';

/**
 * Lambda entry point for SES events (configuration-set event destination → SNS → this function).
 * Malformed records are logged and dropped (a retry cannot fix them); a store failure throws, so
 * Lambda's asynchronous retry (and then the function's failure destination) takes the event again:
 * suppression is idempotent, transient bounces are de-duplicated by feedback id, and a run keeps the
 * first bounce and complaint of each recipient.
 */

export const mailEventsEnvSchema = baseEnvSchema.pick({ TABLE_NAME: true });

/** Build the service from the environment (clients honour AWS_ENDPOINT_URL_DYNAMODB locally). */
export function mailEventsFromEnvironment(
  env: Record<string, string | undefined> = process.env,
  log: Log = powertoolsLog,
  metrics?: MailEventMetrics,
): MailEventsService {
  const config = readEnv(mailEventsEnvSchema, env);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return createMailEvents({
    suppressor: createDynamoSubscriberStore({ doc, tableName: config.TABLE_NAME }),
    runs: new DynamoLedger(doc, config.TABLE_NAME),
    clock: systemClock,
    log,
    ...(metrics ? { metrics } : {}),
  });
}

/** Build the SNS handler over a service factory (tests and local runs pass their own); `metrics` is flushed after each event. */
export function createMailEventsHandler(
  service: () => MailEventsService,
  log: Log = powertoolsLog,
  metrics?: Pick<MailEventMetrics, 'flush'>,
): (event: SNSEvent) => Promise<void> {
  let built: MailEventsService | undefined;
  return async (event) => {
    built ??= service();
    const records: unknown = (event as { Records?: unknown } | null)?.Records;
    if (!Array.isArray(records)) {
      log.warn('mail-events invoked without SNS records; ignored');
      return;
    }
    try {
      const counts = await built.handleRecords(records);
      log.info('mail events handled', counts);
    } finally {
      metrics?.flush();
    }
  };
}

const metrics = powertoolsMailEventMetrics();
/** The Lambda handler: bounces and complaints go to CloudWatch as EMF (the stack's dashboard). */
export const handler = createMailEventsHandler(() => mailEventsFromEnvironment(process.env, powertoolsLog, metrics), powertoolsLog, metrics);
