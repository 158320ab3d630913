import { describe, expect, it } from 'vitest';
import { parseError } from './parse-error.ts';
import { extractArticle } from '../../lambda/shared/article/html/extract.ts';
import { MAX_HTML_BYTES, parseHtmlArticle } from '../../lambda/shared/article/html/parse.ts';
import { parseArticle } from '../../lambda/shared/article/parse.ts';

// Short pages written for these tests: each shows one rule of the extractor.

const PARAS = [
  'The city council approved a new budget on Monday after a debate that lasted well into the night and ended in a narrow vote.',
  'The plan raises spending on schools and libraries by four percent, paid for by a small increase in the tax on commercial property.',
  '"This is a budget for the people who use the city every day," said Mayor Ana Ruiz, who proposed it in the spring.',
  'Opponents said the tax increase would push small shops out of the centre, and promised to raise the issue again next year.',
];

const paras = (list: readonly string[] = PARAS) => list.map((p) => `<p>${p}</p>`).join('\n');

function page({ head = '', body }: { head?: string; body: string }): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Budget passes | The Daily Example</title>${head}</head><body>${body}</body></html>`;
}


const jsonLd = (value: unknown) => `<script type="application/ld+json">${JSON.stringify(value)}</script>`;

describe('metadata: structured data first', () => {
  it('prefers JSON-LD NewsArticle over Open Graph and <title>: headline, date, author, publisher', () => {
    const html = page({
      head: [
        '<meta property="og:title" content="OG title">',
        '<meta property="og:site_name" content="OG Site">',
        '<meta property="article:published_time" content="2020-01-01T00:00:00Z">',
        jsonLd({
          '@context': 'https://schema.org',
          '@graph': [
            { '@type': 'WebSite', name: 'The Daily Example' },
            {
              '@type': 'NewsArticle',
              headline: 'Council passes budget &amp; tax rise',
              datePublished: '2026-03-02T18:30:00+01:00',
              author: [{ '@type': 'Person', name: 'Ann Lee' }, { '@type': 'Person', name: 'Bo Chen' }],
              publisher: { '@type': 'Organization', name: 'Example Media' },
            },
          ],
        }),
      ].join(''),
      body: `<article><h1>Visible headline</h1>${paras()}</article>`,
    });
    const a = extractArticle(html);
    expect(a).toMatchObject({
      title: 'Council passes budget & tax rise',
      publishedAt: '2026-03-02T18:30:00+01:00',
      author: 'Ann Lee, Bo Chen',
      source: 'OG Site',
    });
    expect(a.paragraphs).toEqual(PARAS);
  });

  it('falls back to Open Graph and article:published_time, and resolves the canonical link against the page URL', () => {
    const html = page({
      head: [
        '<meta property="og:title" content="Budget passes after a long night">',
        '<meta property="og:site_name" content="The Daily Example">',
        '<meta property="article:published_time" content="2026-03-02T18:30:00Z">',
        '<meta name="author" content="Ann Lee">',
        '<link rel="canonical" href="/city/budget-passes">',
      ].join(''),
      body: `<main>${paras()}</main>`,
    });
    const a = extractArticle(html, { url: 'https://news.example.org/city/budget-passes?utm_source=feed' });
    expect(a).toMatchObject({
      title: 'Budget passes after a long night',
      publishedAt: '2026-03-02T18:30:00+00:00',
      author: 'Ann Lee',
      source: 'The Daily Example',
      url: 'https://news.example.org/city/budget-passes',
    });
  });

  it('without structured data, takes the <h1> as headline and says why the date is unknown', () => {
    const a = extractArticle(page({ body: `<div><h1>Budget passes</h1>${paras()}</div>` }));
    expect(a.title).toBe('Budget passes');
    expect(a.publishedAt).toBeNull();
    expect(a.dateProblem).toBe('the page gives no publication date');
    expect(a.url).toBeUndefined();
  });

  it('reads an RFC 2822 date with an explicit zone, and keeps the article when the date is unreadable', () => {
    const rfc = extractArticle(page({ head: '<meta property="article:published_time" content="Mon, 02 Mar 2026 17:30:00 +0000">', body: paras() }));
    expect(rfc.publishedAt).toBe('2026-03-02T17:30:00+00:00');
    const bad = extractArticle(page({ head: '<meta property="article:published_time" content="last spring">', body: paras() }));
    expect(bad.publishedAt).toBeNull();
    expect(bad.dateProblem).toMatch(/unrecognised date "last spring"/);
  });
});

describe('body: furniture dropped, paragraphs kept', () => {
  it('drops captions, share bars, related lists and newsletter boxes, keeping the paragraphs in order', () => {
    const html = page({
      body: `
        <nav><ul><li><a href="/">Home</a></li><li><a href="/city">City</a></li><li><a href="/sport">Sport</a></li></ul></nav>
        <article>
          <h1>Budget passes</h1>
          <div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Email</a></div>
          <figure><img src="a.jpg" alt=""><figcaption>Councillors vote on the budget on Monday night. Photo: Example Staff</figcaption></figure>
          <p>${PARAS[0]}</p>
          <p>${PARAS[1]}</p>
          <div class="newsletter-signup"><h3>The morning briefing</h3><p>Sign up for our newsletter and get the news that matters every morning.</p><form><input type="email"><button>Subscribe</button></form></div>
          <p>${PARAS[2]}</p>
          <p class="inline-promo">Related: <a href="/city/libraries">Libraries extend their opening hours</a></p>
          <p>${PARAS[3]}</p>
          <div class="related-posts"><h2>More stories</h2><ul>
            <li><a href="/a">Tram line opens a month early</a></li><li><a href="/b">Harbour festival draws record crowds</a></li><li><a href="/c">New bridge design unveiled</a></li>
          </ul></div>
        </article>
        <footer><p>© The Daily Example. All rights reserved.</p></footer>`,
    });
    expect(extractArticle(html).paragraphs).toEqual(PARAS);
  });

  it('keeps paragraph breaks: blocks, list items and double <br> end a paragraph, and words never run together', () => {
    const ITEMS = [
      'Schools get four percent more, the largest rise in a decade, for teachers, books and repairs.',
      'Libraries get four percent more, which keeps every branch open on Sundays, as the mayor promised.',
    ];
    const html = page({
      body: `<article><div class="story-body">
        <div>${PARAS[0]}</div><div>${PARAS[1]}</div>
        <p>${PARAS[2]}<br><br>${PARAS[3]}</p>
        <ul><li>${ITEMS[0]}</li><li>${ITEMS[1]}</li></ul>
        <p>Total<strong>s</strong> were published in the <em>appendix</em>.</p>
      </div></article>`,
    });
    expect(extractArticle(html).paragraphs).toEqual([...PARAS, ...ITEMS, 'Totals were published in the appendix.']);
  });

  it('drops furniture that no class names: promo lines, a "more stories" list, a kicker, a date line and a closing heading', () => {
    // Classes that name furniture are tested above; here only the text and the structure tell.
    const html = page({
      body: `<div id="content"><div>
        <p>CITY HALL</p>
        <p>Updated: Mon 6:45 PM, Mar 2, 2026</p>
        <p>${PARAS[0]}</p>
        <p>${PARAS[1]}</p>
        <p>Read more: <a href="/x">How the budget is made</a></p>
        <p>${PARAS[2]}</p>
        <p>${PARAS[3]}</p>
        <p>Follow The Daily Example on Twitter, Facebook and Instagram.</p>
        <p>Get the weekend edition delivered every Saturday. Click here for our offers.</p>
        <p>Like this story? Share it with a friend!</p>
        <p>Reporting by Ann Lee; editing by Bo Chen</p>
        <p>More great stories</p>
        <ul><li><a href="/a">Tram line opens a month early</a></li><li><a href="/b">Harbour festival draws record crowds</a></li></ul>
        <h3>Comments</h3>
      </div></div>`,
    });
    expect(extractArticle(html).paragraphs).toEqual(PARAS);
  });

  it('drops the teasers of other stories marked up as <article> beside the story', () => {
    const teaser = (n: number) => `<article class="card"><h2><a href="/s${n}">Other story ${n}</a></h2><p>A different story about the harbour and its history, number ${n}.</p></article>`;
    const html = page({ body: `<main><article>${paras()}</article><div class="rail">${teaser(1)}${teaser(2)}${teaser(3)}</div></main>` });
    expect(extractArticle(html).paragraphs).toEqual(PARAS);
  });

  it('keeps an element whose class merely mentions sharing when it holds the story', () => {
    const html = page({ body: `<div class="post share-enabled">${paras()}</div>` });
    expect(extractArticle(html).paragraphs).toEqual(PARAS);
  });
});

describe('JSON-LD articleBody cross-checks', () => {
  it('takes articleBody when the page body is an empty application shell', () => {
    const html = page({
      head: jsonLd({ '@context': 'https://schema.org', '@type': 'NewsArticle', headline: 'Budget passes', articleBody: PARAS.join('\n') }),
      body: '<div id="app"><noscript>Please enable JavaScript.</noscript></div>',
    });
    expect(extractArticle(html).paragraphs).toEqual(PARAS);
  });

  it('drops a block inside the story that the complete articleBody does not have', () => {
    const html = page({
      head: jsonLd({ '@context': 'https://schema.org', '@type': 'NewsArticle', headline: 'Budget passes', articleBody: PARAS.join('\n\n') }),
      body: `<article><p>${PARAS[0]}</p><p>${PARAS[1]}</p><p>Our reporters have covered the city council for forty years, and you can support them today.</p><p>${PARAS[2]}</p><p>${PARAS[3]}</p></article>`,
    });
    expect(extractArticle(html).paragraphs).toEqual(PARAS);
  });

  it('keeps the page body when articleBody is only a teaser', () => {
    const html = page({
      head: jsonLd({ '@context': 'https://schema.org', '@type': 'NewsArticle', headline: 'Budget passes', articleBody: PARAS[0] }),
      body: `<article>${paras()}</article>`,
    });
    expect(extractArticle(html).paragraphs).toEqual(PARAS);
  });
});

describe('charsets', () => {
  const body = (text: string) => `<article><h1>Café</h1>${paras()}<p>${text}</p></article>`;

  it('decodes by the <meta> charset a page declares (windows-1252, Shift_JIS)', () => {
    const latin = Buffer.from(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"></head><body>${body('Le café « crème » coûte 2 €.')}</body></html>`, 'latin1');
    // ISO-8859-1 is windows-1252 on the web: 0x80 is the euro sign.
    latin[latin.indexOf('2 ') + 2] = 0x80;
    const a = parseHtmlArticle(latin, 'latin.html');
    expect(a.title).toBe('Café');
    expect(a.paragraphs.at(-1)).toBe('Le café « crème » coûte 2 €.');

    const sjisBody = Buffer.from([0x93, 0xfa, 0x96, 0x7b]); // 日本 in Shift_JIS
    const [before, after] = `<html><head><meta charset="shift_jis"></head><body>${body('Made in @.')}</body></html>`.split('@');
    const sjis = Buffer.concat([Buffer.from(before!), sjisBody, Buffer.from(after!)]);
    expect(parseHtmlArticle(sjis, 'sjis.html').paragraphs.at(-1)).toBe('Made in 日本.');
  });

  it('lets a byte order mark, then the transport charset, win over the <meta> tag', () => {
    const html = `<html><head><meta charset="windows-1252"></head><body>${body('Zoë’s café.')}</body></html>`;
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(html, 'utf16le')]);
    expect(parseHtmlArticle(utf16, 'bom.html').paragraphs.at(-1)).toBe('Zoë’s café.');
    expect(parseHtmlArticle(Buffer.from(html, 'utf8'), 'fetched.html', { charset: 'UTF-8' }).paragraphs.at(-1)).toBe('Zoë’s café.');
  });

  it('reads an undeclared page as UTF-8 when it is valid UTF-8, else as windows-1252', () => {
    const html = `<html><body>${body('Zoë’s café.')}</body></html>`;
    expect(parseHtmlArticle(Buffer.from(html, 'utf8'), 'u.html').paragraphs.at(-1)).toBe('Zoë’s café.');
    expect(parseHtmlArticle(Buffer.from(html.replace('’', "'"), 'latin1'), 'l.html').paragraphs.at(-1)).toBe("Zoë's café.");
  });
});

describe('bad input: a clear error naming the file and the reason', () => {
  const good = page({ body: `<article><h1>Budget passes</h1>${paras()}</article>` });

  it('rejects text that is not HTML, binary files and empty files', () => {
    expect(parseError(() => parseArticle('Just a line of text.\n\nAnd another.', 'notes.html')).message).toBe(
      'notes.html: not an HTML page (no <html>, <head>, <body> or block tags in the first 64 KB)',
    );
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    expect(parseError(() => parseArticle(png, 'image.htm')).reason).toBe('binary file (contains NUL bytes), not an HTML page');
    expect(parseError(() => parseArticle(Buffer.from('  \n'), 'blank.html')).reason).toBe('file is empty');
  });

  it('rejects a page over 5 MB before parsing it', () => {
    const huge = `${good}<!--${'x'.repeat(MAX_HTML_BYTES)}-->`;
    expect(parseError(() => parseArticle(huge, 'huge.html')).reason).toMatch(/^file is too large \(\d+ bytes; the limit for HTML pages is 5242880 bytes, 5 MB\)$/);
    // Under the cap, a page larger than the 1 MB text-article limit is fine (inline scripts are common).
    expect(parseArticle(`${good}<script>${'var x = 1;'.repeat(150_000)}</script>`, 'big.html').title).toBe('Budget passes');
  });

  it('rejects an unknown declared charset, and bytes that are not valid in the declared one', () => {
    const unknown = Buffer.from(good.replace('charset="utf-8"', 'charset="klingon-8"'));
    expect(parseError(() => parseArticle(unknown, 'k.html')).reason).toBe('the page declares an unknown charset "klingon-8"');
    const broken = Buffer.concat([Buffer.from(good.replace('</body>', '<p>caf')), Buffer.from([0xe9]), Buffer.from('</p></body>')]);
    expect(parseError(() => parseArticle(broken, 'b.html')).reason).toBe('the page declares charset utf-8 but the bytes are not valid utf-8');
  });

  it('rejects a page with no article: navigation only, or no text at all', () => {
    const nav = page({ body: '<nav><a href="/">Home</a> <a href="/news">News</a></nav><h1>Sections</h1><ul><li><a href="/a">World</a></li><li><a href="/b">Sport</a></li></ul>' });
    expect(parseError(() => parseArticle(nav, 'index.html')).reason).toMatch(/^no article (?:found \(only \d+ words of text outside the page furniture\)|text found in the page)$/);
    expect(parseError(() => parseArticle('<html><head></head><body></body></html>', 'void.html')).reason).toMatch(/^no headline|^no article text/);
  });

  it('errors from extractArticle name the page URL when no file is involved', () => {
    expect(parseError(() => extractArticle('<html><body><p>Hi.</p></body></html>', { url: 'https://news.example.org/x' })).file).toBe('https://news.example.org/x');
  });
});

describe('the HTML format among the others', () => {
  it('is chosen by .html and .htm, and the article says so', () => {
    for (const name of ['story.html', 'STORY.HTM']) {
      const a = parseArticle(good(), name);
      expect(a).toMatchObject({ format: 'html', origin: name, title: 'Budget passes' });
    }
  });
});

function good(): string {
  return page({ body: `<article><h1>Budget passes</h1>${paras()}</article>` });
}
