import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readEnv } from '../shared/config.ts';
import { powertoolsLog, type Log } from '../shared/logger.ts';
import { createSesMailer } from '../shared/ses-mailer.ts';
import { keyringLoader } from '../shared/signing-keys.ts';
import { createDynamoSubscriberStore } from '../shared/subscriptions/dynamo-store.ts';
import { createSubscriptionService } from '../shared/subscriptions/service.ts';
import { lazyHandler } from '../shared/http.ts';
import { createApp, type App } from './app.ts';
import { subscribeEnvSchema } from './config.ts';
import { createConfirmationComposer } from './confirmation-mail.ts';

/**
 * Lambda entry point of the subscribe API. Everything is built on the first invocation (cold start):
 * the environment is validated, SDK clients are made (they honour AWS_ENDPOINT_URL_* locally), the
 * keyring is loaded from Secrets Manager or SIGNING_KEYRING. Nothing is constructed at import time.
 */

/** Build the app from an environment (also used by `npm run serve`). */
export async function appFromEnvironment(env: Record<string, string | undefined> = process.env, log: Log = powertoolsLog): Promise<App> {
  const config = readEnv(subscribeEnvSchema, env);
  const keyring = await keyringLoader(config, () => new SecretsManagerClient({}))();
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  // A bounded request time: API Gateway gives up after 30 s, and the SES emulator never answers actions it lacks.
  const ses = new SESClient({ requestHandler: { requestTimeout: 5_000, throwOnRequestTimeout: true } });
  const from = { name: config.SENDER_NAME, address: config.SENDER_ADDRESS };
  const service = createSubscriptionService({
    store: createDynamoSubscriberStore({ doc, tableName: config.TABLE_NAME }),
    mailer: createSesMailer(ses, { from: config.SENDER_ADDRESS, ...(config.CONFIGURATION_SET ? { configurationSet: config.CONFIGURATION_SET } : {}) }),
    composer: createConfirmationComposer({ newsletterName: config.NEWSLETTER_NAME, postalAddress: config.POSTAL_ADDRESS, from }),
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
