import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { BUCKET_NOTIFICATIONS_HANDLER } from './cdk-internals.ts';

/**
 * cdk-nag AwsSolutions findings this stack accepts. Each is acknowledged where the resource is
 * made, on the narrowest construct and finding id (`Rule[Finding]`), with a reason; the nag test
 * (test/infra/stack.test.ts) fails on anything unacknowledged.
 */

/** Acknowledge cdk-nag finding `id` on `scope` (and its children) with `reason`. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** The nag finding id of a wildcard resource `<LogicalId.Arn>suffix`, as cdk-nag prints it. */
export function arnFinding(scope: IConstruct, resource: IConstruct, suffix: string): string {
  const child = resource.node.defaultChild;
  if (child === undefined) throw new Error(`${resource.node.path} has no CloudFormation resource`);
  const logicalId = Stack.of(scope).getLogicalId(child as never);
  return `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>${suffix}]`;
}


/** Acknowledge findings on resources CDK itself adds to the stack. */
export function acknowledgeCdkInternals(stack: Stack): void {
  const handler = stack.node.tryFindChild(BUCKET_NOTIFICATIONS_HANDLER);
  if (handler !== undefined) {
    acknowledge(
      handler,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'CDK\'s own custom resource that writes the bucket\'s notification configuration at deploy time (S3 notifications cannot be set in CloudFormation without a circular dependency). It runs only during deployments; its role is created by aws-cdk-lib and only writes its own logs with this managed policy.',
    );
  }
}
