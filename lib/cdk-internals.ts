import { CfnResource, type RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';

/** The id CDK gives its singleton bucket-notifications custom resource handler (a Lambda function). */
export const BUCKET_NOTIFICATIONS_HANDLER = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/**
 * Give CDK's bucket-notifications handler a log group of ours. Left alone, Lambda creates
 * `/aws/lambda/<name>` on its first run, with no retention, outside the stack, so it outlives
 * `cdk destroy`. Call after the bucket notifications are added (the handler exists from then on).
 */
export function adoptBucketNotificationsLogs(stack: Stack, options: { retention: RetentionDays; removalPolicy: RemovalPolicy }): void {
  const handler = stack.node.tryFindChild(BUCKET_NOTIFICATIONS_HANDLER);
  const fn = handler?.node.tryFindChild('Resource');
  if (!(fn instanceof CfnResource)) return;
  const logGroup = new LogGroup(stack, 'BucketNotificationsLogGroup', options);
  fn.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
}
