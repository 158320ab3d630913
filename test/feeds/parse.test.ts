import { describe, expect, it } from 'vitest';
import { FeedParseError } from '../../lambda/shared/feeds/errors.ts';
import { decodeFeed, parseFeedDocument } from '../../lambda/shared/feeds/parse.ts';
import { htmlToParagraphs } from '../../lambda/shared/feeds/text.ts';

const FEED_URL = 'https://news.example.com/feeds/world.xml';

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>World &amp; Nation</title><link>https://news.example.com/</link>
<item>
  <title>Port strike ends after &lt;em&gt;nine&lt;/em&gt; days</title>
  <link>/2026/07/port-strike-ends</link>
  <guid isPermaLink="false">story-4411</guid>
  <pubDate>Wed, 01 Jul 2026 09:30:00 +0530</pubDate>
  <dc:creator>Asha Rao</dc:creator>
  <category>Business</category>
  <description>The strike is over.</description>
  <content:encoded><![CDATA[<p>The nine-day strike ended on Wednesday.</p><figure><img src="x.jpg"><figcaption>Dock workers</figcaption></figure><p>“We are back,” said Ravi Kumar, the union leader.</p>]]></content:encoded>
</item>
<item><title>Undated brief</title><guid>https://news.example.com/briefs/1</guid><description>Short.</description></item>
</channel></rss>`;

const RDF = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://old.example.org/"><title>Old Style</title><link>https://old.example.org/</link><description>d</description></channel>
<item rdf:about="https://old.example.org/a/1"><title>First</title><link>https://old.example.org/a/1</link><description>Summary one.</description><dc:date>2026-06-30T08:00:00+02:00</dc:date><dc:creator>B. Writer</dc:creator></item>
</rdf:RDF>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://desk.example.net/asia/">
<title type="text">Asia Desk</title><id>tag:desk.example.net,2026:asia</id><updated>2026-07-01T10:00:00Z</updated>
<entry>
  <title type="html">Monsoon &lt;b&gt;arrives&lt;/b&gt; early</title>
  <link rel="alternate" type="text/html" href="stories/monsoon.html"/>
  <link rel="enclosure" href="https://cdn.example.net/m.mp3"/>
  <id>tag:desk.example.net,2026:asia/monsoon</id>
  <updated>2026-07-01T10:00:00Z</updated>
  <published>2026-07-01T06:00:00+05:30</published>
  <summary>Rain reached Kerala a week early.</summary>
  <author><name>Mei Tan</name></author>
</entry>
<entry xml:base="/other/"><title>Elsewhere</title><link href="page.html"/><id>urn:uuid:1</id><updated>2026-07-01T09:00:00Z</updated>
  <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Inline <b>full</b> text.</p></div></content></entry>
</feed>`;

const JSON_FEED = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'Briefs',
  home_page_url: 'https://briefs.example.com/',
  items: [
    { id: '1', url: 'https://briefs.example.com/1', title: 'One', content_html: '<p>Hello <i>there</i>.</p>', date_published: '2026-07-01T07:00:00Z', tags: ['Climate'], authors: [{ name: 'Kai' }] },
    { id: '2', url: '/2', title: 'Two', content_text: 'First para.\n\nSecond para.' },
  ],
});

describe('parseFeedDocument', () => {
  it('reads RSS 2.0: full content, relative link, permalink guid as link, dates and no date', () => {
    const feed = parseFeedDocument(Buffer.from(RSS), FEED_URL);
    expect(feed.format).toBe('rss');
    expect(feed.title).toBe('World & Nation');
    const [a, b] = feed.items;
    expect(a).toMatchObject({
      guid: 'story-4411',
      link: 'https://news.example.com/2026/07/port-strike-ends',
      title: 'Port strike ends after nine days',
      publishedAt: '2026-07-01T04:00:00+00:00',
      authors: ['Asha Rao'],
      categories: ['Business'],
      summary: 'The strike is over.',
    });
    expect(htmlToParagraphs(a!.contentHtml!)).toEqual(['The nine-day strike ended on Wednesday.', '“We are back,” said Ravi Kumar, the union leader.']);
    expect(b).toMatchObject({ guid: 'https://news.example.com/briefs/1', link: 'https://news.example.com/briefs/1', publishedAt: null });
    expect(b!.contentHtml).toBeUndefined();
  });

  it('reads RSS 1.0 (RDF)', () => {
    const feed = parseFeedDocument(RDF, 'https://old.example.org/index.rdf');
    expect(feed.format).toBe('rdf');
    expect(feed.items).toEqual([
      { guid: 'https://old.example.org/a/1', link: 'https://old.example.org/a/1', title: 'First', publishedAt: '2026-06-30T08:00:00+02:00', summary: 'Summary one.', authors: ['B. Writer'], categories: [] },
    ]);
  });

  it('reads Atom 1.0: html titles, alternate links against xml:base (feed and entry), summaries apart from content', () => {
    const feed = parseFeedDocument(ATOM, FEED_URL);
    expect(feed.format).toBe('atom');
    const [a, b] = feed.items;
    expect(a).toMatchObject({
      guid: 'tag:desk.example.net,2026:asia/monsoon',
      link: 'https://desk.example.net/asia/stories/monsoon.html',
      title: 'Monsoon arrives early',
      publishedAt: '2026-07-01T06:00:00+05:30',
      summary: 'Rain reached Kerala a week early.',
      authors: ['Mei Tan'],
    });
    expect(a!.contentHtml).toBeUndefined();
    expect(b).toMatchObject({ link: 'https://desk.example.net/other/page.html', publishedAt: '2026-07-01T09:00:00+00:00' });
    expect(htmlToParagraphs(b!.contentHtml!)).toEqual(['Inline full text.']);
  });

  it('reads JSON Feed 1.1: content_html, content_text, tags, relative url', () => {
    const feed = parseFeedDocument(JSON_FEED, 'https://briefs.example.com/feed.json');
    expect(feed.format).toBe('json');
    expect(feed.items[0]).toMatchObject({ guid: '1', link: 'https://briefs.example.com/1', contentHtml: '<p>Hello <i>there</i>.</p>', categories: ['Climate'], authors: ['Kai'], publishedAt: '2026-07-01T07:00:00+00:00' });
    expect(feed.items[1]).toMatchObject({ guid: '2', link: 'https://briefs.example.com/2', contentText: 'First para.\n\nSecond para.', publishedAt: null });
  });

  it('decodes the declared encoding', () => {
    const latin1 = Buffer.from(RSS.replace('UTF-8', 'ISO-8859-1').replace('Undated brief', 'Café brief'), 'latin1');
    expect(parseFeedDocument(latin1, FEED_URL).items[1]!.title).toBe('Café brief');
    expect(decodeFeed(Buffer.from('caf\xe9', 'latin1'), 'application/rss+xml; charset=iso-8859-1')).toBe('café');
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><body><p>Welcome</p></body></html>', /an HTML page, not a feed/],
    ['unrelated XML', '<?xml version="1.0"?><note><to>x</to></note>', /not a feed: neither RSS/],
    ['broken XML', '<rss version="2.0"><channel><title>x</title><item><title>a</item></channel>', /malformed feed/],
    ['an empty body', '   ', /empty/],
  ])('refuses %s with a clear reason', (_what, body, reason) => {
    expect(() => parseFeedDocument(body, FEED_URL)).toThrow(FeedParseError);
    expect(() => parseFeedDocument(body, FEED_URL)).toThrow(reason);
  });
});
