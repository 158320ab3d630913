import { Token } from 'aws-cdk-lib';
import { ConfigurationError } from './config.ts';
import type { FunctionName } from './entries.ts';

/**
 * Which environment variables each function receives: exactly what its cold-start schema reads
 * (lambda/shared/config.ts and the handlers' own schemas), and nothing else. test/infra checks
 * every function's environment against its handler's schema, both ways.
 */

/** The variables the delivery construct (lib/constructs/delivery.ts) provides values for. */
export type DeliveryEnvKey =
  | 'BUCKET_NAME'
  | 'SEND_QUEUE_URL'
  | 'CONFIGURATION_SET'
  | 'MAX_SEND_RATE'
  | 'SENDER_CONCURRENCY'
  | 'TOPIC_RULES'
  | 'DIGEST_MAX_FULL_ARTICLES';

/** The variables of the feed poller and the CMS webhook (lib/constructs/feeds.ts, lib/constructs/webhook.ts). */
export type FeedsEnvKey = 'FEEDS' | 'WEBHOOK_SECRET_ARN';

/** Every variable the stack can set. */
export type EnvKey =
  | 'TABLE_NAME'
  | 'NEWSLETTER_NAME'
  | 'SENDER_ADDRESS'
  | 'SENDER_NAME'
  | 'POSTAL_ADDRESS'
  | 'PUBLIC_URL'
  | 'TOPICS'
  | 'SIGNING_KEY_SECRET_ARN'
  | 'FREQUENCIES'
  | 'DEFAULT_FREQUENCY'
  | 'ARCHIVE'
  | 'CONFIRM_QUEUE_URL'
  | DeliveryEnvKey;

/** ingest and digest parse deliveryEnvSchema (lambda/shared/delivery/runtime.ts); they sign no tokens. */
const DELIVERY_RUNTIME: readonly EnvKey[] = [
  'TABLE_NAME', 'NEWSLETTER_NAME', 'SENDER_ADDRESS', 'SENDER_NAME', 'POSTAL_ADDRESS', 'PUBLIC_URL', 'TOPICS',
  'BUCKET_NAME', 'SEND_QUEUE_URL', 'CONFIGURATION_SET', 'MAX_SEND_RATE', 'SENDER_CONCURRENCY', 'TOPIC_RULES',
  'DIGEST_MAX_FULL_ARTICLES', 'ARCHIVE',
];

export const FUNCTION_ENV: Readonly<Record<FunctionName, readonly (EnvKey | FeedsEnvKey)[]>> = {
  ingest: DELIVERY_RUNTIME,
  digest: DELIVERY_RUNTIME,
  // senderEnvSchema (lambda/sender/handler.ts): reads issues, personalises links, sends; holds jobs back on its queue.
  sender: [
    'TABLE_NAME', 'BUCKET_NAME', 'NEWSLETTER_NAME', 'SENDER_ADDRESS', 'SENDER_NAME', 'PUBLIC_URL', 'CONFIGURATION_SET',
    'MAX_SEND_RATE', 'SENDER_CONCURRENCY', 'SIGNING_KEY_SECRET_ARN', 'SEND_QUEUE_URL',
  ],
  // subscribeEnvSchema (lambda/subscribe/config.ts): pages and tokens; it sends no mail, it queues requests.
  subscribe: [
    'TABLE_NAME', 'NEWSLETTER_NAME', 'PUBLIC_URL', 'TOPICS', 'SIGNING_KEY_SECRET_ARN', 'FREQUENCIES', 'DEFAULT_FREQUENCY',
    'CONFIRM_QUEUE_URL',
  ],
  // mailEventsEnvSchema (lambda/mail-events/handler.ts).
  'mail-events': ['TABLE_NAME'],
  // archiveEnvSchema (lambda/archive/config.ts): reads pages and index entries below archive/.
  archive: ['BUCKET_NAME', 'NEWSLETTER_NAME', 'PUBLIC_URL', 'ARCHIVE'],
  // pollEnvSchema (lambda/poll/handler.ts): the delivery runtime (it ingests), and the feed list.
  poll: [...DELIVERY_RUNTIME, 'FEEDS'],
  // articlesEnvSchema (lambda/articles/handler.ts): writes under articles/cms/, names itself in a page fetch.
  articles: ['BUCKET_NAME', 'NEWSLETTER_NAME', 'PUBLIC_URL', 'WEBHOOK_SECRET_ARN'],
  // confirmMailEnvSchema (lambda/confirm-mail/handler.ts): the confirmation mail.
  'confirm-mail': [
    'TABLE_NAME', 'NEWSLETTER_NAME', 'SENDER_ADDRESS', 'SENDER_NAME', 'POSTAL_ADDRESS', 'PUBLIC_URL',
    'SIGNING_KEY_SECRET_ARN', 'CONFIGURATION_SET',
  ],
};

/** Lambda refuses a function whose environment variables, names and values together, exceed 4 KB. */
export const LAMBDA_ENVIRONMENT_LIMIT = 4096;
/**
 * What a deploy-time value (a table name, ARN or URL, a token at synth) may take at most; the
 * longest here is a queue URL or secret ARN, well under this.
 */
export const TOKEN_VALUE_BOUND = 256;
/** Bytes HouseFunction adds (NODE_OPTIONS, POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL), rounded up. */
const HOUSE_VARIABLES_BOUND = 128;

/** The configuration key each variable comes from, for the error message. */
const CONFIG_KEY_OF: Partial<Record<EnvKey | FeedsEnvKey, string>> = {
  NEWSLETTER_NAME: 'newsletterName',
  SENDER_ADDRESS: 'senderAddress',
  SENDER_NAME: 'senderName',
  POSTAL_ADDRESS: 'postalAddress',
  PUBLIC_URL: 'siteUrl',
  TOPICS: 'topics',
  TOPIC_RULES: 'topicRules',
  FEEDS: 'feeds',
};

/** Upper bound of the bytes `environment` takes in Lambda's 4 KB (unresolved tokens at TOKEN_VALUE_BOUND). */
export function environmentSize(environment: Readonly<Record<string, string>>): number {
  return Object.entries(environment).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + (Token.isUnresolved(value) ? TOKEN_VALUE_BOUND : Buffer.byteLength(value)),
    HOUSE_VARIABLES_BOUND,
  );
}

/**
 * The environment of `fn`: its keys, picked from every value the stack knows. Throws a
 * ConfigurationError naming the configuration key with the largest value when the environment
 * could exceed Lambda's 4 KB, so `cdk synth` fails instead of the deploy.
 */
export function environmentFor(
  fn: FunctionName,
  values: Readonly<Record<EnvKey, string>> & Readonly<Partial<Record<FeedsEnvKey, string>>>,
): Record<string, string> {
  const environment = Object.fromEntries(
    FUNCTION_ENV[fn].map((key) => {
      const value = values[key];
      if (value === undefined) throw new Error(`environment of ${fn}: no value for ${key}`);
      return [key, value];
    }),
  );
  const size = environmentSize(environment);
  if (size > LAMBDA_ENVIRONMENT_LIMIT) {
    const [largest] = FUNCTION_ENV[fn]
      .filter((key) => CONFIG_KEY_OF[key] !== undefined && !Token.isUnresolved(environment[key]))
      .sort((a, b) => Buffer.byteLength(environment[b]!) - Buffer.byteLength(environment[a]!));
    const culprit = largest ? `${CONFIG_KEY_OF[largest]} (${largest}, ${Buffer.byteLength(environment[largest]!)} bytes)` : 'the configuration';
    throw new ConfigurationError(
      `Invalid newsbrief configuration:\n  - ${largest ? CONFIG_KEY_OF[largest] : '(root)'}: the ${fn} function's environment would take up to ${size} bytes, ` +
        `over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT}-byte limit; the largest value is ${culprit}. Use fewer or shorter keywords, texts or feeds.`,
    );
  }
  return environment;
}
