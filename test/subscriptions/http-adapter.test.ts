import { request } from 'node:http';
import { connect } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_ROUTES } from '../../lambda/archive/routes.ts';
import { ROUTES } from '../../lambda/subscribe/routes.ts';
import { startHttpAdapter } from '../../scripts/local/http-adapter.ts';

/**
 * The local HTTP adapter routes as API Gateway's HTTP API does (issue 11: on main `///` and `//%`
 * answered 500, `//a:b@c/subscribe` reached /subscribe and `/subscribe/../confirm` reached /confirm).
 * Requests go out raw (node:http and a socket), because fetch would normalise the very paths under test.
 */
describe('local HTTP adapter', () => {
  const seen: APIGatewayProxyEventV2[] = [];
  let adapter: Awaited<ReturnType<typeof startHttpAdapter>>;
  let port = 0;

  beforeAll(async () => {
    adapter = await startHttpAdapter(
      async (event) => {
        seen.push(event);
        return { statusCode: 299, headers: { 'content-type': 'text/plain' }, body: `${event.routeKey}|${event.rawPath}|${event.rawQueryString}` };
      },
      { routes: [...ROUTES, ...ARCHIVE_ROUTES] },
    );
    port = Number(new URL(adapter.url).port);
  });
  afterAll(async () => {
    await adapter?.close();
  });

  /** Send `method target` exactly as written. */
  function raw(method: string, target: string): Promise<{ status: number; body: string; type: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        // HTTP/1.0: the answer comes unchunked, and the connection closes after it.
        socket.write(`${method} ${target} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n`);
      });
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('error', reject);
      socket.on('end', () => {
        const status = Number(data.split(' ')[1]);
        const body = data.slice(data.indexOf('\r\n\r\n') + 4);
        const type = /content-type: ([^\r\n]+)/i.exec(data)?.[1] ?? '';
        resolve({ status, body, type });
      });
    });
  }

  it.each([
    ['GET', '///', 404],
    ['GET', '//%', 400],
    ['POST', '//a:b@c/subscribe', 404],
    ['GET', '/subscribe/../confirm', 404],
    ['GET', '/confirm/.', 404],
    ['POST', '/subscribe/', 404],
    ['POST', '//subscribe', 404],
    ['POST', '/SUBSCRIBE', 404],
    ['GET', '/confirm%', 400],
    ['GET', '/%E0%A4%A', 400],
    ['GET', '/%ff', 400],
    ['GET', '/%00', 400],
    ['GET', '/confirm%0a', 400],
    ['POST', 'http://evil.example/subscribe', 400],
    ['OPTIONS', '*', 400],
    ['DELETE', '/subscribe', 404],
    ['GET', '/subscribe', 404],
    ['HEAD', '/', 404],
    ['OPTIONS', '/subscribe', 404],
    ['GET', '/__proto__', 404],
    ['GET', '/constructor', 404],
    ['GET', '/archive/', 404],
    ['GET', '/archive/a/b', 404],
    ['GET', '/archive/a%2Fb', 404],
    ['POST', '/archive/x', 404],
  ])('%s %s → %i {error, message}', async (method, target, status) => {
    const before = seen.length;
    const res = await raw(method, target);
    expect(res.status).toBe(status);
    if (method !== 'HEAD') {
      expect(res.type).toContain('application/json');
      expect(Object.keys(JSON.parse(res.body) as object).sort()).toEqual(['error', 'message']);
    }
    expect(seen.length).toBe(before);
  });

  it('passes every route of the API to the handler, with API Gateway\'s route key, decoded path and raw query', async () => {
    for (const route of ROUTES) {
      const res = await raw(route.method, `${route.path}?token=a%2Bb&x=1`);
      expect(res.status).toBe(299);
      expect(res.body).toBe(`${route.method} ${route.path}|${route.path}|token=a%2Bb&x=1`);
    }
    // API Gateway decodes the path before matching and hands the decoded path on.
    const encoded = await raw('POST', '/%73ubscribe');
    expect(encoded.body).toBe('POST /subscribe|/subscribe|');
    expect(seen.at(-1)?.queryStringParameters).toBeUndefined();
    await raw('GET', '/confirm?token=a%2Bb&token=c');
    expect(seen.at(-1)?.queryStringParameters).toEqual({ token: 'a+b,c' });
    // A path variable matches one segment, and the event carries it as API Gateway does.
    const page = await raw('GET', '/archive/Zm9v_1-x');
    expect(page.body).toBe('GET /archive/{id}|/archive/Zm9v_1-x|');
    expect(seen.at(-1)?.pathParameters).toEqual({ id: 'Zm9v_1-x' });
  });

  it('answers 400 or 404, never 500, for any request target', async () => {
    const segment = fc.oneof(
      fc.constantFrom('', '.', '..', '%', '%2', '%2F', '%2e', '%00', '%ff', 'subscribe', 'confirm', '@', ':', 'a:b@c', '?', '#', '%3F', '\\'),
      // Printable ASCII only: node:http refuses anything else before the adapter sees it (clientError, also JSON).
      fc.string({ maxLength: 6 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
    );
    const target = fc.oneof(
      fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
      fc.array(segment, { maxLength: 4 }).map((parts) => parts.join('/')),
      fc.webUrl(),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), target, async (method, t) => {
        const res = await raw(method, t);
        expect([299, 400, 404]).toContain(res.status);
        if (res.status !== 299) expect(Object.keys(JSON.parse(res.body) as object).sort()).toEqual(['error', 'message']);
      }),
      { numRuns: 300 },
    );
  });

  it('a request with a body the Node client sends is routed like any other', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/subscribe', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{"email":"a@example.org"}');
    });
    expect(status).toBe(299);
    expect(seen.at(-1)?.body).toBe('{"email":"a@example.org"}');
  });
});
