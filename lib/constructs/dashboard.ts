import { Duration, Stack } from 'aws-cdk-lib';
import {
  Dashboard as CloudWatchDashboard,
  GraphWidget,
  MathExpression,
  Metric,
  Shading,
  TextWidget,
  type HorizontalAnnotation,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DELIVERY_METRICS } from '../../lambda/shared/delivery/metrics.ts';
import type { RecipientOutcome } from '../../lambda/shared/delivery/sender.ts';

/**
 * SES's review thresholds (Amazon SES developer guide, "Sending review process FAQs"): at a 5 % bounce
 * rate or a 0.1 % complaint rate SES puts the account under review; at 10 % and 0.5 % it may pause
 * sending. The dashboard draws both lines; the alarms (alarms.ts) fire just below the first.
 */
export const SES_REVIEW = {
  bounce: { review: 5, pause: 10 },
  complaint: { review: 0.1, pause: 0.5 },
} as const;

export interface DashboardProps {
  /** Work queues whose depth and oldest message age are shown, by name. */
  readonly queues: Readonly<Record<string, IQueue>>;
  /** Dead-letter queues whose message counts are shown, by name. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Functions whose errors are shown, by name. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /**
   * The dashboard's name.
   * @default - the stack's name
   */
  readonly dashboardName?: string;
}

/** How the dashboard names each outcome the sender reports (a new outcome fails the type check until it has one). */
const OUTCOME_LABELS: Record<RecipientOutcome, string> = {
  sent: 'sent',
  'already-done': 'already sent (ledger)',
  skipped: 'skipped (not confirmed now)',
  rejected: 'rejected by SES',
  failed: 'failed (retried)',
  uncertain: 'answer lost (sent at most once more)',
  'given-up': 'answer lost again (not retried)',
};

const HOUR = Duration.hours(1);
const FIVE_MINUTES = Duration.minutes(5);

function delivery(metricName: string, label: string): Metric {
  return new Metric({
    namespace: DELIVERY_METRICS.namespace,
    metricName,
    dimensionsMap: { service: DELIVERY_METRICS.service },
    statistic: 'Sum',
    period: HOUR,
    label,
  });
}

function thresholds(rate: { readonly review: number; readonly pause: number }): HorizontalAnnotation[] {
  return [
    { value: rate.review, label: `SES review (${rate.review} %)`, color: '#ff7f0e', fill: Shading.NONE },
    { value: rate.pause, label: `SES may pause sending (${rate.pause} %)`, color: '#d62728', fill: Shading.ABOVE },
  ];
}

/**
 * The operator's CloudWatch dashboard: sends per hour by outcome and the bounce and complaint rates
 * against SES's review thresholds (from the handlers' EMF metrics, delivery/metrics.ts, and SES's own
 * account reputation), the work queues' depth and age, the dead-letter queues, and function errors.
 */
export class Dashboard extends Construct {
  public readonly dashboard: CloudWatchDashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const names = DELIVERY_METRICS.outcomes;
    const sent = delivery(names.sent, 'sent');

    const rate = (title: string, ours: string, oursLabel: string, reputation: string, limits: { review: number; pause: number }) =>
      new GraphWidget({
        title,
        width: 12,
        left: [
          // What SES reviews: the account's rate over its own window, published by SES.
          new MathExpression({
            expression: '100 * r',
            usingMetrics: { r: new Metric({ namespace: 'AWS/SES', metricName: reputation, statistic: 'Maximum', period: HOUR }) },
            label: `SES account ${reputation} (%)`,
            period: HOUR,
          }),
          // This stack's hour: events received per message sent (events lag their sends, so a rough guide).
          new MathExpression({
            expression: 'IF(s > 0, 100 * FILL(e, 0) / s, 0)',
            usingMetrics: { e: delivery(ours, oursLabel), s: sent },
            label: `${oursLabel} per message sent this hour (%)`,
            period: HOUR,
          }),
        ],
        leftAnnotations: thresholds(limits),
        leftYAxis: { min: 0, label: '%', showUnits: false },
      });

    const queueWidget = (title: string, queues: Readonly<Record<string, IQueue>>, metric: (queue: IQueue, label: string) => IMetric, unit: string) =>
      new GraphWidget({
        title,
        width: 8,
        left: Object.entries(queues).map(([name, queue]) => metric(queue, name)),
        leftYAxis: { min: 0, label: unit, showUnits: false },
      });
    const depth = (queue: IQueue, label: string) => queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES, label });
    const age = (queue: IQueue, label: string) => queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: FIVE_MINUTES, label });

    this.dashboard = new CloudWatchDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? Stack.of(this).stackName,
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new TextWidget({
            width: 24,
            height: 2,
            markdown:
              '## newsbrief\nSends per hour by outcome; bounce and complaint rates against SES review thresholds; queues; dead letters; function errors. ' +
              'Runbook: README, "Operating newsbrief" and "Alarms".',
          }),
        ],
        [
          new GraphWidget({
            title: 'Sends per hour, by outcome',
            width: 24,
            stacked: true,
            left: Object.entries(OUTCOME_LABELS).map(([outcome, label]) => delivery(names[outcome as RecipientOutcome], label)),
            leftYAxis: { min: 0, label: 'recipients', showUnits: false },
          }),
        ],
        [
          rate('Bounce rate', DELIVERY_METRICS.hardBounces, 'hard bounces', 'Reputation.BounceRate', SES_REVIEW.bounce),
          rate('Complaint rate', DELIVERY_METRICS.complaints, 'complaints', 'Reputation.ComplaintRate', SES_REVIEW.complaint),
        ],
        [
          queueWidget('Queue depth', props.queues, depth, 'messages'),
          queueWidget('Oldest message age', props.queues, age, 'seconds'),
          queueWidget('Dead-letter queues', props.deadLetterQueues, depth, 'messages'),
        ],
        [
          new GraphWidget({
            title: 'Function errors',
            width: 24,
            left: Object.entries(props.functions).map(([name, fn]) => fn.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES, label: name })),
            leftYAxis: { min: 0, label: 'errors', showUnits: false },
          }),
        ],
      ],
    });
  }
}
