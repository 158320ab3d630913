/** `npm start` as a function: the example data end to end, twice on the same data, then --fresh. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../lambda/shared/logger.ts';
import { wantsTopics } from '../../lambda/shared/subscriptions/model.ts';
import { startServeStack } from '../../scripts/serve.ts';
import { formatSummary, runStart, StartInputError, type StartOptions } from '../../scripts/start.ts';

const root = mkdtempSync(path.join(tmpdir(), 'newsbrief-start-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A free port, picked once: the example feeds keep one URL, and so their state, across the runs of this test. */
const feedsPort = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as { port: number };
    probe.close(() => resolve(port));
  });
});

const options: StartOptions = {
  dataDir: path.join(root, 'data'),
  outboxDir: path.join(root, 'outbox'),
  articlesDir: 'examples/articles',
  subscribersFile: 'examples/subscribers.json',
  feeds: { dir: 'examples/feeds', pagesDir: 'examples/pages', port: feedsPort },
  log: silentLog,
};

function emls(): string[] {
  return readdirSync(options.outboxDir).filter((f) => f.endsWith('.eml'));
}

describe('npm start', { timeout: 120_000 }, () => {
  it('delivers the examples, then sends nothing new on a second run, and everything again with --fresh', async () => {
    const first = await runStart(options);

    expect(first.digest.outcome).toBe('complete');
    expect(first.articles).toHaveLength(readdirSync('examples/articles').length);
    expect(first.delivery).toMatchObject({ failed: 0, rejected: 0 });
    expect(first.deadLetters).toBe(0);
    expect(first.outbox).toHaveLength(first.delivery.sent);
    expect(emls()).toHaveLength(first.delivery.sent);
    expect(readdirSync(options.outboxDir).filter((f) => f.endsWith('.html'))).toHaveLength(first.delivery.sent);

    // The example feeds: every item new or a story another feed already carried, none failed.
    expect(first.feeds.results).toHaveLength(3);
    expect(first.feeds.results.every((f) => f.outcome === 'polled')).toBe(true);
    // One story is in two feeds; the Atom feed's summary-only items were read from their pages.
    expect(first.feeds.results.map((f) => f.items)).toEqual([
      { ingested: 3, duplicate: 0, deferred: 0, skipped: 0 },
      { ingested: 2, duplicate: 0, deferred: 0, skipped: 0 },
      { ingested: 1, duplicate: 1, deferred: 0, skipped: 0 },
    ]);
    const fromFeeds = first.feeds.articles.filter((a) => a.outcome === 'ingested');
    expect(fromFeeds.map((a) => a.title)).toContain('Jakarta Opens Its First Deep Flood Tunnel');
    const ingested = [...first.articles, ...fromFeeds];

    // Who should get what, derived from the example subscribers and the ingested articles' topics.
    const confirmed = first.subscribers.filter((s) => s.status === 'confirmed');
    const expected = [
      ...ingested.flatMap((a) =>
        confirmed.filter((s) => s.frequency === 'immediate' && wantsTopics(s.topics, a.topics)).map((s) => `alert:${s.id}`),
      ),
      ...confirmed
        .filter((s) => s.frequency === 'daily' && ingested.some((a) => wantsTopics(s.topics, a.topics)))
        .map((s) => `digest:${s.id}`),
    ].sort();
    expect(expected.length).toBeGreaterThan(3);
    // A daily reader whose topics match nothing exists in the examples, and gets no blank digest.
    expect(first.digest.counts.skipped).toBeGreaterThan(0);

    const byId = new Map(first.subscribers.map((s) => [s.id, s]));
    const got = first.outbox.map((o) => {
      const sub = byId.get(o.subscriberId)!;
      const raw = readFileSync(o.file, 'utf8');
      expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
      expect(raw).toContain(`To: ${sub.email}`);
      return `${sub.frequency === 'immediate' ? 'alert' : 'digest'}:${sub.id}`;
    });
    expect(got.sort()).toEqual(expected);
    expect(formatSummary(first)).toMatch(/Emails sent: \d+/);

    // Every email links to its web version; the archive holds no address, subscriber id or token.
    const archiveDir = path.join(options.dataDir, 'blobs', 'archive');
    const archived = readdirSync(archiveDir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => readFileSync(path.join(d.parentPath, d.name), 'utf8'));
    expect(archived.length).toBeGreaterThan(first.outbox.length / 2);
    for (const body of archived) {
      for (const sub of first.subscribers) {
        expect(body).not.toContain(sub.email);
        expect(body).not.toContain(sub.id);
      }
      expect(body).not.toMatch(/token=|NBSLOT_/);
    }
    for (const o of first.outbox) {
      const id = /View in your browser: http:\/\/127\.0\.0\.1:3000\/archive\/([A-Za-z0-9_-]{22})/.exec(readFileSync(o.file, 'utf8'))?.[1];
      expect(readdirSync(path.join(archiveDir, 'pages'))).toContain(`${id}.html`);
    }

    const second = await runStart(options);
    expect(second.articles.every((a) => a.outcome === 'duplicate')).toBe(true);
    // Every feed answers the conditional GET with 304: nothing is fetched or ingested again.
    expect(second.feeds.results.map((f) => f.outcome)).toEqual(['not-modified', 'not-modified', 'not-modified']);
    expect(second.feeds.articles).toEqual([]);
    expect(['empty', 'duplicate']).toContain(second.digest.outcome);
    expect(second.delivery.sent).toBe(0);
    expect(emls()).toEqual([]);

    const fresh = await runStart({ ...options, fresh: true });
    expect(fresh.delivery.sent).toBe(first.delivery.sent);
    expect(new Set(fresh.subscribers.map((s) => s.id))).not.toEqual(new Set(first.subscribers.map((s) => s.id)));
  });

  it('leaves outbox links that `npm run serve` on the same data folder answers: preferences, unsubscribe, archive', async () => {
    const run = await runStart({ ...options, fresh: true });
    const stack = await startServeStack({ dataDir: options.dataDir, log: silentLog });
    try {
      // The outbox links point at 127.0.0.1:3000; the test's serve listens on a free port instead.
      const local = (url: string) => url.replace('http://127.0.0.1:3000', stack.url).replace(/&amp;/g, '&');
      const html = readFileSync(run.outbox.find((o) => /\(\+\d+ more\)/.test(o.subject))!.file.replace(/\.eml$/, '.html'), 'utf8');
      const link = (pattern: RegExp) => local(pattern.exec(html)?.[0] ?? 'missing');
      const preferences = await fetch(link(/http:\/\/127\.0\.0\.1:3000\/preferences\?token=[^"]+/), { headers: { accept: 'application/json' } });
      expect(preferences.status).toBe(200);
      expect(await preferences.json()).toMatchObject({ status: 'confirmed' });
      const unsubscribe = await fetch(link(/http:\/\/127\.0\.0\.1:3000\/unsubscribe\?token=[^"]+/), { headers: { accept: 'application/json' } });
      expect(unsubscribe.status).toBe(200);
      const page = await fetch(link(/http:\/\/127\.0\.0\.1:3000\/archive\/[A-Za-z0-9_-]{22}/));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('This is the web version of the newsbrief daily digest');
      const index = await (await fetch(`${stack.url}/archive`)).text();
      // One issue per alerted article (the example files' and the feeds' new items), and the digest.
      const alerted = [...run.articles, ...run.feeds.articles.filter((a) => a.outcome === 'ingested')].filter((a) => a.alerts > 0);
      expect(index.match(/<li>/g)?.length).toBe(alerted.length + 1);
      // While serve holds the folder, npm start says so instead of failing inside dynalite.
      await expect(runStart(options)).rejects.toThrow(new StartInputError(`${options.dataDir} is in use by npm run serve (pid ${process.pid}); stop it first, then run this again`));
    } finally {
      await stack.stop();
    }
  });

  it('names the file and the reason when the subscribers file is bad', async () => {
    await expect(runStart({ ...options, subscribersFile: path.join(root, 'missing.json') })).rejects.toThrow(
      new StartInputError(`${path.join(root, 'missing.json')}: file not found`),
    );
    const bad = path.join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ email: 'ok@example.com' }, { email: 'no-at-sign', topics: ['asia'] }]));
    await expect(runStart({ ...options, subscribersFile: bad })).rejects.toThrow(new RegExp(`^${bad}: entry \\[1\\]: email must look like`));
    writeFileSync(bad, JSON.stringify([{ email: 'ok@example.com', frequency: 'hourly' }]));
    await expect(runStart({ ...options, subscribersFile: bad })).rejects.toThrow(/bad\.json: \[0\.frequency\]/);
  });
});
