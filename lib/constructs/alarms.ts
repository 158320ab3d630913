import { ArnFormat, Aws, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
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
  /**
   * A customer managed key to encrypt the topic with; its policy then lets CloudWatch use it too.
   * @default - not encrypted (alarm notifications carry alarm names and metric values, no personal data)
   */
  readonly masterKey?: IKey;
}

/** The service that publishes alarm state changes to SNS. */
const CLOUDWATCH = new ServicePrincipal('cloudwatch.amazonaws.com');

/**
 * The operator's alarms, all notifying one SNS topic (on alarm and on recovery):
 * a dead-letter queue holding anything, a function error, and the account's SES bounce and
 * complaint rates (Reputation.BounceRate / Reputation.ComplaintRate, published by SES).
 *
 * The topic's policy (which `enforceSSL` creates, and which replaces SNS's default access policy)
 * allows cloudwatch.amazonaws.com to publish only for this account's alarms that `notify` wired
 * to it; without that statement CloudWatch is "not authorized to perform: SNS:Publish" and every
 * alarm changes state in silence (Amazon SNS Developer Guide, "Amazon SNS access control case
 * examples"; for an encrypted topic, "Enable compatibility between event sources from AWS services
 * and encrypted topics", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 */
export class Alarms extends Construct {
  public readonly topic: Topic;
  public readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: 'newsbrief alarms',
      enforceSSL: true,
      ...(props.masterKey !== undefined ? { masterKey: props.masterKey } : {}),
    });
    if (props.alarmEmail !== undefined) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.action = new SnsAction(this.topic);

    // The topic names each alarm; resolved at synth, so alarms added later through `notify` (by
    // other constructs too) are covered.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [CLOUDWATCH],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': Lazy.list({ produce: () => this.alarms.map((a) => a.alarmArn) }) },
        },
      }),
    );
    // The key cannot name them (alarm -> topic -> key -> alarm would be a dependency cycle): this
    // account's alarms in this region; SNS uses the key only for this topic's messages anyway.
    props.masterKey?.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishEncrypted',
        principals: [CLOUDWATCH],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );

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
      this.notify(alarm);
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

  /** Notify the topic when `alarm` fires and when it recovers; the topic policy lets CloudWatch publish for it. */
  notify(alarm: Alarm): void {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
