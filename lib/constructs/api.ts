import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  LogGroupLogDestination,
  type HttpStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ROUTES } from '../../lambda/subscribe/routes.ts';
import { acknowledge } from '../nag-suppressions.ts';

/**
 * The routes of the subscribe API (issue 4), all served by one handler (lambda/subscribe/app.ts):
 * GETs show pages and never change state (link scanners follow GET links); POSTs act. The list itself
 * is lambda/subscribe/routes.ts, shared with the app and the local HTTP adapter.
 */
export const SUBSCRIBE_ROUTES: readonly { readonly method: HttpMethod; readonly path: string }[] = ROUTES.map((r) => ({
  method: HttpMethod[r.method],
  path: r.path,
}));

export interface SubscribeApiProps {
  /** Stage throttling: steady rate (requests/s) and burst. */
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Origins allowed to call the API from browser scripts.
   * @default - no CORS configuration (same-origin and plain form posts only)
   */
  readonly allowedOrigins?: readonly string[];
  /** Retention of the access log. */
  readonly logRetention: RetentionDays;
  /** Removal policy of the access log. */
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * The public HTTP API of the subscribe function, with stage throttling and an access log.
 * The access log format leaves out query strings: they carry confirm/unsubscribe tokens.
 * The API is created before the function (whose environment needs its URL); `addHandler` wires them.
 */
export class SubscribeApi extends Construct {
  public readonly api: HttpApi;
  public readonly stage: HttpStage;
  /** Base URL of the API (no trailing slash), e.g. https://abc123.execute-api.eu-west-1.amazonaws.com. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: SubscribeApiProps) {
    super(scope, id);
    const origins = props.allowedOrigins ?? [];
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'newsbrief subscriptions: subscribe, confirm, unsubscribe (RFC 8058), preferences, forget',
      createDefaultStage: false,
      ...(origins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...origins],
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
              allowHeaders: ['content-type'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    const accessLog = new LogGroup(this, 'AccessLog', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttling.rateLimit, burstLimit: props.throttling.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLog),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.url = this.api.apiEndpoint;
  }

  /** Route every subscribe endpoint to `handler`. */
  addHandler(handler: IFunction): void {
    const integration = new HttpLambdaIntegration('Subscribe', handler);
    for (const route of SUBSCRIBE_ROUTES) {
      for (const added of this.api.addRoutes({ path: route.path, methods: [route.method], integration })) {
        acknowledge(
          added,
          'AwsSolutions-APIG4',
          'A public newsletter API has no signed-in users: anyone may ask to subscribe (double opt-in mails a confirmation link first, at most once per 10 minutes per address and per mailbox), and every other route is authorised by an HMAC-signed, purpose-bound, expiring token in the URL, as RFC 8058 one-click unsubscribe requires. Stage throttling bounds abuse.',
        );
      }
    }
  }
}
