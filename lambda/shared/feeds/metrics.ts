import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FeedMetrics } from './poll.ts';

/**
 * The feed metrics, as CloudWatch embedded-metric-format lines in the poll function's log
 * (Powertools Metrics): no PutMetricData call, no permission. The stack's feed alarm reads the same
 * names from here.
 */
export const FEED_METRICS = {
  namespace: 'Newsbrief',
  /** Dimension Powertools adds to every metric. */
  service: 'newsbrief',
  /** Seconds the longest-failing feed has been failing; 0 when every feed is healthy. Published by every poll. */
  oldestFailure: 'FeedFailingSeconds',
  /** Failed feed polls. */
  failures: 'FeedPollFailures',
  /** Articles ingested from feeds. */
  ingested: 'FeedItemsIngested',
} as const;

/** Feed metrics through Powertools; `flush()` writes them at the end of the invocation. */
export function powertoolsFeedMetrics(): FeedMetrics & { flush(): void } {
  const metrics = new Metrics({ namespace: FEED_METRICS.namespace, serviceName: FEED_METRICS.service });
  return {
    feedFailed: () => metrics.addMetric(FEED_METRICS.failures, MetricUnit.Count, 1),
    itemsIngested: (count) => metrics.addMetric(FEED_METRICS.ingested, MetricUnit.Count, count),
    oldestFailure: (seconds) => metrics.addMetric(FEED_METRICS.oldestFailure, MetricUnit.Seconds, seconds),
    flush: () => metrics.publishStoredMetrics(),
  };
}
