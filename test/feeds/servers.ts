import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server for a test (127.0.0.1, a free port); never the real network. */
export interface TestServer {
  readonly url: string;
  readonly port: number;
  /** Requests seen, in order: method, path and headers. */
  readonly requests: { method: string; path: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export async function startServer(handle: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    Promise.resolve(handle(req, res)).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serve fixed documents by path, with a strong ETag and Last-Modified, answering conditional GETs with 304. */
export function documents(docs: Map<string, { body: string | Buffer; type: string; etag?: string; lastModified?: string }>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const doc = docs.get((req.url ?? '/').split('?')[0] ?? '/');
    if (!doc) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const headers: Record<string, string> = { 'content-type': doc.type };
    if (doc.etag) headers.etag = doc.etag;
    if (doc.lastModified) headers['last-modified'] = doc.lastModified;
    if ((doc.etag && req.headers['if-none-match'] === doc.etag) || (!doc.etag && doc.lastModified && req.headers['if-modified-since'] === doc.lastModified)) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, headers).end(doc.body);
  };
}
