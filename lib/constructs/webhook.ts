import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ARTICLES_ROUTE } from '../../lambda/articles/routes.ts';
import { CMS_PREFIX } from '../../lambda/shared/webhook/accept.ts';
import { environmentFor, type EnvKey } from '../environment.ts';
import { grantObjects } from '../grants.ts';
import { acknowledge } from '../nag-suppressions.ts';
import type { SubscribeApi } from './api.ts';
import type { FunctionDefaults } from './delivery.ts';
import { HouseFunction } from './house-function.ts';
import { GENERATED_KEYRING } from './signing-key.ts';

export interface CmsWebhookProps {
  /** The HTTP API that gets the `POST /articles` route. */
  readonly api: SubscribeApi;
  readonly bucket: Bucket;
  readonly environment: Readonly<Record<EnvKey, string>>;
  readonly functionDefaults: FunctionDefaults;
  readonly entry: string;
  /**
   * What happens to the webhook secret when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The CMS webhook: `POST /articles` on the HTTP API, served by its own function, authenticated by an
 * HMAC-SHA256 signature under a secret generated at deploy (a keyring `{"current":"k1","k1":"…"}`
 * like the token signing key, so it rotates by adding a key). The function may only write (and
 * read, for idempotency) objects under articles/cms/, where the ingest function picks them up.
 */
export class CmsWebhook extends Construct {
  public readonly handler: HouseFunction;
  public readonly secret: Secret;

  constructor(scope: Construct, id: string, props: CmsWebhookProps) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'newsbrief CMS webhook HMAC key ring {"current": keyId, keyId: secret}',
      generateSecretString: GENERATED_KEYRING,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    acknowledge(
      this.secret,
      'AwsSolutions-SMG4',
      'An HMAC key shared with the operator\'s CMS, not a credential Secrets Manager could rotate on its own: the CMS must learn the new key. It rotates by adding a key id (both verify meanwhile), as the README describes.',
    );
    const { functionDefaults } = props;
    this.handler = new HouseFunction(this, 'Handler', {
      logRetention: functionDefaults.logRetention,
      logRemovalPolicy: functionDefaults.logRemovalPolicy,
      logLevel: functionDefaults.logLevel,
      description: 'newsbrief: CMS webhook, POST /articles (signed JSON article or {url})',
      entry: props.entry,
      // API Gateway gives up at 30 s; a {url} fetch is bounded to fit inside.
      timeout: Duration.seconds(28),
      environment: environmentFor('articles', { ...props.environment, WEBHOOK_SECRET_ARN: this.secret.secretArn }),
    });
    grantObjects(props.bucket, this.handler, CMS_PREFIX, { read: true, write: true });
    this.secret.grantRead(this.handler);
    const routes = props.api.api.addRoutes({
      path: ARTICLES_ROUTE.path,
      methods: [HttpMethod[ARTICLES_ROUTE.method]],
      integration: new HttpLambdaIntegration('Articles', this.handler),
    });
    for (const route of routes) {
      acknowledge(
        route,
        'AwsSolutions-APIG4',
        'The CMS authenticates every request with an HMAC-SHA256 signature of the body and a timestamp under a secret generated at deploy (checked before the body is parsed); an API Gateway authorizer could not check a signature over the body. Stage throttling bounds abuse.',
      );
    }
  }
}
