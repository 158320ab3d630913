import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../lambda/shared/logger.ts';
import { clearOutbox, readOutbox } from '../../scripts/local/standins.ts';
import { startServeStack, type ServeStack } from '../../scripts/serve.ts';

/**
 * A slow SES (issue 11): on main the subscribe SES client kept the SDK's 3 attempts, so with SES
 * slower than its timeout one request took 21 s and three confirmation mails arrived. Here a proxy
 * in front of the SES emulator holds every request for 1 s before passing it on (SES took the mail,
 * but too late for the client's 300 ms timeout), and the confirmation worker builds its SES client as
 * in Lambda. One request reaches SES, one mail arrives, and the ambiguous timeout resends nothing.
 */
const DELAY_MS = 1_000;

describe('confirmation mail behind an SES slower than the client timeout', () => {
  let stack: ServeStack;
  let proxy: Server;
  let proxied = 0;
  const savedEndpoint = process.env.AWS_ENDPOINT_URL_SES;

  beforeAll(async () => {
    stack = await startServeStack({ log: silentLog, sesRequestTimeoutMs: 300 });
    await clearOutbox(stack.sesEndpoint);
    const target = new URL(stack.sesEndpoint);
    proxy = createServer((req, res) => {
      proxied++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        setTimeout(() => {
          const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
          });
          upstream.on('error', () => res.destroy());
          upstream.end(Buffer.concat(chunks));
        }, DELAY_MS);
      });
      res.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    // The worker builds its SES client on its first job (as at a Lambda cold start), from this variable.
    process.env.AWS_ENDPOINT_URL_SES = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL_SES = savedEndpoint;
    proxy?.closeAllConnections();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await stack?.stop();
  });

  const subscribe = () =>
    fetch(`${stack.url}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'slow@example.org' }) });

  it('sends one mail, not three, and the answer does not wait for SES', async () => {
    const started = performance.now();
    expect((await subscribe()).status).toBe(202);
    expect(performance.now() - started).toBeLessThan(DELAY_MS);
    await stack.settled();
    // Let the proxy hand the held request to the emulator.
    await new Promise((r) => setTimeout(r, DELAY_MS + 500));
    expect(proxied).toBe(1);
    expect((await readOutbox(stack.sesEndpoint)).filter((m) => m.destination.to.includes('slow@example.org'))).toHaveLength(1);
    // The timeout may have come after SES took the mail: the claim stands, no job retries it.
    expect(stack.confirmations.queue.deadLetters).toEqual([]);
    expect((await subscribe()).status).toBe(202);
    await stack.settled();
    await new Promise((r) => setTimeout(r, DELAY_MS + 500));
    expect(proxied).toBe(1);
    expect((await readOutbox(stack.sesEndpoint)).filter((m) => m.destination.to.includes('slow@example.org'))).toHaveLength(1);
  });
});
