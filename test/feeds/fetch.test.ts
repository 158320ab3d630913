/** The fetch policy against local HTTP servers only: no request ever leaves 127.0.0.1. */
import { afterEach, describe, expect, it } from 'vitest';
import { addressAllowed } from '../../lambda/shared/feeds/address-policy.ts';
import {
  BlockedAddressError,
  FetchTimeoutError,
  HttpStatusError,
  RateLimitedError,
  ResponseTooLargeError,
  TooManyRedirectsError,
  UnsupportedUrlError,
} from '../../lambda/shared/feeds/errors.ts';
import { createFetcher, retryAfterTime, userAgentFor, type FetchPolicy, type Fetcher } from '../../lambda/shared/feeds/fetch.ts';
import { documents, startServer, type TestServer } from './servers.ts';

const open: (TestServer | Fetcher)[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});
async function server(handle: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handle);
  open.push(s);
  return s;
}
function fetcher(policy: Partial<FetchPolicy> = {}): Fetcher {
  const f = createFetcher({ userAgent: userAgentFor('The Test Brief', 'https://brief.example.com/'), allowLoopback: true, ...policy });
  open.push(f);
  return f;
}
const FEED = { url: '', accept: 'application/rss+xml' };

describe('address policy', () => {
  it.each([
    ['10.1.2.3'], ['172.16.0.1'], ['192.168.1.1'], ['127.0.0.1'], ['169.254.169.254'], ['100.64.0.1'], ['0.0.0.0'],
    ['::1'], ['fd00:ec2::254'], ['fe80::1'], ['::ffff:10.0.0.1'], ['::ffff:169.254.169.254'], ['64:ff9b::a00:1'], ['224.0.0.1'], ['not-an-ip'],
  ])('refuses %s', (address) => {
    expect(addressAllowed(address)).toBe(false);
  });

  it('allows public unicast addresses, and loopback only when asked', () => {
    expect(addressAllowed('93.184.216.34')).toBe(true);
    expect(addressAllowed('2606:2800:220:1:248:1893:25c8:1946')).toBe(true);
    expect(addressAllowed('127.0.0.1', true)).toBe(true);
    expect(addressAllowed('::1', true)).toBe(true);
    expect(addressAllowed('10.0.0.1', true)).toBe(false);
  });
});

describe('fetcher', () => {
  it('sends the User-Agent and Accept, and answers a conditional GET with not-modified (304)', async () => {
    const s = await server(documents(new Map([['/feed.xml', { body: '<rss/>', type: 'application/rss+xml', etag: '"v1"', lastModified: 'Wed, 01 Jul 2026 10:00:00 GMT' }]])));
    const f = fetcher();
    const first = await f.fetch({ ...FEED, url: `${s.url}/feed.xml` });
    expect(first).toMatchObject({ status: 'ok', etag: '"v1"', lastModified: 'Wed, 01 Jul 2026 10:00:00 GMT', contentType: 'application/rss+xml' });
    expect(s.requests[0]!.headers['user-agent']).toBe('newsbrief/1.0 (The Test Brief; +https://brief.example.com/)');
    expect(s.requests[0]!.headers.accept).toBe('application/rss+xml');
    const again = await f.fetch({ ...FEED, url: `${s.url}/feed.xml`, etag: '"v1"', lastModified: 'Wed, 01 Jul 2026 10:00:00 GMT' });
    expect(again).toEqual({ status: 'not-modified', url: `${s.url}/feed.xml` });
    expect(s.requests[1]!.headers['if-none-match']).toBe('"v1"');
    expect(s.requests[1]!.headers['if-modified-since']).toBe('Wed, 01 Jul 2026 10:00:00 GMT');
  });

  it('follows up to 5 redirects and reports the final URL; a sixth is refused', async () => {
    const s = await server((req, res) => {
      const n = Number(/^\/r(\d+)$/.exec(req.url ?? '')?.[1] ?? NaN);
      if (n > 0) res.writeHead(302, { location: `/r${n - 1}` }).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('done');
    });
    const ok = await fetcher().fetch({ ...FEED, url: `${s.url}/r5` });
    expect(ok).toMatchObject({ status: 'ok', url: `${s.url}/r0` });
    await expect(fetcher().fetch({ ...FEED, url: `${s.url}/r6` })).rejects.toThrow(TooManyRedirectsError);
  });

  it('refuses a redirect to a private, link-local or metadata address before connecting', async () => {
    const targets = ['http://10.1.2.3/feed', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://metadata.test/feed', 'http://[::ffff:192.168.0.1]/'];
    const s = await server((req, res) => {
      res.writeHead(302, { location: targets[Number(req.url?.slice(1))]! }).end();
    });
    // metadata.test "resolves" to the metadata address: a name is judged by what it resolves to.
    const f = fetcher({ resolve: async (host) => (host === 'metadata.test' ? [{ address: '169.254.169.254', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]) });
    for (const i of targets.keys()) {
      const attempt = f.fetch({ ...FEED, url: `${s.url}/${i}` });
      await expect(attempt, targets[i]).rejects.toThrow(BlockedAddressError);
    }
    expect(s.requests).toHaveLength(targets.length);
  });

  it('refuses loopback unless the local option allows it, by literal and by name', async () => {
    const s = await server((_req, res) => res.writeHead(200).end('secret'));
    const strict = fetcher({ allowLoopback: false });
    await expect(strict.fetch({ ...FEED, url: s.url })).rejects.toThrow(BlockedAddressError);
    await expect(strict.fetch({ ...FEED, url: `http://localhost:${s.port}/` })).rejects.toThrow(/resolves to (127\.0\.0\.1|::1)/);
    expect(s.requests).toHaveLength(0);
  });

  it('fetches only http and https, on the first URL and on every redirect', async () => {
    await expect(fetcher().fetch({ ...FEED, url: 'file:///etc/passwd' })).rejects.toThrow(UnsupportedUrlError);
    await expect(fetcher().fetch({ ...FEED, url: 'ftp://example.com/feed' })).rejects.toThrow(/only http and https/);
    const s = await server((_req, res) => res.writeHead(301, { location: 'file:///etc/passwd' }).end());
    await expect(fetcher().fetch({ ...FEED, url: s.url })).rejects.toThrow(UnsupportedUrlError);
  });

  it('caps bodies at 5 MB: by Content-Length before reading, and while streaming', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 'a');
    const s = await server((req, res) => {
      if (req.url === '/declared') res.writeHead(200, { 'content-length': String(big.length) }).end(big);
      else {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        // Chunked, no length: 64 KiB at a time until the client gives up.
        let sent = 0;
        const push = () => {
          while (sent < 8 * 1024 * 1024) {
            sent += 65536;
            if (!res.write(Buffer.alloc(65536, 'b'))) return void res.once('drain', push);
          }
          res.end();
        };
        push();
      }
    });
    await expect(fetcher().fetch({ ...FEED, url: `${s.url}/declared` })).rejects.toThrow(ResponseTooLargeError);
    await expect(fetcher().fetch({ ...FEED, url: `${s.url}/streamed` })).rejects.toThrow(/larger than the limit of 5242880 bytes/);
    await expect(fetcher({ maxBytes: 1000 }).fetch({ ...FEED, url: `${s.url}/declared` })).rejects.toThrow(/limit is 1000 bytes/);
  });

  it('honours Retry-After on 429 and 503, then leaves the host alone until then', async () => {
    let now = Date.parse('2026-07-01T10:00:00Z');
    const s = await server((req, res) => {
      if (req.url === '/busy') res.writeHead(503, { 'retry-after': 'Wed, 01 Jul 2026 11:00:00 GMT' }).end();
      else res.writeHead(429, { 'retry-after': '120' }).end();
    });
    const f = fetcher({ now: () => now });
    const limited = await f.fetch({ ...FEED, url: `${s.url}/limited` }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAt).toBe(now + 120_000);
    // Same host, another path: refused without a request until the time has passed.
    await expect(f.fetch({ ...FEED, url: `${s.url}/other` })).rejects.toThrow(/asked not to be fetched before 2026-07-01T10:02:00/);
    expect(s.requests).toHaveLength(1);
    now += 121_000;
    const busy = await f.fetch({ ...FEED, url: `${s.url}/busy` }).catch((e: unknown) => e);
    expect((busy as RateLimitedError).retryAt).toBe(Date.parse('2026-07-01T11:00:00Z'));
    expect(s.requests).toHaveLength(2);
  });

  it('reads Retry-After as seconds or an HTTP-date, capped at 24 hours', () => {
    const now = Date.parse('2026-07-01T10:00:00Z');
    expect(retryAfterTime('30', now)).toBe(now + 30_000);
    expect(retryAfterTime('Wed, 01 Jul 2026 10:05:00 GMT', now)).toBe(now + 300_000);
    expect(retryAfterTime('999999999', now)).toBe(now + 24 * 3600_000);
    expect(retryAfterTime('soon', now)).toBeUndefined();
    expect(retryAfterTime(null, now)).toBeUndefined();
  });

  it('reports other statuses with the status, and times out a server that never answers', async () => {
    const s = await server((req, res) => {
      if (req.url === '/gone') res.writeHead(410).end();
      // /hang: never answers
    });
    const gone = await fetcher().fetch({ ...FEED, url: `${s.url}/gone` }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(HttpStatusError);
    expect((gone as HttpStatusError).status).toBe(410);
    await expect(fetcher({ timeoutMs: 300 }).fetch({ ...FEED, url: `${s.url}/hang` })).rejects.toThrow(FetchTimeoutError);
  });

  it('sends one request at a time to a host, and works on two hosts at once', async () => {
    let inFlight = 0;
    let most = 0;
    const s = await server(async (_req, res) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 60));
      inFlight--;
      res.writeHead(200).end('x');
    });
    const f = fetcher();
    await Promise.all([1, 2, 3].map((i) => f.fetch({ ...FEED, url: `${s.url}/${i}` })));
    expect(most).toBe(1);
    most = 0;
    // 127.0.0.1 and localhost are two hosts to the policy.
    await Promise.all([f.fetch({ ...FEED, url: `${s.url}/a` }), f.fetch({ ...FEED, url: `http://localhost:${s.port}/b` })]);
    expect(most).toBe(2);
  });
});
