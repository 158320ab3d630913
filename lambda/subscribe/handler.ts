import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, readEnv } from '../shared/config.ts';
import { powertoolsLog, type Log } from '../shared/logger.ts';
import { keyringLoader } from '../shared/signing-keys.ts';
import { createDynamoSubscriberStore } from '../shared/subscriptions/dynamo-store.ts';
import type { ConfirmationQueue } from '../shared/subscriptions/requests.ts';
import { createSubscriptionService } from '../shared/subscriptions/service.ts';
import { createSqsConfirmationQueue } from '../shared/subscriptions/sqs-confirmation-queue.ts';
import { lazyHandler } from '../shared/http.ts';
import { createApp, type App } from './app.ts';
import { subscribeEnvSchema } from './config.ts';

/**
 * Lambda entry point of the subscribe API. Everything is built on the first invocation (cold start):
 * the environment is validated, SDK clients are made (they honour AWS_ENDPOINT_URL_* locally), the
 * keyring is loaded from Secrets Manager or SIGNING_KEYRING. Nothing is constructed at import time.
 * This function sends no mail: subscribe requests go to the confirmation queue.
 */

/** Ports a local runner substitutes (there is no SQS stand-in: `npm run serve` passes its in-process queue). */
export interface AppOverrides {
  readonly confirmationQueue?: ConfirmationQueue;
}

/** Build the app from an environment (also used by `npm run serve`). */
export async function appFromEnvironment(
  env: Record<string, string | undefined> = process.env,
  log: Log = powertoolsLog,
  overrides: AppOverrides = {},
): Promise<App> {
  const config = readEnv(subscribeEnvSchema, env);
  const queueUrl = config.CONFIRM_QUEUE_URL;
  if (!overrides.confirmationQueue && !queueUrl) throw new ConfigError('invalid environment configuration: CONFIRM_QUEUE_URL: required');
  const keyring = await keyringLoader(config, () => new SecretsManagerClient({}))();
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const service = createSubscriptionService({
    store: createDynamoSubscriberStore({ doc, tableName: config.TABLE_NAME }),
    queue: overrides.confirmationQueue ?? createSqsConfirmationQueue(new SQSClient({}), queueUrl as string),
    keyring,
    config: { publicUrl: config.PUBLIC_URL, topics: config.TOPICS, defaultFrequency: config.DEFAULT_FREQUENCY },
    log,
  });
  const pages = {
    newsletterName: config.NEWSLETTER_NAME,
    topics: config.TOPICS,
    frequencies: config.FREQUENCIES,
    defaultFrequency: config.DEFAULT_FREQUENCY,
  };
  return createApp({ service, pages, log });
}

/** Shared with the archive function (lambda/shared/http.ts); re-exported for `npm run serve` and the tests. */
export { lazyHandler };

/** The Lambda handler (API Gateway HTTP API, payload format 2.0). */
export const handler = lazyHandler(() => appFromEnvironment());
