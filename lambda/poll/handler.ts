import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { analyze } from '../shared/analysis/analyze.ts';
import { parseArticle } from '../shared/article/parse.ts';
import { ConfigError, deliveryEnvSchema, readEnv } from '../shared/config.ts';
import { ingestArticle } from '../shared/delivery/ingest.ts';
import { deliveryRuntime, remainingTime, type DeliveryRuntime, type RuntimeOverrides } from '../shared/delivery/runtime.ts';
import { feedListSchema, pollMinutes, type FeedConfig } from '../shared/feeds/config.ts';
import { createFetcher, userAgentFor, type FetchPolicy } from '../shared/feeds/fetch.ts';
import { powertoolsFeedMetrics } from '../shared/feeds/metrics.ts';
import { htmlPageExtractor } from '../shared/feeds/pages.ts';
import { pollFeeds, type FeedMetrics, type PollSummary } from '../shared/feeds/poll.ts';
import { DynamoFeedStore } from '../shared/feeds/state-dynamo.ts';
import type { FeedStore } from '../shared/feeds/state.ts';
import { lazy } from '../shared/lazy.ts';

/**
 * Lambda entry point of the feed poller, invoked by its EventBridge Scheduler schedule (every 10
 * minutes by default). Polls the due feeds of FEEDS and ingests their new items through the ingest
 * path. A feed's failure is recorded and reported, never thrown: only a broken configuration fails
 * the invocation.
 */

/** The poll function's variables: the delivery runtime's, and the feed list. */
export const pollEnvSchema = deliveryEnvSchema.extend({
  /** The operator's feeds, JSON `[{"url": …, "topics": […], "fullText": "auto", "every": 30}]` (lib/config.ts validates them at synth). */
  FEEDS: z.string().default('[]'),
});

export interface PollRuntime {
  readonly delivery: DeliveryRuntime;
  readonly feeds: readonly FeedConfig[];
  readonly store: FeedStore;
  readonly metrics: FeedMetrics & { flush(): void };
}

/** Parse FEEDS; a ConfigError names the variable and the problem. */
export function parseFeedsVariable(json: string): FeedConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ConfigError('FEEDS: not valid JSON', { cause: error });
  }
  const parsed = feedListSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`FEEDS: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Build the poll runtime from the environment (npm start passes its own ports). */
export function pollRuntime(env: Record<string, string | undefined> = process.env, overrides: RuntimeOverrides & { metrics?: FeedMetrics & { flush(): void } } = {}): PollRuntime {
  const config = readEnv(pollEnvSchema, env);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return {
    delivery: deliveryRuntime(env, overrides),
    feeds: parseFeedsVariable(config.FEEDS),
    store: new DynamoFeedStore(doc, config.TABLE_NAME),
    metrics: overrides.metrics ?? powertoolsFeedMetrics(),
  };
}

export interface PollHandlerOptions {
  /** Fetch policy overrides: the local run allows loopback here, never through the environment. */
  readonly fetch?: Partial<Omit<FetchPolicy, 'userAgent'>>;
}

/** Build the handler over a runtime. */
export function createPollHandler(
  runtime: () => Promise<PollRuntime>,
  options: PollHandlerOptions = {},
): (event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>) => Promise<PollSummary> {
  return async (_event, context) => {
    const rt = await runtime();
    const { delivery } = rt;
    const fetcher = createFetcher({ userAgent: userAgentFor(delivery.env.NEWSLETTER_NAME, delivery.env.PUBLIC_URL), ...options.fetch });
    const remainingMs = remainingTime(context);
    const owner = context?.awsRequestId ?? `local-${process.pid}-${delivery.now()}`;
    try {
      return await pollFeeds({
        feeds: rt.feeds,
        store: rt.store,
        fetcher,
        extractPage: htmlPageExtractor,
        ingest: (json, origin) =>
          ingestArticle(json, origin, { ...delivery, parse: (c, o) => parseArticle(c, o, 'json'), analyze, remainingMs }, { owner }),
        rules: delivery.rules,
        offeredTopics: delivery.env.TOPICS,
        periodMinutes: pollMinutes(rt.feeds),
        log: delivery.log,
        metrics: rt.metrics,
        now: delivery.now,
        remainingMs,
      });
    } finally {
      rt.metrics.flush();
      await fetcher.close();
    }
  };
}

/** The Lambda handler. */
export const handler = createPollHandler(lazy(() => pollRuntime()));
