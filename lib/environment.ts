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
  | DeliveryEnvKey;

/** ingest and digest parse deliveryEnvSchema (lambda/shared/delivery/runtime.ts); they sign no tokens. */
const DELIVERY_RUNTIME: readonly EnvKey[] = [
  'TABLE_NAME', 'NEWSLETTER_NAME', 'SENDER_ADDRESS', 'SENDER_NAME', 'POSTAL_ADDRESS', 'PUBLIC_URL', 'TOPICS',
  'BUCKET_NAME', 'SEND_QUEUE_URL', 'CONFIGURATION_SET', 'MAX_SEND_RATE', 'SENDER_CONCURRENCY', 'TOPIC_RULES',
  'DIGEST_MAX_FULL_ARTICLES',
];

export const FUNCTION_ENV: Readonly<Record<FunctionName, readonly EnvKey[]>> = {
  ingest: DELIVERY_RUNTIME,
  digest: DELIVERY_RUNTIME,
  // senderEnvSchema (lambda/sender/handler.ts): reads issues, personalises links, sends; holds jobs back on its queue.
  sender: [
    'TABLE_NAME', 'BUCKET_NAME', 'NEWSLETTER_NAME', 'SENDER_ADDRESS', 'SENDER_NAME', 'PUBLIC_URL', 'CONFIGURATION_SET',
    'MAX_SEND_RATE', 'SENDER_CONCURRENCY', 'SIGNING_KEY_SECRET_ARN', 'SEND_QUEUE_URL',
  ],
  // subscribeEnvSchema (lambda/subscribe/config.ts).
  subscribe: [
    'TABLE_NAME', 'NEWSLETTER_NAME', 'SENDER_ADDRESS', 'SENDER_NAME', 'POSTAL_ADDRESS', 'PUBLIC_URL', 'TOPICS',
    'SIGNING_KEY_SECRET_ARN', 'CONFIGURATION_SET', 'FREQUENCIES', 'DEFAULT_FREQUENCY',
  ],
  // mailEventsEnvSchema (lambda/mail-events/handler.ts).
  'mail-events': ['TABLE_NAME'],
};

/** The environment of `fn`: its keys, picked from every value the stack knows. */
export function environmentFor(fn: FunctionName, values: Readonly<Record<EnvKey, string>>): Record<string, string> {
  return Object.fromEntries(FUNCTION_ENV[fn].map((key) => [key, values[key]]));
}
