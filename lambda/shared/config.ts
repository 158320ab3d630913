import * as z from 'zod';
import { ARCHIVE_MODES } from './archive/model.ts';

/**
 * Environment configuration, read and validated once at cold start. The CDK stack sets exactly these
 * variables; the local runners (`npm start`, `npm run serve`) set them too. A missing or malformed
 * variable fails fast with a message that names it.
 */

export const list = z
  .string()
  .transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean));

const positiveInt = z.coerce.number().int().positive();

/** Variables every function shares. */
export const baseEnvSchema = z.object({
  /** The single DynamoDB table (see table.ts). */
  TABLE_NAME: z.string().min(1),
  /** Newsletter name shown in headers and the From display name default. */
  NEWSLETTER_NAME: z.string().min(1).default('newsbrief'),
  /** Verified SES identity mail is sent from, e.g. news@example.com. */
  SENDER_ADDRESS: z.email(),
  /** From display name. */
  SENDER_NAME: z.string().min(1),
  /** The operator's postal address (CAN-SPAM), printed in every footer. */
  POSTAL_ADDRESS: z.string().min(1),
  /** Public base URL of the subscribe API; confirm/unsubscribe/preferences links are built on it. */
  PUBLIC_URL: z.url(),
  /** Comma-separated topic slugs the operator offers, e.g. "world,politics,asia". */
  TOPICS: list.pipe(z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1)),
  /**
   * Token signing keys. Either SIGNING_KEY_SECRET_ARN (Secrets Manager, in AWS) or SIGNING_KEYRING
   * (local). Both hold JSON `{"current":"k1","k1":"<secret>","k0":"<older secret>"}`: every key but
   * "current" is a key id, so keys rotate by adding one and moving "current".
   */
  SIGNING_KEY_SECRET_ARN: z.string().min(1).optional(),
  SIGNING_KEYRING: z.string().min(1).optional(),
});
export type BaseEnv = z.infer<typeof baseEnvSchema>;

/** Variables of the delivery functions (ingest, digest, sender). */
export const deliveryEnvSchema = baseEnvSchema.extend({
  /** Bucket holding articles/ (input) and issues/ (the rendered-issue archive). */
  BUCKET_NAME: z.string().min(1),
  /** SQS queue of send jobs. */
  SEND_QUEUE_URL: z.string().min(1),
  /** SES configuration set every message is sent with (bounce/complaint events, reputation). */
  CONFIGURATION_SET: z.string().min(1),
  /** The account's SES MaxSendRate (messages per second), shared by all sender instances. */
  MAX_SEND_RATE: positiveInt.default(14),
  /** How many sender instances run at once; each holds MAX_SEND_RATE / SENDER_CONCURRENCY. */
  SENDER_CONCURRENCY: positiveInt.default(2),
  /** Keyword rules per topic, JSON `{"asia":["north korea","kim jong"]}`. */
  TOPIC_RULES: z.string().default('{}'),
  /** Articles shown in full in a digest; the rest are listed as headlines only. */
  DIGEST_MAX_FULL_ARTICLES: positiveInt.default(10),
  /** Web versions of issues: `public` (with an index and feed), `unlisted` (only through each email's link) or `off`. */
  ARCHIVE: z.enum(ARCHIVE_MODES).default('unlisted'),
});
export type DeliveryEnv = z.infer<typeof deliveryEnvSchema>;

/** A configuration error that names each offending variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parse `env` with `schema`, or throw a ConfigError naming every bad variable. */
export function readEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigError(`invalid environment configuration: ${problems.join('; ')}`);
}
