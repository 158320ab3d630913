import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * SES reviews an account whose bounce rate reaches 5% and pauses it around 10%; complaints are
 * reviewed from 0.1% (SES sending review process). These alarms fire just below review.
 */
export const BOUNCE_RATE_THRESHOLD = 0.04;
export const COMPLAINT_RATE_THRESHOLD = 0.0008;

export interface AlarmsProps {
  /** Dead-letter queues: any message in one is work that needs a human. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Functions whose errors alarm, by a short name used in the alarm's description. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /**
   * Address subscribed to the alarm topic (SNS mails a confirmation link first).
   * @default - no subscription; subscribe to the topic yourself
   */
  readonly alarmEmail?: string;
}

/**
 * The operator's alarms, all notifying one SNS topic (on alarm and on recovery):
 * a dead-letter queue holding anything, a function error, and the account's SES bounce and
 * complaint rates (Reputation.BounceRate / Reputation.ComplaintRate, published by SES).
 */
export class Alarms extends Construct {
  public readonly topic: Topic;
  public readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: 'newsbrief alarms', enforceSSL: true });
    if (props.alarmEmail !== undefined) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const add = (alarmId: string, metric: IMetric, description: string, threshold: number, comparisonOperator: ComparisonOperator): void => {
      const alarm = new Alarm(this, alarmId, {
        metric,
        threshold,
        comparisonOperator,
        evaluationPeriods: 1,
        // No data means no messages, no invocations or no sends: nothing is wrong.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      add(
        `${name}NotEmpty`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        `newsbrief: messages in the ${name} dead-letter queue. Inspect them, fix the cause, then redrive (README, "Reading the alarms").`,
        0,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      add(
        `${name}Errors`,
        fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        `newsbrief: the ${name} function failed. Its log group has the error with a request id.`,
        0,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    }
    add(
      'SesBounceRate',
      new Metric({ namespace: 'AWS/SES', metricName: 'Reputation.BounceRate', statistic: 'Maximum', period: Duration.hours(1) }),
      'newsbrief: SES account bounce rate reached 4% (SES reviews the account at 5%). Check list hygiene and the suppressed subscribers.',
      BOUNCE_RATE_THRESHOLD,
      ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    );
    add(
      'SesComplaintRate',
      new Metric({ namespace: 'AWS/SES', metricName: 'Reputation.ComplaintRate', statistic: 'Maximum', period: Duration.hours(1) }),
      'newsbrief: SES account complaint rate reached 0.08% (SES reviews the account at 0.1%). Check what was sent and to whom.',
      COMPLAINT_RATE_THRESHOLD,
      ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    );
  }
}
