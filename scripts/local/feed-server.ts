/**
 * The local stand-in for the web: examples/feeds/ and examples/pages/ served over HTTP on 127.0.0.1,
 * with a strong ETag per file and Last-Modified, answering conditional GETs with 304, so `npm start`
 * shows the poller exactly as it behaves against a real site. Nothing here is bundled into a Lambda.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.rss': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.rdf': 'application/rdf+xml; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.json': 'application/feed+json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

export interface FeedServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serve `/<name>/<file>` from `folders[name]` (e.g. {feeds: 'examples/feeds', pages: 'examples/pages'}) on 127.0.0.1:`port` (0: a free one). */
export async function startFeedServer(folders: Readonly<Record<string, string>>, port = 0): Promise<FeedServer> {
  const server: Server = createServer((req, res) => {
    const [, folder, file, ...rest] = (req.url ?? '/').split('?')[0]!.split('/');
    const root = folder !== undefined ? folders[folder] : undefined;
    if (root === undefined || file === undefined || rest.length > 0 || file.startsWith('.') || !(path.extname(file) in TYPES)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const full = path.join(root, decodeURIComponent(file));
    Promise.all([readFile(full), stat(full)]).then(
      ([body, info]) => {
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
        const headers = { 'content-type': TYPES[path.extname(file)]!, etag, 'last-modified': info.mtime.toUTCString(), 'cache-control': 'max-age=0' };
        if (req.headers['if-none-match'] === etag) res.writeHead(304, headers).end();
        else res.writeHead(200, headers).end(body);
      },
      () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
