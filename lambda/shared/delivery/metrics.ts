import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { emptyCounts, type BatchReport, type RecipientOutcome } from './sender.ts';

/**
 * Delivery metrics, written as CloudWatch embedded-metric-format lines in the function's log
 * (Powertools Metrics): no PutMetricData call, no permission. The stack's dashboard
 * (lib/constructs/dashboard.ts) reads the same names from here. The handlers see only the two
 * ports below; local runs and tests pass their own (or none).
 */
export const DELIVERY_METRICS = {
  namespace: 'Newsbrief',
  /** Dimension Powertools adds to every metric (the same as the feed metrics'). */
  service: 'newsbrief',
  /** Recipients the sender settled, by outcome (a failed one is retried and counted again when it settles). */
  outcomes: {
    sent: 'SendSent',
    'already-done': 'SendAlreadySent',
    skipped: 'SendSkipped',
    rejected: 'SendRejected',
    failed: 'SendFailed',
    uncertain: 'SendUncertain',
    'given-up': 'SendGivenUp',
  } satisfies Record<RecipientOutcome, string>,
  /** SES events the mail-events function received: what SES counts in its bounce and complaint rates. */
  hardBounces: 'MailHardBounces',
  softBounces: 'MailSoftBounces',
  complaints: 'MailComplaints',
} as const;

/** The sender's metrics port: one call per batch with its recipients' outcomes, then `flush` at the end of the invocation. */
export interface SendMetrics {
  recipients(counts: Readonly<Record<RecipientOutcome, number>>): void;
  flush(): void;
}

/** What the mail-events function counts: SES's bounce kinds (Permanent = hard) and complaints. */
export type MailEventKind = 'hard-bounce' | 'soft-bounce' | 'complaint';

/** The mail-events metrics port. */
export interface MailEventMetrics {
  event(kind: MailEventKind): void;
  flush(): void;
}

/** A batch's outcomes summed over its jobs. */
export function outcomeTotals(report: Pick<BatchReport, 'jobs'>): Record<RecipientOutcome, number> {
  const totals = emptyCounts();
  for (const job of report.jobs) for (const [k, n] of Object.entries(job.counts)) totals[k as RecipientOutcome] += n;
  return totals;
}

function houseMetrics(): Metrics {
  return new Metrics({ namespace: DELIVERY_METRICS.namespace, serviceName: DELIVERY_METRICS.service });
}

/** Sender metrics through Powertools; every outcome is written (zeros too), so the hourly sums have no gaps. */
export function powertoolsSendMetrics(metrics: Metrics = houseMetrics()): SendMetrics {
  return {
    recipients: (counts) => {
      for (const [outcome, name] of Object.entries(DELIVERY_METRICS.outcomes)) {
        metrics.addMetric(name, MetricUnit.Count, counts[outcome as RecipientOutcome] ?? 0);
      }
    },
    flush: () => metrics.publishStoredMetrics(),
  };
}

const EVENT_METRIC: Record<MailEventKind, string> = {
  'hard-bounce': DELIVERY_METRICS.hardBounces,
  'soft-bounce': DELIVERY_METRICS.softBounces,
  complaint: DELIVERY_METRICS.complaints,
};

/** Mail-event metrics through Powertools: one sum per kind per invocation; `flush` writes nothing when it saw none. */
export function powertoolsMailEventMetrics(metrics: Metrics = houseMetrics()): MailEventMetrics {
  const seen = new Map<MailEventKind, number>();
  return {
    event: (kind) => void seen.set(kind, (seen.get(kind) ?? 0) + 1),
    flush: () => {
      if (seen.size === 0) return;
      for (const [kind, count] of seen) metrics.addMetric(EVENT_METRIC[kind], MetricUnit.Count, count);
      seen.clear();
      metrics.publishStoredMetrics();
    },
  };
}
