import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { ianaTimeZone, safeText, scheduleExpression, unsafeStrings } from './config-checks.ts';
import { ARCHIVE_MODES } from '../lambda/shared/archive/model.ts';
import { senderTimingProblems, type SenderTiming } from '../lambda/shared/delivery/timing.ts';
import { feedListSchema } from '../lambda/shared/feeds/config.ts';

/**
 * The operator's configuration, read from CDK context at synth and validated here, so a typo fails
 * `cdk synth` with a message naming the key instead of failing a deploy (or a send) later.
 *
 * Sources, later wins: the file named by the `configFile` context key (YAML or JSON, comments
 * allowed; cdk.json points it at examples/newsroom.config.yaml), then individual context keys from
 * cdk.json or `cdk deploy -c key=value`. `-c` values arrive as strings, so structured keys also
 * accept JSON text (`-c 'topics=["world","asia"]'`) and lists accept comma-separated text.
 */

const slug = z.string().max(50).regex(/^[a-z0-9-]+$/, 'must be a lower-case slug (letters, digits, hyphens)');

/** A DNS domain name, lower case. */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The frequencies a digest can be scheduled for ("immediate" alerts are sent at ingest instead). */
export const DIGEST_FREQUENCIES = ['daily', 'weekly'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];


/** The retention periods CloudWatch Logs accepts (days). */
const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** One digest schedule: an EventBridge Scheduler cron (or rate) expression and the IANA zone it is read in. */
const scheduleSchema = z.strictObject({ cron: scheduleExpression, timeZone: ianaTimeZone });

/** The validated configuration; every optional key has its default filled in. */
export const configSchema = z
  .strictObject({
    /**
     * Marks examples/newsroom.config.yaml: `cdk synth` works with it, `cdk deploy` refuses it (a
     * CloudFormation rule that always fails), so a deploy never sends as the example sender.
     */
    example: z.union([z.boolean(), z.stringbool()]).default(false),
    /** Verified SES sender address; its domain is the SES identity when `domain` is set. */
    senderAddress: z.email().max(254),
    /** From display name (a header: one line). */
    senderName: safeText({ max: 100 }),
    /** Postal address printed in every footer (CAN-SPAM requires one), on one line. */
    postalAddress: safeText({ max: 300 }),
    /** Newsletter name in subjects and headers. */
    newsletterName: safeText({ max: 100 }).default('newsbrief'),
    /** Public base URL for links, if a custom domain fronts the API; else the API's own URL is used. */
    siteUrl: z.url({ protocol: /^https$/ }).max(200).optional(),
    /** Domain to verify as the SES identity (Easy DKIM). Without it, senderAddress is verified alone. */
    domain: z.string().regex(DOMAIN, 'must be a lower-case DNS domain').optional(),
    /**
     * An SES identity (domain or address) already verified in this account and region: the stack
     * sends through it and creates none (CloudFormation cannot create an identity that exists).
     */
    existingIdentity: z
      .string()
      .trim()
      // A domain is written lower case; an address as SES has it (the ARN that IAM matches is case-sensitive).
      .transform((s) => (s.includes('@') ? s : s.toLowerCase()))
      .refine((s) => DOMAIN.test(s) || z.email().safeParse(s).success, 'must be a verified SES identity: a domain or an email address')
      .optional(),
    /**
     * Verified addresses to test with while the account is in the SES sandbox, where SES also
     * authorises each send against the recipient's identity: the functions may send to these.
     */
    sandboxRecipients: z.array(z.email().max(254)).max(20).default([]),
    /** Route 53 public hosted zone of `domain`; with it the DKIM and MAIL FROM records are created for you. */
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ').optional(),
    /** Topic slugs subscribers can choose from. */
    topics: z.array(slug).min(1).max(50).default(['news']),
    /** Keyword rules per topic, applied to articles whose metadata names no topic. */
    topicRules: z.record(slug, z.array(safeText({ max: 100 })).min(1).max(100)).default({}),
    /** One digest schedule per frequency. */
    schedules: z
      .partialRecord(z.enum(DIGEST_FREQUENCIES), scheduleSchema)
      .default({
        daily: { cron: 'cron(0 7 * * ? *)', timeZone: 'Etc/UTC' },
        weekly: { cron: 'cron(0 7 ? * MON *)', timeZone: 'Etc/UTC' },
      }),
    /** The account's SES MaxSendRate (messages per second; see `aws ses get-send-quota`). */
    maxSendRate: z.coerce.number().int().positive().default(14),
    /** Concurrent sender instances sharing maxSendRate (SQS event sources need at least 2). */
    senderConcurrency: z.coerce.number().int().min(2).max(1000).default(2),
    /** Stage throttling of the subscribe API. */
    apiThrottling: z
      .strictObject({ rateLimit: z.coerce.number().positive(), burstLimit: z.coerce.number().int().positive() })
      .default({ rateLimit: 20, burstLimit: 40 }),
    /** Origins allowed to call the API from browser scripts (CORS); forms posted cross-site need none. */
    allowedOrigins: z.array(z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin)).default([]),
    /** Operator address subscribed to the alarm topic. */
    alarmEmail: z.email().max(254).optional(),
    /** Articles shown in full in a digest; the rest are listed as headlines. */
    digestMaxFullArticles: z.coerce.number().int().positive().default(10),
    /** Days of CloudWatch Logs retention for every function and the API access log. */
    logRetentionDays: z.coerce
      .number()
      .refine((d) => LOG_RETENTION_DAYS.includes(d), `must be one of the retention periods CloudWatch Logs offers: ${LOG_RETENTION_DAYS.join(', ')}`)
      .default(30),
    /** Powertools log level. */
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    /** `retain` keeps the table, bucket and logs when the stack is deleted; `destroy` removes them. */
    removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
    /**
     * Web versions of the issues: `public` (every issue's page, an index and an Atom feed),
     * `unlisted` (each page only at the unguessable URL its email links to) or `off`.
     */
    archive: z.enum(ARCHIVE_MODES).default('unlisted'),
    /** Feeds polled for new articles (lambda/shared/feeds/config.ts): `[{url, topics?, fullText?, every?}]`. */
    feeds: feedListSchema.default([]),
  })
  .superRefine((c, ctx) => {
    if (c.hostedZoneId !== undefined && c.domain === undefined) {
      ctx.addIssue({ code: 'custom', path: ['domain'], message: 'is required when hostedZoneId is set (the zone\'s domain name)' });
    }
    const senderDomain = c.senderAddress.split('@')[1]?.toLowerCase();
    if (c.domain !== undefined && senderDomain !== c.domain) {
      ctx.addIssue({ code: 'custom', path: ['senderAddress'], message: `must be an address at domain "${c.domain}"` });
    }
    if (c.existingIdentity !== undefined) {
      if (c.domain !== undefined || c.hostedZoneId !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['existingIdentity'], message: 'cannot be combined with domain or hostedZoneId (those create an identity)' });
      }
      const isAddress = c.existingIdentity.includes('@');
      if (isAddress ? c.existingIdentity.toLowerCase() !== c.senderAddress.toLowerCase() : senderDomain !== c.existingIdentity) {
        ctx.addIssue({
          code: 'custom',
          path: ['senderAddress'],
          message: isAddress ? `must be the existing identity "${c.existingIdentity}"` : `must be an address at the existing identity "${c.existingIdentity}"`,
        });
      }
    }
    for (const topic of Object.keys(c.topicRules)) {
      if (!c.topics.includes(topic)) {
        ctx.addIssue({ code: 'custom', path: ['topicRules', topic], message: `"${topic}" is not one of topics [${c.topics.join(', ')}]` });
      }
    }
    for (const [i, feed] of c.feeds.entries()) {
      for (const topic of feed.topics) {
        if (!c.topics.includes(topic)) {
          ctx.addIssue({ code: 'custom', path: ['feeds', i, 'topics'], message: `"${topic}" is not one of topics [${c.topics.join(', ')}]` });
        }
      }
    }
    if (Object.keys(c.schedules).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['schedules'], message: 'needs at least one frequency' });
    }
  });

export type NewsbriefConfig = z.output<typeof configSchema>;
export type NewsbriefConfigInput = z.input<typeof configSchema>;

/** The keys an operator can set; anything else in the config file is a typo. */
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof NewsbriefConfigInput)[];

/** The context key naming a YAML/JSON config file. */
export const CONFIG_FILE_KEY = 'configFile';

/** One example per key, quoted in error messages so the fix is obvious. */
export const CONFIG_EXAMPLES: Record<keyof NewsbriefConfigInput, string> = {
  senderAddress: 'senderAddress: briefs@newsroom.example.com',
  senderName: 'senderName: The Morning Brief',
  postalAddress: 'postalAddress: "Newsroom Ltd, 1 Press Lane, Mumbai 400001, India"',
  newsletterName: 'newsletterName: Morning Brief',
  siteUrl: 'siteUrl: https://news.example.com',
  domain: 'domain: newsroom.example.com',
  hostedZoneId: 'hostedZoneId: Z0123456789ABCDEFGHIJ',
  topics: 'topics: [world, asia, politics]',
  topicRules: 'topicRules: { asia: ["north korea", "kim jong"] }',
  schedules: 'schedules: { daily: { cron: "cron(0 7 * * ? *)", timeZone: Asia/Kolkata } }',
  existingIdentity: 'existingIdentity: newsroom.example.com',
  sandboxRecipients: 'sandboxRecipients: [you@newsroom.example.com]',
  example: 'example: false',
  maxSendRate: 'maxSendRate: 14',
  senderConcurrency: 'senderConcurrency: 2',
  apiThrottling: 'apiThrottling: { rateLimit: 20, burstLimit: 40 }',
  allowedOrigins: 'allowedOrigins: [https://news.example.com]',
  alarmEmail: 'alarmEmail: ops@newsroom.example.com',
  digestMaxFullArticles: 'digestMaxFullArticles: 10',
  logRetentionDays: 'logRetentionDays: 30',
  logLevel: 'logLevel: INFO',
  removalPolicy: 'removalPolicy: retain',
  archive: 'archive: unlisted   # or public (index and feed), or off',
  feeds: 'feeds: [{ url: "https://newsroom.example.com/world/rss.xml", topics: [world], fullText: auto, every: 30m }]',
};

/** A configuration that failed validation; the message names every bad key with an example. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * The sender's time budget against its stack settings (lambda/shared/delivery/timing.ts): the reserve
 * must exceed the SES request timeout plus a ledger write, and the claim lease must outlive the
 * function timeout and end before the queue's visibility timeout. The sender checks its reserve again
 * at cold start. Throws a ConfigurationError naming each broken relation.
 */
export function checkDeliveryTiming(timing: SenderTiming): void {
  const problems = senderTimingProblems(timing);
  if (problems.length > 0) throw new ConfigurationError(`Invalid delivery timing:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

const STRUCTURED_KEYS = new Set<string>(['topics', 'topicRules', 'schedules', 'apiThrottling', 'allowedOrigins', 'sandboxRecipients', 'feeds']);
const LIST_KEYS = new Set<string>(['topics', 'allowedOrigins', 'sandboxRecipients']);

/** `-c` hands every value over as a string: decode JSON for structured keys, commas for lists. */
function decodeContextValue(key: string, value: unknown): unknown {
  if (typeof value !== 'string' || !STRUCTURED_KEYS.has(key)) return value;
  const text = value.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return value; // left as a string, so the schema reports the key as invalid
    }
  }
  if (LIST_KEYS.has(key)) return text.split(',').map((s) => s.trim()).filter(Boolean);
  return value;
}

export interface LoadConfigOptions {
  /**
   * Reads a file named by `configFile`.
   * @default fs.readFileSync(path, 'utf8')
   */
  readonly readFile?: (path: string) => string;
}

/**
 * Build and validate the configuration from CDK context (`app.node.tryGetContext`). Throws a
 * ConfigurationError that names each missing or invalid key, with an example of a good value.
 */

/** The value at `path` in a parsed configuration, or undefined where any step is absent. */
function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const step of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}
export function loadConfig(getContext: (key: string) => unknown, options: LoadConfigOptions = {}): NewsbriefConfig {
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const raw: Record<string, unknown> = {};
  const configFile = getContext(CONFIG_FILE_KEY);
  let source = 'CDK context';
  if (configFile !== undefined) {
    if (typeof configFile !== 'string' || configFile.trim() === '') {
      throw new ConfigurationError(`${CONFIG_FILE_KEY}: must be a path to a YAML or JSON file, e.g. -c ${CONFIG_FILE_KEY}=examples/newsroom.config.yaml`);
    }
    let text: string;
    try {
      text = readFile(configFile);
    } catch (cause) {
      throw new ConfigurationError(`${CONFIG_FILE_KEY}: cannot read "${configFile}" (${(cause as Error).message})`, { cause });
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (cause) {
      throw new ConfigurationError(`${configFile}: not valid YAML/JSON (${(cause as Error).message})`, { cause });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigurationError(`${configFile}: must be a mapping of configuration keys, e.g. ${CONFIG_EXAMPLES.senderAddress}`);
    }
    Object.assign(raw, parsed);
    source = `${configFile} and CDK context`;
  }
  for (const key of CONFIG_KEYS) {
    const value = getContext(key);
    if (value !== undefined) raw[key] = decodeContextValue(key, value);
  }

  // Dynamic references and CDK tokens are refused in every key, structured ones included.
  const unsafe = unsafeStrings(raw).map(({ path, reason }) => `  - ${path}: ${reason}`);
  const result = configSchema.safeParse(raw);
  if (result.success && unsafe.length === 0) return result.data;
  const lines = (result.error?.issues ?? []).map((issue) => {
    const path = issue.path.map(String);
    const key = path[0] ?? '(root)';
    const where = path.join('.') || key;
    // zod 4 leaves `input` out of issues: look the value up, so a wrong type is not called missing.
    const isMissing = issue.code === 'invalid_type' && valueAt(raw, path) === undefined;
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    if (unknownKeys.length > 0) {
      const prefix = where === '(root)' ? '' : `${where}.`;
      return `  - ${unknownKeys.map((k) => `${prefix}${k}`).join(', ')}: unknown key (known keys: ${path.length === 0 ? CONFIG_KEYS.join(', ') : 'see the example'})`;
    }
    const example = CONFIG_EXAMPLES[key as keyof NewsbriefConfigInput];
    const reason = isMissing ? 'is required' : issue.message;
    return `  - ${where}: ${reason}${example ? `. Example: ${example}` : ''}`;
  });
  throw new ConfigurationError(
    `Invalid newsbrief configuration (from ${source}):\n${[...new Set([...unsafe, ...lines])].join('\n')}\n` +
      `Set keys in the file named by "${CONFIG_FILE_KEY}" (see examples/newsroom.config.yaml) or with -c key=value.`,
  );
}
