import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { powertoolsLog, type Log } from './logger.ts';

/**
 * What the HTTP functions (subscribe, archive) share at their edge: the response shape, and the
 * cold start that builds the app once and answers a failed build without leaking it.
 */

/** A complete API Gateway HTTP API (payload 2.0) response. */
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string>; body: string };

/** A request handler of an HTTP function. */
export type HttpApp = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;

/** Wrap an app builder: build once, retry a failed build on the next request, never leak its error. */
export function lazyHandler(build: () => Promise<HttpApp>, log: Log = powertoolsLog): HttpApp {
  let app: Promise<HttpApp> | undefined;
  return async (event) => {
    app ??= build().catch((error: unknown) => {
      app = undefined;
      throw error;
    });
    let ready: HttpApp;
    try {
      ready = await app;
    } catch (error) {
      log.error('function failed to start', { errorName: (error as Error)?.name, reason: (error as Error)?.message });
      return {
        statusCode: 500,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        body: JSON.stringify({ error: 'internal', message: 'The service is misconfigured. Please try again later.' }),
      };
    }
    return ready(event);
  };
}
