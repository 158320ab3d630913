import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays, type ILogGroupRef } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { HOUSE_BUNDLING } from '../bundling.ts';
import { acknowledge } from '../nag-suppressions.ts';

/** Props of a HouseFunction: any NodejsFunction prop, which wins over the house default. */
export interface HouseFunctionProps extends NodejsFunctionProps {
  /** Path of the handler module (each exports `handler`). */
  readonly entry: string;
  /**
   * Powertools service name (POWERTOOLS_SERVICE_NAME).
   * @default 'newsbrief'
   */
  readonly serviceName?: string;
  /**
   * Powertools log level (POWERTOOLS_LOG_LEVEL).
   * @default 'INFO'
   */
  readonly logLevel?: string;
  /**
   * Retention of the function's log group; ignored when `logGroup` is given.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when the stack is deleted; ignored when `logGroup` is given.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A NodejsFunction with the house defaults: Node.js 24 on ARM64, ESM bundled by the local
 * esbuild with source maps, an explicit log group with retention, active tracing and the
 * Powertools environment. The caller's props win; `environment` and `bundling` are merged.
 *
 * The role is a fresh one whose only log permission is writing to this function's own log group,
 * instead of the AWSLambdaBasicExecutionRole managed policy (which allows writing to any group).
 */
export class HouseFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    const { serviceName, logLevel, logRetention, logRemovalPolicy, environment, bundling, ...rest } = props;
    const logGroup: ILogGroupRef =
      props.logGroup ??
      new LogGroup(scope, `${id}LogGroup`, {
        retention: logRetention ?? RetentionDays.ONE_MONTH,
        removalPolicy: logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
    const role: IRole =
      props.role ?? new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    if (props.role === undefined) {
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupRef.logGroupArn] }),
      );
      acknowledge(
        role,
        'AwsSolutions-IAM5[Resource::*]',
        'Only the X-Ray statement that active tracing adds (xray:PutTraceSegments, xray:PutTelemetryRecords) has Resource "*": those actions support no resource-level permissions. test/infra asserts that no other statement does.',
      );
    }
    super(scope, id, {
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      ...rest,
      logGroup,
      role,
      bundling: { ...HOUSE_BUNDLING, ...bundling },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: serviceName ?? 'newsbrief',
        POWERTOOLS_LOG_LEVEL: logLevel ?? 'INFO',
        ...environment,
      },
    });
  }
}
