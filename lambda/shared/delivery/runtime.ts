import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createArchivePublisher, type RenderEdition } from '../archive/publish.ts';
import { deliveryEnvSchema, readEnv, type DeliveryEnv } from '../config.ts';
import { renderAlert, renderDigest } from '../email/render.ts';
import type { RenderedEmail } from '../email/types.ts';
import { powertoolsLog, type Log } from '../logger.ts';
import { createDynamoSubscriberStore } from '../subscriptions/dynamo-store.ts';
import type { SubscriberReader } from '../subscriptions/store.ts';
import type { ArticleStore } from './articles.ts';
import { DynamoArticleStore } from './articles-dynamo.ts';
import type { RenderDigest } from './digest.ts';
import type { RenderAlert } from './ingest.ts';
import type { StoredEmail } from './issue.ts';
import type { BlobStore, JobQueue } from './ports.ts';
import type { RunStore } from './runs.ts';
import { DynamoRunStore } from './runs-dynamo.ts';
import { S3BlobStore } from './s3-blobs.ts';
import { SqsJobQueue } from './sqs-queue.ts';
import { parseTopicRules, type TopicRules } from './topics.ts';

/**
 * What the ingest and digest handlers are built from, and how: validated environment, SDK clients
 * made on the first invocation (never at import), and the email module's renderers with the
 * operator's options bound. `npm start` builds the same thing with a folder and an in-process queue
 * in place of S3 and SQS.
 */

/** The ports and settings both delivery entry points share. */
export interface DeliveryRuntime {
  readonly env: DeliveryEnv;
  readonly articles: ArticleStore;
  readonly runs: RunStore;
  readonly subscribers: Pick<SubscriberReader, 'listConfirmed' | 'get'>;
  readonly queue: JobQueue;
  readonly blobs: BlobStore;
  readonly rules: TopicRules;
  readonly renderDigest: RenderDigest;
  readonly renderAlert: RenderAlert;
  readonly log: Log;
  readonly now: () => number;
}

/** Ports a local runner substitutes (S3 and SQS have no stand-in here). */
export interface RuntimeOverrides {
  readonly blobs?: BlobStore;
  readonly queue?: JobQueue;
  readonly log?: Log;
  readonly now?: () => number;
}

function stored(email: RenderedEmail): StoredEmail {
  return { ...email, slots: [...email.slots] };
}

/** Build the delivery runtime from the environment; throws ConfigError / TopicRulesError naming the variable. */
export function deliveryRuntime(env: Record<string, string | undefined> = process.env, overrides: RuntimeOverrides = {}): DeliveryRuntime {
  const config = readEnv(deliveryEnvSchema, env);
  const rules = parseTopicRules(config.TOPIC_RULES);
  // Clients honour AWS_ENDPOINT_URL_DYNAMODB etc., which is how local runs reach dynalite.
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const base = { newsletterName: config.NEWSLETTER_NAME, postalAddress: config.POSTAL_ADDRESS };
  const blobs = overrides.blobs ?? new S3BlobStore(new S3Client({}), config.BUCKET_NAME);
  const now = overrides.now ?? Date.now;
  // Every issue rendered here also gets its web version (view in browser, archive) unless ARCHIVE=off.
  const archive = createArchivePublisher({ mode: config.ARCHIVE, publicUrl: config.PUBLIC_URL, objects: blobs, now });
  const edition = (web: Parameters<RenderEdition>[0]) => (web === undefined ? {} : { web: web.links, edition: web.edition });
  return {
    env: config,
    articles: new DynamoArticleStore(doc, config.TABLE_NAME),
    runs: new DynamoRunStore(doc, config.TABLE_NAME),
    subscribers: createDynamoSubscriberStore({ doc, tableName: config.TABLE_NAME }),
    queue: overrides.queue ?? new SqsJobQueue(new SQSClient({}), config.SEND_QUEUE_URL),
    blobs,
    rules,
    renderDigest: async (briefs, ctx) =>
      stored(
        await archive.publish(
          (web) =>
            renderDigest(briefs, {
              ...base,
              issueDate: ctx.issueDate,
              frequency: ctx.frequency,
              topics: ctx.topics,
              maxFullArticles: config.DIGEST_MAX_FULL_ARTICLES,
              ...edition(web),
            }),
          { kind: 'digest', frequency: ctx.frequency, issueDate: ctx.issueDate, articles: briefs.length },
        ),
      ),
    renderAlert: async (brief, ctx) =>
      stored(
        await archive.publish(
          (web) => renderAlert(brief, { ...base, matchedTopic: ctx.matchedTopic, topics: ctx.topics, issueDate: ctx.issueDate, ...edition(web) }),
          { kind: 'alert', frequency: 'immediate', issueDate: ctx.issueDate, articles: 1 },
        ),
      ),
    log: overrides.log ?? powertoolsLog,
    now,
  };
}

/** The invocation's remaining time; a plain call without a Lambda context gets a generous default. */
export function remainingTime(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): () => number {
  return context?.getRemainingTimeInMillis ? () => context.getRemainingTimeInMillis() : () => 15 * 60_000;
}
