/** The CMS webhook: signature, replay, bad bodies, idempotency, {url} fetches (local servers only). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { articlesAppFromEnvironment, lazyArticlesHandler } from '../../lambda/articles/handler.ts';
import type { ArticlesApp } from '../../lambda/articles/app.ts';
import { parseArticle } from '../../lambda/shared/article/parse.ts';
import { articleId } from '../../lambda/shared/delivery/articles.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { signBody } from '../../lambda/shared/webhook/signature.ts';
import { ARTICLES_ROUTE } from '../../lambda/articles/routes.ts';
import { startHttpAdapter } from '../../scripts/local/http-adapter.ts';
import { MapBlobs } from '../delivery/digest-fixtures.ts';
import { startServer, type TestServer } from '../feeds/servers.ts';

const KEY = 'w'.repeat(40);
const OLD_KEY = 'o'.repeat(40);
const NOW = Date.parse('2026-07-01T10:00:00Z');
const ts = Math.floor(NOW / 1000);
const env = {
  BUCKET_NAME: 'local',
  NEWSLETTER_NAME: 'The Test Brief',
  PUBLIC_URL: 'https://brief.example.com',
  WEBHOOK_KEYRING: JSON.stringify({ current: 'k2', k2: KEY, k1: OLD_KEY }),
};

const ARTICLE = {
  title: 'City freezes bus and metro fares',
  publishedAt: '2026-07-01T09:00:00+05:30',
  url: 'https://news.example.com/fares',
  topics: ['city'],
  body: ['The city froze bus and metro fares for another year on Wednesday.', '“No rider will pay more in 2027,” said Mayor Lena Ortiz.'],
};

let pages: TestServer;
let blobs: MapBlobs;
let app: ArticlesApp;
beforeAll(async () => {
  pages = await startServer((req, res) => {
    if (req.url === '/story') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<html><head><link rel="canonical" href="https://news.example.com/story"></head><body><h1>Port strike ends</h1><article><p>The nine-day strike at the city's port ended on Wednesday after a deal on wages and hours.</p><p>“We are back at work tomorrow morning,” said Ravi Kumar, the union leader.</p></article></body></html>`);
    } else if (req.url === '/to-metadata') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    else res.writeHead(404).end();
  });
});
afterAll(async () => pages.close());
beforeEach(async () => {
  blobs = new MapBlobs();
  app = await articlesAppFromEnvironment(env, { blobs, fetch: { allowLoopback: true }, log: silentLog, now: () => NOW });
});

function event(body: string, headers: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /articles',
    rawPath: '/articles',
    rawQueryString: '',
    headers,
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/articles', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'cms' } },
  } as unknown as APIGatewayProxyEventV2;
}
function signed(value: unknown, options: { key?: string; at?: number; type?: string } = {}): APIGatewayProxyEventV2 {
  const body = typeof value === 'string' ? value : JSON.stringify(value);
  const at = options.at ?? ts;
  return event(body, {
    'content-type': options.type ?? 'application/json',
    'x-newsbrief-timestamp': String(at),
    'x-newsbrief-signature': signBody(body, at, options.key ?? KEY),
  });
}
const parse = (r: { body: string }) => JSON.parse(r.body) as Record<string, unknown>;

describe('POST /articles', () => {
  it('accepts a signed JSON article with 202 and its id, stored where the ingest function picks it up', async () => {
    const res = await app(signed(ARTICLE));
    expect(res.statusCode).toBe(202);
    const id = articleId(parseArticle(JSON.stringify(ARTICLE), 'x.json'));
    expect(parse(res)).toEqual({ id, status: 'accepted' });
    const key = `articles/cms/${id}.json`;
    expect([...blobs.objects.keys()]).toEqual([key]);
    // The ingest reads the object by its key's extension and finds the same article and id.
    const stored = parseArticle(blobs.objects.get(key)!, key);
    expect(articleId(stored)).toBe(id);
    expect(stored).toMatchObject({ title: ARTICLE.title, publishedAt: ARTICLE.publishedAt, url: ARTICLE.url, topics: ['city'] });
  });

  it('is idempotent by article id: the same article again is 202 with the same id, stored once', async () => {
    const first = parse(await app(signed(ARTICLE)));
    // Same article, other key order and a fresh timestamp.
    const { body, ...rest } = ARTICLE;
    const again = await app(signed({ body, ...rest }, { at: ts + 30 }));
    expect(again.statusCode).toBe(202);
    expect(parse(again)).toEqual({ id: first.id, status: 'duplicate' });
    expect(blobs.objects.size).toBe(1);
  });

  it('verifies with any key of the ring, so the secret rotates without downtime', async () => {
    expect((await app(signed(ARTICLE, { key: OLD_KEY }))).statusCode).toBe(202);
  });

  it.each([
    ['no signature', () => event(JSON.stringify(ARTICLE), { 'content-type': 'application/json' }), /headers are required/],
    ['another key', () => signed(ARTICLE, { key: 'x'.repeat(40) }), /does not match/],
    ['a changed body', () => ({ ...signed(ARTICLE), body: JSON.stringify({ ...ARTICLE, title: 'Changed' }) }), /does not match/],
    ['a replay 6 minutes later', () => signed(ARTICLE, { at: ts - 360 }), /more than 300 seconds/],
    ['a timestamp from the future', () => signed(ARTICLE, { at: ts + 360 }), /more than 300 seconds/],
    ['a signature with another timestamp', () => ({ ...signed(ARTICLE), headers: { ...signed(ARTICLE).headers, 'x-newsbrief-timestamp': String(ts + 1) } }), /does not match/],
    ['a malformed signature', () => ({ ...signed(ARTICLE), headers: { ...signed(ARTICLE).headers, 'x-newsbrief-signature': 'md5=abc' } }), /must be "sha256="/],
  ])('refuses %s with 401, storing nothing', async (_what, make, message) => {
    const res = await app(make());
    expect(res.statusCode).toBe(401);
    expect(parse(res)).toEqual({ error: 'unauthorized', message: expect.stringMatching(message) });
    expect(blobs.objects.size).toBe(0);
  });

  it.each([
    ['not JSON', '{"title": ', 400, 'invalid_json'],
    ['a JSON array', [ARTICLE], 400, 'invalid_article'],
    ['no body', { title: 'Headline only' }, 400, 'invalid_article'],
    ['an empty title', { ...ARTICLE, title: ' ' }, 400, 'invalid_article'],
    ['a body of the wrong type', { ...ARTICLE, body: 42 }, 400, 'invalid_article'],
    ['a url that is not http(s)', { url: 'file:///etc/passwd' }, 400, 'invalid_article'],
    ['a url request with unknown keys', { url: 'https://news.example.com/x', extra: 1 }, 400, 'invalid_article'],
  ])('answers %s with %i {error, message}', async (_what, value, status, error) => {
    const res = await app(signed(value));
    expect(res.statusCode).toBe(status);
    expect(parse(res)).toEqual({ error, message: expect.any(String) });
    expect(blobs.objects.size).toBe(0);
  });

  it('names the problem in a bad article', async () => {
    expect(parse(await app(signed({ title: 'Headline only' })))).toMatchObject({ message: expect.stringMatching(/body: is missing/) });
  });

  it('refuses other media types (415) and bodies over 1 MB (413)', async () => {
    expect((await app(signed(ARTICLE, { type: 'text/plain' }))).statusCode).toBe(415);
    const huge = JSON.stringify({ ...ARTICLE, body: ['x'.repeat(1024 * 1024)] });
    expect((await app(signed(huge))).statusCode).toBe(413);
  });

  it('fetches and extracts the page of {url}', async () => {
    const res = await app(signed({ url: `${pages.url}/story`, topics: ['business'] }));
    expect(res.statusCode).toBe(202);
    const { id } = parse(res);
    const stored = parseArticle(blobs.objects.get(`articles/cms/${String(id)}.json`)!, 'x.json');
    expect(stored).toMatchObject({ title: 'Port strike ends', url: 'https://news.example.com/story', topics: ['business'], publishedAt: null });
    expect(stored.paragraphs).toEqual(['The nine-day strike at the city\'s port ended on Wednesday after a deal on wages and hours.', '“We are back at work tomorrow morning,” said Ravi Kumar, the union leader.']);
  });

  it('answers 422 for a page that cannot be fetched, and refuses private addresses', async () => {
    const missing = await app(signed({ url: `${pages.url}/missing` }));
    expect(missing.statusCode).toBe(422);
    expect(parse(missing)).toEqual({ error: 'unfetchable_url', message: expect.stringMatching(/HTTP 404/) });
    const ssrf = await app(signed({ url: `${pages.url}/to-metadata` }));
    expect(parse(ssrf)).toMatchObject({ error: 'unfetchable_url', message: expect.stringMatching(/169\.254\.169\.254 is not an address that is fetched/) });
    // Without the local run's loopback option, the local page itself is refused.
    const strict = await articlesAppFromEnvironment(env, { blobs, log: silentLog, now: () => NOW });
    expect(parse(await strict(signed({ url: `${pages.url}/story` })))).toMatchObject({ error: 'unfetchable_url', message: expect.stringMatching(/not an address that is fetched/) });
    expect(blobs.objects.size).toBe(0);
  });

  it('verifies the exact bytes sent over HTTP, as a CMS signs them', async () => {
    const http = await startHttpAdapter(lazyArticlesHandler(async () => app, silentLog), { routes: [ARTICLES_ROUTE] });
    try {
      const body = `{"title":"Café owners protest","body":"A group of café owners protested on Monday.\\n\\n“We cannot pay this rent,” said Ana Silva."}`;
      const res = await fetch(`${http.url}/articles`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-newsbrief-timestamp': String(ts), 'x-newsbrief-signature': signBody(body, ts, KEY) },
        body,
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ status: 'accepted' });
    } finally {
      await http.close();
    }
  });

  it('answers 500 without details when the configuration is broken', async () => {
    const handler = lazyArticlesHandler(() => articlesAppFromEnvironment({ BUCKET_NAME: 'b', PUBLIC_URL: 'https://x.example' }), silentLog);
    const res = await handler(signed(ARTICLE));
    expect(res.statusCode).toBe(500);
    expect(parse(res)).toEqual({ error: 'internal', message: 'The service is misconfigured. Please try again later.' });
  });
});
