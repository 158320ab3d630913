/** Polling feeds end to end through the real ingest path, against a local HTTP server only. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { INITIAL_ITEMS, PAGE_RETRY_WINDOW_MS } from '../../lambda/shared/feeds/poll.ts';
import { pollHarness, rss, rssItem, type PollHarness } from './poll-harness.ts';

const STRIKE = '<p>The nine-day strike at the port ended on Wednesday after a deal on wages.</p><p>“We are going back to work tomorrow,” said Ravi Kumar, the union leader.</p>';
const MONSOON = '<p>The monsoon reached Kerala a week early, the weather office said on Monday.</p><p>Farmers welcomed the rain after a dry May.</p>';
/** A page's second half: the HTML extractor wants an article of some length. */
const MORE = '<p>Officials said the change would be reviewed next year, after the figures for the whole season are in and published.</p>';
const FARES = '<p>The city froze bus and metro fares for another year.</p><p>“No rider will pay more in 2027,” the mayor said.</p>';

let h: PollHarness;
beforeEach(async () => {
  h = await pollHarness();
});
afterEach(async () => h.close());

const titles = async (): Promise<string[]> =>
  (await h.articles.listIngested({ since: '2000-01-01', until: '2100-01-01', limit: 100 })).map((r) => r.brief.title).sort();

describe('polling a feed', () => {
  it('ingests each new item through the ingest path: record, topics from the feed, its categories and the keyword rules, an alert', async () => {
    h.docs.set('/world.xml', {
      type: 'application/rss+xml',
      etag: '"w1"',
      body: rss('World Desk', [
        rssItem({ title: 'Port strike ends', guid: 'w-1', link: '/port-strike', date: 'Wed, 01 Jul 2026 08:00:00 GMT', content: STRIKE, categories: ['Business', 'Labour'] }),
        rssItem({ title: 'Monsoon arrives early', guid: 'w-2', link: '/monsoon', date: 'Wed, 01 Jul 2026 09:00:00 GMT', content: MONSOON }),
      ]),
    });
    const summary = await h.poll([h.feed('/world.xml', { topics: ['world'] })]);
    expect(summary.feeds).toEqual([{ url: h.url('/world.xml'), outcome: 'polled', items: { ingested: 2, duplicate: 0, deferred: 0, skipped: 0 } }]);
    const records = await h.articles.listIngested({ since: '2000-01-01', until: '2100-01-01', limit: 10 });
    // Oldest first: ingest order follows publication order.
    expect(records.map((r) => [r.brief.title, r.brief.topics, r.brief.url, r.brief.source, r.brief.publishedAt])).toEqual([
      ['Port strike ends', ['business', 'world'], h.url('/port-strike'), 'World Desk', '2026-07-01T08:00:00+00:00'],
      ['Monsoon arrives early', ['asia', 'climate', 'world'], h.url('/monsoon'), 'World Desk', '2026-07-01T09:00:00+00:00'],
    ]);
    expect(records[0]!.brief.keyQuotes[0]).toMatchObject({ text: 'We are going back to work tomorrow', speaker: { name: 'Ravi Kumar', role: 'union leader' } });
    expect(h.queue.recipients()).toEqual(['everything-now', 'everything-now']);
    expect(h.metrics.ingested).toBe(2);
  });

  it('asks again with If-None-Match, takes the 304 as nothing new, and keeps the validators', async () => {
    h.docs.set('/world.xml', { type: 'application/rss+xml', etag: '"w1"', body: rss('World Desk', [rssItem({ title: 'Port strike ends', guid: 'w-1', content: STRIKE })]) });
    const feed = h.feed('/world.xml');
    await h.poll([feed]);
    h.clock.ms += 10 * 60_000;
    const second = await h.poll([feed]);
    expect(second.feeds[0]!.outcome).toBe('not-modified');
    expect(h.server.requests.at(-1)!.headers['if-none-match']).toBe('"w1"');
    expect(await h.store.get(feed.url)).toMatchObject({ etag: '"w1"', failures: 0 });
    expect(await titles()).toEqual(['Port strike ends']);
  });

  it('on a changed feed, ingests the new item and does not send an edited one again', async () => {
    const feed = h.feed('/world.xml');
    h.docs.set('/world.xml', { type: 'application/rss+xml', etag: '"w1"', body: rss('World Desk', [rssItem({ title: 'Port strike ends', guid: 'w-1', content: STRIKE })]) });
    await h.poll([feed]);
    h.docs.set('/world.xml', {
      type: 'application/rss+xml',
      etag: '"w2"',
      body: rss('World Desk', [
        rssItem({ title: 'Port strike ends (updated)', guid: 'w-1', content: `${STRIKE}<p>Correction: the strike lasted nine days.</p>` }),
        rssItem({ title: 'City freezes fares', guid: 'w-3', content: FARES }),
      ]),
    });
    h.clock.ms += 10 * 60_000;
    const second = await h.poll([feed]);
    expect(second.feeds[0]!.items).toEqual({ ingested: 1, duplicate: 1, deferred: 0, skipped: 0 });
    expect(await titles()).toEqual(['City freezes fares', 'Port strike ends']);
    expect(h.queue.recipients()).toHaveLength(2);
    expect((await h.store.get(feed.url))!.etag).toBe('"w2"');
  });

  it('ingests a story once when two feeds carry the same global GUID, or the same link with tracking parameters', async () => {
    h.docs.set('/a.xml', { type: 'application/rss+xml', body: rss('Feed A', [
      rssItem({ title: 'Port strike ends', guid: 'https://example.org/2026/port-strike', content: STRIKE }),
      rssItem({ title: 'City freezes fares', guid: 'a-77', link: 'https://example.org/fares', content: FARES }),
    ]) });
    h.docs.set('/b.xml', { type: 'application/rss+xml', body: rss('Feed B', [
      // Same GUID, a shorter text: still the same story.
      rssItem({ title: 'Port strike is over', guid: 'https://example.org/2026/port-strike', content: '<p>The strike ended.</p>' }),
      rssItem({ title: 'Fares frozen', guid: 'b-12', link: 'http://EXAMPLE.org/fares/?utm_source=rss&utm_medium=feed#top', content: '<p>Fares are frozen.</p>' }),
    ]) });
    const summary = await h.poll([h.feed('/a.xml'), h.feed('/b.xml')]);
    expect(summary.feeds.map((f) => f.items)).toEqual([
      { ingested: 2, duplicate: 0, deferred: 0, skipped: 0 },
      { ingested: 0, duplicate: 2, deferred: 0, skipped: 0 },
    ]);
    expect(await titles()).toEqual(['City freezes fares', 'Port strike ends']);
  });

  it('treats a feed-local GUID such as "42" as unique only within its feed', async () => {
    h.docs.set('/a.xml', { type: 'application/rss+xml', body: rss('Feed A', [rssItem({ title: 'Port strike ends', guid: '42', content: STRIKE })]) });
    h.docs.set('/b.xml', { type: 'application/rss+xml', body: rss('Feed B', [rssItem({ title: 'Monsoon arrives early', guid: '42', content: MONSOON })]) });
    await h.poll([h.feed('/a.xml'), h.feed('/b.xml')]);
    expect(await titles()).toEqual(['Monsoon arrives early', 'Port strike ends']);
  });

  it('ingests items without dates (date unknown) and still recognises them on the next poll', async () => {
    h.docs.set('/undated.xml', { type: 'application/rss+xml', body: rss('Undated', [
      rssItem({ title: 'Port strike ends', link: '/port-strike', content: STRIKE }),
      rssItem({ title: 'Monsoon arrives early', guid: 'u-2', content: MONSOON }),
    ]) });
    const feed = h.feed('/undated.xml');
    await h.poll([feed]);
    const records = await h.articles.listIngested({ since: '2000-01-01', until: '2100-01-01', limit: 10 });
    expect(records.map((r) => r.brief.publishedAt)).toEqual([null, null]);
    h.clock.ms += 10 * 60_000;
    const again = await h.poll([feed]);
    expect(again.feeds[0]!.items).toMatchObject({ ingested: 0, duplicate: 2 });
  });

  it('resolves relative links and fetches the page of a summary-only item (fullText auto)', async () => {
    h.docs.set('/feeds/asia.atom', { type: 'application/atom+xml', body: `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Asia Desk</title><id>urn:x:asia</id><updated>2026-07-01T09:00:00Z</updated>
<entry><title>Monsoon arrives early</title><link href="../pages/monsoon.html"/><id>urn:x:asia:1</id><updated>2026-07-01T09:00:00Z</updated><summary>Rain came early.</summary></entry>
</feed>` });
    h.docs.set('/pages/monsoon.html', { type: 'text/html; charset=utf-8', body: `<html><head><link rel="canonical" href="${h.url('/pages/monsoon.html')}"></head><body><nav>Home</nav><h1>Monsoon arrives early</h1><article>${MONSOON}${MORE}</article></body></html>` });
    await h.poll([h.feed('/feeds/asia.atom')]);
    const [record] = await h.articles.listIngested({ since: '2000-01-01', until: '2100-01-01', limit: 10 });
    expect(record!.brief.url).toBe(h.url('/pages/monsoon.html'));
    expect(record!.brief.summary.join(' ')).toContain('The monsoon reached Kerala a week early');
    expect(h.server.requests.map((r) => r.path)).toEqual(['/feeds/asia.atom', '/pages/monsoon.html']);
    expect(h.server.requests[1]!.headers.accept).toMatch(/^text\/html/);
  });

  it('with fullText never, uses the summary; with always, fetches the page even when the item has content', async () => {
    const item = rssItem({ title: 'Monsoon arrives early', guid: 'm-1', link: '/pages/m.html', description: 'The monsoon reached Kerala a week early, officials said.' });
    h.docs.set('/never.xml', { type: 'application/rss+xml', body: rss('N', [item]) });
    h.docs.set('/always.xml', { type: 'application/rss+xml', body: rss('A', [rssItem({ title: 'Port strike ends', guid: 'p-1', link: '/pages/p.html', content: '<p>Short teaser only.</p>' })]) });
    h.docs.set('/pages/p.html', { type: 'text/html', body: `<html><body><h1>Port strike ends</h1><article>${STRIKE}${MORE}</article></body></html>` });
    await h.poll([h.feed('/never.xml', { fullText: 'never' }), h.feed('/always.xml', { fullText: 'always' })]);
    const records = await h.articles.listIngested({ since: '2000-01-01', until: '2100-01-01', limit: 10 });
    const byTitle = Object.fromEntries(records.map((r) => [r.brief.title, r.brief.summary.join(' ')]));
    expect(byTitle['Monsoon arrives early']).toBe('The monsoon reached Kerala a week early, officials said.');
    expect(byTitle['Port strike ends']).toContain('nine-day strike');
    expect(h.server.requests.map((r) => r.path)).not.toContain('/pages/m.html');
  });

  it('defers an item whose page cannot be fetched, retries it on each poll, and after 24 hours uses the feed\'s summary', async () => {
    h.docs.set('/s.xml', { type: 'application/rss+xml', etag: '"s1"', body: rss('S', [rssItem({ title: 'Monsoon arrives early', guid: 'm-1', link: '/pages/missing.html', description: 'The monsoon reached Kerala a week early.' })]) });
    const feed = h.feed('/s.xml');
    const first = await h.poll([feed]);
    expect(first.feeds[0]!.items).toMatchObject({ deferred: 1, ingested: 0 });
    const state = (await h.store.get(feed.url))!;
    expect(Object.values(state.pending)[0]).toMatchObject({ attempts: 1, reason: expect.stringMatching(/HTTP 404/) });
    // Validators dropped while an item waits: the next poll gets the whole feed, not a 304.
    expect(state.etag).toBeUndefined();
    h.clock.ms += 10 * 60_000;
    await h.poll([feed]);
    expect(h.server.requests.filter((r) => r.path === '/s.xml').at(-1)!.headers['if-none-match']).toBeUndefined();
    expect(Object.values((await h.store.get(feed.url))!.pending)[0]).toMatchObject({ attempts: 2 });
    h.clock.ms += PAGE_RETRY_WINDOW_MS;
    const late = await h.poll([feed]);
    expect(late.feeds[0]!.items).toMatchObject({ ingested: 1 });
    expect(await titles()).toEqual(['Monsoon arrives early']);
    expect((await h.store.get(feed.url))!.pending).toEqual({});
  });

  it(`starts a new feed with its ${INITIAL_ITEMS} newest items; older ones are never sent`, async () => {
    const items = Array.from({ length: 8 }, (_, i) =>
      rssItem({ title: `Story number ${i + 1}`, guid: `n-${i + 1}`, date: `Wed, 0${i + 1} Jul 2026 08:00:00 GMT`, content: `<p>Body of story ${i + 1} is here.</p>` }));
    h.docs.set('/n.xml', { type: 'application/rss+xml', body: rss('N', items) });
    const feed = h.feed('/n.xml');
    await h.poll([feed]);
    expect(await titles()).toEqual(['Story number 4', 'Story number 5', 'Story number 6', 'Story number 7', 'Story number 8']);
    h.clock.ms += 10 * 60_000;
    await h.poll([feed]);
    expect(await titles()).toHaveLength(5);
  });
});

describe('a failing feed', () => {
  it('reports a malformed feed clearly, keeps its state, and the other feeds are polled as usual', async () => {
    h.docs.set('/good.xml', { type: 'application/rss+xml', etag: '"g1"', body: rss('Good', [rssItem({ title: 'Port strike ends', guid: 'g-1', content: STRIKE })]) });
    h.docs.set('/bad.xml', { type: 'application/rss+xml', body: '<rss version="2.0"><channel><title>Bad</title><item><title>x</item></channel>' });
    h.docs.set('/page.xml', { type: 'text/html', body: '<!doctype html><html><body>Welcome to our site</body></html>' });
    const summary = await h.poll([h.feed('/bad.xml'), h.feed('/page.xml'), h.feed('/good.xml')]);
    expect(summary.feeds.map((f) => [f.outcome, f.error])).toEqual([
      ['failed', expect.stringMatching(/^FeedParseError: malformed feed/)],
      ['failed', 'FeedParseError: an HTML page, not a feed (is the URL the site rather than its feed?)'],
      ['polled', undefined],
    ]);
    expect(await titles()).toEqual(['Port strike ends']);
    expect(await h.store.get(h.url('/bad.xml'))).toMatchObject({ failures: 1, failingSince: '2026-07-01T10:00:00.000Z', lastError: expect.stringMatching(/malformed feed/) });
    expect(h.metrics.failed).toBe(2);
    expect(h.warnings.filter((w) => w.message === 'feed failed').map((w) => w.extra?.feedUrl)).toEqual([h.url('/bad.xml'), h.url('/page.xml')]);
  });

  it('refuses a huge feed at the 5 MB cap, and the other feeds are polled as usual', async () => {
    const filler = rssItem({ title: 'Filler', guid: 'f', content: `<p>${'x'.repeat(1000)}</p>` });
    h.docs.set('/huge.xml', { type: 'application/rss+xml', body: rss('Huge', Array.from({ length: 5300 }, () => filler)) });
    h.docs.set('/good.xml', { type: 'application/rss+xml', body: rss('Good', [rssItem({ title: 'Port strike ends', guid: 'g-1', content: STRIKE })]) });
    const summary = await h.poll([h.feed('/huge.xml'), h.feed('/good.xml')]);
    expect(summary.feeds[0]).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^ResponseTooLargeError: .*limit (is|of) 5242880 bytes/) });
    expect(summary.feeds[1]!.outcome).toBe('polled');
    expect(await titles()).toEqual(['Port strike ends']);
  });

  it('refuses a feed that redirects to a private address, as a failure of that feed', async () => {
    h.docs.set('/moved.xml', { type: 'text/plain', status: 302, body: '', headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
    const summary = await h.poll([h.feed('/moved.xml')]);
    expect(summary.feeds[0]).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^BlockedAddressError: /) });
  });

  it('backs off, honours Retry-After, recovers, and reports how long the longest failure lasts', async () => {
    const feed = h.feed('/flaky.xml');
    h.docs.set('/flaky.xml', { type: 'text/plain', status: 500, body: 'oops' });
    await h.poll([feed]);
    expect((await h.store.get(feed.url))!.nextPollAt).toBe('2026-07-01T10:10:00.000Z');
    h.clock.ms += 10 * 60_000;
    await h.poll([feed]);
    // Second failure: twice the period.
    expect(await h.store.get(feed.url)).toMatchObject({ failures: 2, nextPollAt: '2026-07-01T10:30:00.000Z', failingSince: '2026-07-01T10:00:00.000Z' });
    h.clock.ms += 10 * 60_000;
    expect((await h.poll([feed])).feeds[0]!.outcome).toBe('not-due');
    h.clock.ms += 10 * 60_000;
    h.docs.set('/flaky.xml', { type: 'text/plain', status: 503, body: '', headers: { 'retry-after': '7200' } });
    await h.poll([feed]);
    expect(await h.store.get(feed.url)).toMatchObject({ failures: 3, nextPollAt: '2026-07-01T12:30:00.000Z' });
    // A day later it still fails: the metric the 24-hour alarm watches says so.
    h.clock.ms = Date.parse('2026-07-02T10:00:00.000Z');
    await h.poll([feed]);
    expect(h.metrics.oldest.at(-1)).toBe(24 * 3600);
    h.docs.set('/flaky.xml', { type: 'application/rss+xml', body: rss('Flaky', [rssItem({ title: 'Port strike ends', guid: 'f-1', content: STRIKE })]) });
    h.clock.ms += 6 * 3600_000;
    await h.poll([feed]);
    const healed = (await h.store.get(feed.url))!;
    expect(healed.failures).toBe(0);
    expect(healed.failingSince).toBeUndefined();
    expect(h.metrics.oldest.at(-1)).toBe(0);
    expect(await titles()).toEqual(['Port strike ends']);
  });

  it('takes a storage error on one feed as that feed\'s failure; the others are polled', async () => {
    h.docs.set('/a.xml', { type: 'application/rss+xml', body: rss('A', [rssItem({ title: 'Port strike ends', guid: 'a-1', content: STRIKE })]) });
    h.docs.set('/b.xml', { type: 'application/rss+xml', body: rss('B', [rssItem({ title: 'Monsoon arrives early', guid: 'b-1', content: MONSOON })]) });
    const [a, b] = [h.feed('/a.xml'), h.feed('/b.xml')];
    // Fault injection: the in-memory store cannot fail by itself, DynamoDB can (throttling, an outage).
    const claim = h.store.claim.bind(h.store);
    const get = h.store.get.bind(h.store);
    vi.spyOn(h.store, 'get').mockImplementation(async (url) => (url === a.url ? Promise.reject(new Error('throttled')) : get(url)));
    vi.spyOn(h.store, 'claim').mockImplementation(async (url, now, until) => (url === a.url ? Promise.reject(new Error('throttled')) : claim(url, now, until)));
    const summary = await h.poll([a, b]);
    expect(summary.feeds.map((f) => [f.url, f.outcome, f.error])).toEqual([
      [a.url, 'failed', 'Error: throttled'],
      [b.url, 'polled', undefined],
    ]);
    expect(await titles()).toEqual(['Monsoon arrives early']);
  });

  it('polls a feed with `every` no more often than that', async () => {
    h.docs.set('/slow.xml', { type: 'application/rss+xml', body: rss('Slow', [rssItem({ title: 'Port strike ends', guid: 's-1', content: STRIKE })]) });
    const feed = h.feed('/slow.xml', { every: 60 });
    await h.poll([feed]);
    h.clock.ms += 30 * 60_000;
    expect((await h.poll([feed])).feeds[0]!.outcome).toBe('not-due');
    h.clock.ms += 30 * 60_000;
    expect((await h.poll([feed])).feeds[0]!.outcome).toBe('polled');
  });
});
