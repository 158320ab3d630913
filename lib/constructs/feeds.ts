import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { pollMinutes, type FeedConfig } from '../../lambda/shared/feeds/config.ts';
import { FEED_METRICS } from '../../lambda/shared/feeds/metrics.ts';
import { environmentFor, type EnvKey } from '../environment.ts';
import { grantObjects, grantTable } from '../grants.ts';
import { acknowledge, arnFinding } from '../nag-suppressions.ts';
import { ISSUES_PREFIX } from './data.ts';
import type { FunctionDefaults } from './delivery.ts';
import { HouseFunction } from './house-function.ts';

/** A feed failing this long raises the alarm. */
export const FEED_FAILURE_ALARM_SECONDS = 24 * 3600;
/** The poller's timeout: shorter than the shortest schedule period (5 minutes), so two polls never overlap. */
export const POLL_TIMEOUT = Duration.minutes(4);

export interface FeedPollingProps {
  readonly table: TableV2;
  readonly bucket: Bucket;
  /** The send queue the ingest path puts alert jobs on. */
  readonly sendQueue: IQueue;
  /** Every environment value of the delivery functions (the poller runs the ingest path). */
  readonly environment: Readonly<Record<EnvKey, string>>;
  /** The validated feed list. */
  readonly feeds: readonly FeedConfig[];
  readonly functionDefaults: FunctionDefaults;
  /** Copies templates/ beside the bundle: the poller renders alerts. */
  readonly renderingHooks: ICommandHooks;
  readonly entry: string;
}

/**
 * The feed poller: a function run by an EventBridge Scheduler schedule (every 10 minutes, or the
 * shortest `every` of a feed), allowed exactly what the ingest path and the feed state need, and an
 * alarm when a feed has failed for 24 hours.
 */
export class FeedPolling extends Construct {
  public readonly poll: HouseFunction;
  public readonly schedule: Schedule;
  public readonly periodMinutes: number;

  constructor(scope: Construct, id: string, props: FeedPollingProps) {
    super(scope, id);
    const { functionDefaults } = props;
    this.periodMinutes = pollMinutes(props.feeds);
    this.poll = new HouseFunction(this, 'Poll', {
      logRetention: functionDefaults.logRetention,
      logRemovalPolicy: functionDefaults.logRemovalPolicy,
      logLevel: functionDefaults.logLevel,
      description: 'newsbrief: poll the configured feeds and ingest their new items',
      entry: props.entry,
      memorySize: 1024, // the ingest path's analysis is CPU-bound
      timeout: POLL_TIMEOUT,
      // A failed poll is retried by the next schedule, with the feed's own backoff; no Lambda retries on top.
      retryAttempts: 0,
      bundling: { commandHooks: props.renderingHooks },
      environment: environmentFor('poll', { ...props.environment, FEEDS: JSON.stringify(props.feeds) }),
    });
    // Feed state and seen items (Get, conditional Put/Update); the ingest path: articles, alert runs, immediate subscribers (Query).
    grantTable(props.table, this.poll, { items: ['GetItem', 'PutItem', 'UpdateItem'], queryIndex: true });
    grantObjects(props.bucket, this.poll, ISSUES_PREFIX, { read: true, write: true });
    props.sendQueue.grantSendMessages(this.poll);

    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    acknowledge(
      role,
      arnFinding(role, this.poll, ':*'),
      'Added by the scheduler target\'s grantInvoke: the poll function and its versions/aliases (function ARN + ":*"), never any other function.',
    );
    this.schedule = new Schedule(this, 'Schedule', {
      description: `newsbrief feed poll every ${this.periodMinutes} minutes`,
      schedule: ScheduleExpression.rate(Duration.minutes(this.periodMinutes)),
      target: new LambdaInvoke(this.poll, {
        role,
        input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime }),
        retryAttempts: 2,
        // A poll that could not start within a period is replaced by the next one.
        maxEventAge: Duration.minutes(Math.max(1, this.periodMinutes - 1)),
      }),
    });
  }

  /** The alarm: the longest-failing feed (FeedFailingSeconds, published by every poll) has failed for 24 hours. */
  addFailureAlarm(topic: ITopic): Alarm {
    const alarm = new Alarm(this, 'FeedFailingAlarm', {
      metric: new Metric({
        namespace: FEED_METRICS.namespace,
        metricName: FEED_METRICS.oldestFailure,
        dimensionsMap: { service: FEED_METRICS.service },
        statistic: 'Maximum',
        // Each 30 minutes holds at least two polls, so a failing feed never looks healthy for lack of data.
        period: Duration.minutes(30),
      }),
      threshold: FEED_FAILURE_ALARM_SECONDS,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'newsbrief: a feed has failed for 24 hours. The poll function\'s log has "feed failed" with the feed URL and the reason (README, "Feeds").',
    });
    const action = new SnsAction(topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }
}
