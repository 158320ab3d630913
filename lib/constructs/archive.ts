import { Duration } from 'aws-cdk-lib';
import { HttpMethod, type HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_ROUTES } from '../../lambda/archive/routes.ts';
import { ARCHIVE_PREFIX } from '../../lambda/shared/archive/model.ts';
import { grantObjects } from '../grants.ts';
import { acknowledge } from '../nag-suppressions.ts';
import { HouseFunction, type HouseFunctionProps } from './house-function.ts';

export interface ArchiveSiteProps {
  /** The bucket whose `archive/` prefix holds the pages and index entries. */
  readonly bucket: Bucket;
  /** The HTTP API the subscribe routes are on; the archive gets its own routes on it. */
  readonly api: HttpApi;
  /** The functions that render issues and so write their web versions (ingest, digest). */
  readonly publishers: readonly IFunction[];
  /** Entry module of the archive function. */
  readonly entry: string;
  /** Its environment (archiveEnvSchema). */
  readonly environment: Readonly<Record<string, string>>;
  /** House defaults (log retention, removal policy, log level). */
  readonly functionDefaults: Pick<HouseFunctionProps, 'logRetention' | 'logRemovalPolicy' | 'logLevel'>;
}

/**
 * The web archive: a small function on the same HTTP API as the subscribe pages that serves the
 * web versions the renderers wrote under `archive/` (GET /archive/{id}), and for a public archive
 * the index and Atom feed. Served through the API rather than CloudFront: the same origin and
 * `siteUrl` as the subscribe pages, no distribution to deploy, and the bucket stays private with
 * one narrow read grant; responses carry Cache-Control so a CDN put in front caches them.
 */
export class ArchiveSite extends Construct {
  public readonly handler: HouseFunction;

  constructor(scope: Construct, id: string, props: ArchiveSiteProps) {
    super(scope, id);
    this.handler = new HouseFunction(this, 'Function', {
      ...props.functionDefaults,
      description: 'newsbrief: serve the archive of sent issues (web versions, index, Atom feed)',
      entry: props.entry,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { ...props.environment },
    });
    // Reads below archive/ only: never an article, an issue with its slots, or anything else.
    grantObjects(props.bucket, this.handler, ARCHIVE_PREFIX, { read: true });
    for (const publisher of props.publishers) grantObjects(props.bucket, publisher, ARCHIVE_PREFIX, { write: true });

    const integration = new HttpLambdaIntegration('Archive', this.handler);
    // The routes are listed in lambda/archive/routes.ts, which the local HTTP adapter reads too.
    for (const { path } of ARCHIVE_ROUTES) {
      for (const route of props.api.addRoutes({ path, methods: [HttpMethod.GET], integration })) {
        acknowledge(
          route,
          'AwsSolutions-APIG4',
          'The archive is read-only and holds no personal data: a public archive is for everyone, and an unlisted page is protected by its unguessable 128-bit id. Stage throttling bounds abuse.',
        );
      }
    }
  }
}
