/**
 * A small node:http front for Lambda handlers that take API Gateway HTTP API (payload 2.0) events:
 * request → APIGatewayProxyEventV2 → handler → response. Used by `npm run serve`, the benchmarks and
 * the integration tests, so they run the very handler that Lambda runs. It routes as the HTTP API
 * does, so what works here works deployed and what API Gateway refuses is refused here:
 * - only origin-form request targets (`/path?query`); anything else, a malformed percent-escape or a
 *   control character in the decoded path is 400 `bad_request`;
 * - the path is percent-decoded once (API Gateway hands the integration the decoded path as
 *   `rawPath`) and must match a route's path exactly: case-sensitive, no trailing slash, no dot
 *   segments resolved (`/subscribe/../confirm` is no route), a `{name}` segment standing for one
 *   non-empty segment and a final `{name+}` for the rest, for that route's method; anything else is
 *   404 `not_found`. Errors are JSON `{error, message}`, never a 500.
 * Like API Gateway, it passes text bodies as strings and other bodies base64-encoded (isBase64Encoded).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** The routes the API has (lambda/subscribe/routes.ts, lambda/archive/routes.ts); a request that matches none never reaches a handler. */
export interface AdapterRoute {
  readonly method: string;
  /** As in the stack: `/confirm`, `/archive/{id}`, `/files/{path+}`. */
  readonly path: string;
}

/**
 * The path parameters of a decoded request path under a route path, as API Gateway's HTTP API
 * matches them, or null when it does not match.
 */
export function matchRoute(routePath: string, path: string): Record<string, string> | null {
  const want = routePath.split('/');
  const got = path.split('/');
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const greedy = /^\{([^}]+)\+\}$/.exec(segment);
    if (greedy) {
      const rest = got.slice(i).join('/');
      return i === want.length - 1 && rest !== '' ? { ...params, [greedy[1] as string]: rest } : null;
    }
    const actual = got[i];
    const variable = /^\{([^}]+)\}$/.exec(segment);
    if (actual === undefined || (variable ? actual === '' : actual !== segment)) return null;
    if (variable) params[variable[1] as string] = actual;
  }
  return got.length === want.length ? params : null;
}

/** API Gateway's own payload limit is 10 MB; locally 1 MB is plenty and keeps memory bounded. */
const MAX_ADAPTER_BODY = 1024 * 1024;

const TEXTUAL = /^(text\/|application\/(json|[\w.+-]*\+json|x-www-form-urlencoded|xml))/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

/** The request target split and decoded as API Gateway does; null when it is malformed (400). */
export function parseTarget(target: string): { path: string; rawQueryString: string } | null {
  if (!target.startsWith('/')) return null;
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (CONTROL.test(path)) return null;
  return { path, rawQueryString: q < 0 ? '' : target.slice(q + 1) };
}

/** Translate a node request into the event API Gateway would deliver for `route` (`target` from parseTarget). */
export function toEvent(
  req: IncomingMessage,
  body: Buffer,
  target: { path: string; rawQueryString: string },
  route: { path: string; params: Record<string, string> },
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(target.rawQueryString)) query[k] = k in query ? `${query[k]},${v}` : v;
  const textual = TEXTUAL.test(headers['content-type'] ?? '');
  const method = (req.method ?? 'GET').toUpperCase();
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${method} ${route.path}`,
    rawPath: target.path,
    rawQueryString: target.rawQueryString,
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(route.params).length > 0 ? { pathParameters: route.params } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method, path: target.path, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: `${method} ${route.path}`,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ADAPTER_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function refuse(res: ServerResponse, status: number, error: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify({ error, message }));
}

async function handle(handler: HttpHandler, routes: readonly AdapterRoute[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (body === null) return refuse(res, 413, 'payload_too_large', 'request body too large');
  const target = parseTarget(req.url ?? '');
  if (!target) return refuse(res, 400, 'bad_request', 'The request path is malformed.');
  const method = (req.method ?? '').toUpperCase();
  let route: { path: string; params: Record<string, string> } | undefined;
  for (const r of routes) {
    const params = r.method === method ? matchRoute(r.path, target.path) : null;
    if (params) {
      route = { path: r.path, params };
      break;
    }
  }
  if (!route) return refuse(res, 404, 'not_found', 'There is nothing here.');
  const result = await handler(toEvent(req, body, target, route));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  const out = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  res.writeHead(result.statusCode ?? 200, headers).end(out);
}

/** Serve `handler` for `routes` on host:port (0 = a free port); resolves once listening. close() drains in-flight requests. */
export async function startHttpAdapter(
  handler: HttpHandler,
  options: { readonly routes: readonly AdapterRoute[]; readonly port?: number; readonly host?: string },
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  // In-flight handler calls, so close() can let them finish before the stand-ins behind them stop.
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const done = handle(handler, options.routes, req, res)
      .catch(() => {
        // The handler maps its own errors; this is only for a crash in the adapter itself.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal', message: 'local adapter error' }));
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  // A request line node:http cannot parse (an empty or spaced target, bad characters) is 400 too, in JSON.
  server.on('clientError', (_error, socket) => {
    if (!socket.writable) return socket.destroy();
    const body = JSON.stringify({ error: 'bad_request', message: 'The request is malformed.' });
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Give in-flight requests up to 5 s, then cut every connection.
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 5_000).unref())]);
      server.closeAllConnections();
      await closed;
    },
  };
}
