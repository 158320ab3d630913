import { describe, expect, it } from 'vitest';
import type { Brief } from '../../lambda/shared/article/model.ts';
import { RenderError } from '../../lambda/shared/email/errors.ts';
import { personalise } from '../../lambda/shared/email/personalise.ts';
import { buildMessage } from '../../lambda/shared/email/mime.ts';
import { compileMjml, renderAlert, renderConfirm, renderDigest, sentHtmlBytes } from '../../lambda/shared/email/render.ts';
import { brief, digestOptions } from './fixtures.ts';

const values = {
  unsubscribeUrl: 'https://news.example.com/unsubscribe?token=u.123&kid=k1',
  preferencesUrl: 'https://news.example.com/preferences?token=p.456',
};

describe('strict MJML validation', () => {
  it('rejects invalid MJML with a RenderError instead of rendering it', async () => {
    const invalid = '<mjml><mj-body><mj-section><mj-text>text outside a column</mj-text></mj-section></mj-body></mjml>';
    await expect(compileMjml(invalid)).rejects.toBeInstanceOf(RenderError);
  });

  it('renders digest, alert and confirm templates under validationLevel strict', async () => {
    const digest = await renderDigest([brief(1), brief(2)], digestOptions);
    const alert = await renderAlert(brief(3), { ...digestOptions, matchedTopic: 'environment' });
    const confirm = await renderConfirm(digestOptions);
    for (const email of [digest, alert, confirm]) {
      expect(email.html).toMatch(/^<!doctype html>/i);
      expect(email.html).toContain('<html lang="en"');
      expect(email.html).not.toMatch(/<img|<script|fonts\.googleapis/i);
      // Readable body text (16 px) and no leftover template markers.
      expect(email.html).toContain('font-size:16px');
      expect(email.html).not.toMatch(/\{\{|\}\}/);
      expect(email.html).toContain(digestOptions.postalAddress);
    }
  });
});

describe('quotes set apart', () => {
  it('end a quoted sentence with a full stop; a fragment without its lead-in gets ellipses', async () => {
    const b = brief(3, {
      keyQuotes: [
        { text: 'They bought our votes with our sons\' jobs', start: 0, end: 1, speaker: { name: 'Luis Acevedo' } },
        { text: 'further indication of the progress', start: 0, end: 1, speaker: { name: 'Sarah Sanders' } },
        { text: 'Is this the end?', start: 0, end: 1, speaker: { name: 'Ann Lee' } },
      ],
    });
    const { text, html } = await renderDigest([b], digestOptions);
    expect(text).toContain("“They bought our votes with our sons' jobs.”");
    expect(text).toContain('“…further indication of the progress…”');
    expect(html).toContain('“…further indication of the progress…”');
    expect(text).toContain('“Is this the end?”');
  });

  it('shows a fragment inside its lead-in, the lead-in outside the quotation marks', async () => {
    const b = brief(3, {
      keyQuotes: [
        {
          text: 'further indication of the progress that we hope to continue to make',
          start: 0,
          end: 1,
          speaker: { name: 'Sarah Sanders', role: 'White House press secretary' },
          leadIn: 'Sanders called the letter',
          sentenceEnds: true,
        },
        { text: 'very warm, very positive', start: 0, end: 1, speaker: { name: 'Sarah Sanders' }, leadIn: 'She said it was a', sentenceEnds: false },
      ],
    });
    const { text, html } = await renderDigest([b], digestOptions);
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Sanders called the letter “further indication of the progress that we hope to continue to make”.');
    expect(flat).toContain('She said it was a “very warm, very positive” …');
    expect(html).toContain('<span style="font-style:normal;">Sanders called the letter </span>“further indication of the progress that we hope to continue to make”.');
  });
});

describe('Outlook-safe quote cards', () => {
  it('draws the card (rule, tint, padding) on a table cell, not on the blockquote', async () => {
    const { html } = await renderDigest([brief(1)], digestOptions);
    const cards = [...html.matchAll(/<td class="nb-quote"[^>]*>/g)].map((m) => m[0]);
    expect(cards).toHaveLength(3);
    for (const td of cards) {
      expect(td).toContain('border-left:4px solid');
      expect(td).toContain('padding:12px 16px');
      expect(td).toContain('bgcolor=');
    }
    for (const bq of html.match(/<blockquote[^>]*>/g) ?? []) expect(bq).toBe('<blockquote style="margin:0;">');
  });
});

describe('dark mode', () => {
  it('declares both colour schemes and restyles cards, text, links and quote cards for dark', async () => {
    for (const email of [await renderDigest([brief(1)], digestOptions), await renderAlert(brief(1), { ...digestOptions, matchedTopic: 'environment' })]) {
      expect(email.html).toContain('<meta name="color-scheme" content="light dark">');
      expect(email.html).toContain('<meta name="supported-color-schemes" content="light dark">');
      const dark = /@media \(prefers-color-scheme: dark\) \{([\s\S]*?)\n {2}\}/.exec(email.html)?.[1] ?? '';
      for (const selector of ['.nb-card', '.nb-body a', '.nb-quote', '.nb-muted div']) expect(dark).toContain(selector);
      // Outlook.com marks what its dark mode recoloured; the same palette applies there.
      expect(email.html).toContain('[data-ogsc]');
      expect(email.html).toContain('class="nb-quote"');
    }
  });
});

describe('escaping', () => {
  const hostile: Brief = brief(7, {
    title: `<script>alert("x")</script> Fish & Chips: "Ayes" and 'Noes' 🐟🍟`,
    source: 'Smith & Sons <Media>',
    url: 'https://news.example.org/a?b=1&c="2"',
    summary: ['The <b>mayor</b> said 2 < 3 && 5 > 4.'],
    keyQuotes: [{ text: 'We <3 "fish" & chips', start: 0, end: 1, speaker: { name: 'Ann <O\'Neil>', role: 'Chair & CEO' } }],
  });

  it('HTML-escapes every article value and keeps emoji intact', async () => {
    const rendered = await renderDigest([hostile], digestOptions);
    const html = personalise(rendered, values).html;
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>mayor');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Fish &amp; Chips: &quot;Ayes&quot; and &#39;Noes&#39; 🐟🍟');
    expect(html).toContain('Smith &amp; Sons &lt;Media&gt;');
    expect(html).toContain('The &lt;b&gt;mayor&lt;/b&gt; said 2 &lt; 3 &amp;&amp; 5 &gt; 4.');
    expect(html).toContain('We &lt;3 &quot;fish&quot; &amp; chips');
    expect(html).toContain('— Ann &lt;O&#39;Neil&gt;, Chair &amp; CEO');
    // The URL is normalised (quotes percent-encoded) and its & escaped inside href.
    expect(html).toContain('href="https://news.example.org/a?b=1&amp;c=%222%22"');
  });

  it('writes the same values unescaped into the text part and the subject', async () => {
    const rendered = await renderDigest([hostile], digestOptions);
    expect(rendered.subject).toContain(`<script>alert("x")</script> Fish & Chips`);
    expect(rendered.text).toContain(`'Noes' 🐟🍟`);
    expect(rendered.text).toContain('“We <3 "fish" & chips.”');
    expect(rendered.text).toContain("— Ann <O'Neil>, Chair & CEO");
  });

  it('drops links that are not absolute http(s) URLs', async () => {
    const rendered = await renderDigest([brief(1, { url: 'javascript:alert(1)' }), brief(2, { url: 'data:text/html,hi' })], digestOptions);
    expect(rendered.html).not.toMatch(/javascript:|data:text/);
    expect(rendered.html).toContain('Ministers agree on plan 1');
    expect(rendered.text).not.toMatch(/javascript:|data:text/);
  });

  it('escapes the newsletter name and postal address from configuration', async () => {
    const rendered = await renderConfirm({ newsletterName: 'News & <Views>', postalAddress: '1 "Main" St' });
    expect(rendered.html).toContain('News &amp; &lt;Views&gt;');
    expect(rendered.html).toContain('1 &quot;Main&quot; St');
  });
});

describe('digest content', () => {
  it('shows headline, date, source, summary and attributed quotes in both parts', async () => {
    const b = brief(4);
    const rendered = await renderDigest([b, brief(5)], digestOptions);
    const { html, text } = personalise(rendered, values);
    // The text part is word-wrapped, so compare it with whitespace collapsed.
    for (const part of [html, text.replace(/\s+/g, ' ')]) {
      expect(part).toContain(b.title);
      expect(part).toContain('5 November 2026 · Harbour Gazette');
      expect(part).toContain('The government and regional councils agreed on Tuesday to spend £5.4 billion');
      expect(part).toContain('Environment, Politics');
    }
    expect(html).toContain(`<a href="${b.url?.replace(/&/g, '&amp;')}"`);
    expect(html).toContain('— Amara Okafor, Minister for the Environment');
    expect(html).toContain('— Jean Whitfield</p>');
    expect(html).toMatch(/<blockquote[^>]*>/);
    // The text part keeps the structure: numbered headlines, wrapped quotes, attributions, full links.
    expect(text).toMatch(/^1\. Ministers agree on plan 4/m);
    expect(text).toMatch(/^2\. Ministers agree on plan 5/m);
    expect(text).toContain('  “We cannot keep asking families');
    expect(text).toContain('  — Lars Pedersen, chief engineer at the Coastal Authority');
    expect(text).toContain(`\n${b.url}\n`);
    expect(text).toContain(`Unsubscribe: ${values.unsubscribeUrl}`);
    expect(text).toContain(`Manage preferences: ${values.preferencesUrl}`);
    expect(text).toContain(digestOptions.postalAddress.slice(0, 30));
    for (const line of text.split('\n')) {
      if (!/https?:\/\//.test(line)) expect(line.length).toBeLessThanOrEqual(76);
    }
  });

  it('has a preheader summarising the issue and a subject naming the lead story', async () => {
    const rendered = await renderDigest([brief(1), brief(2), brief(3)], digestOptions);
    expect(rendered.preheader).toMatch(/^3 stories: Ministers agree on plan 1/);
    expect(rendered.preheader.length).toBeLessThanOrEqual(140);
    expect(rendered.html).toContain(rendered.preheader.replace(/&/g, '&amp;'));
    expect(rendered.subject).toBe('Ministers agree on plan 1 to rebuild coastal… (+2 more)');
  });

  it('keeps every subject within 60 characters, the lead story first and the count kept', async () => {
    const long = brief(1, { title: 'A very long headline about a regional parliament vote on the future of coastal flood defence funding' });
    const subjects = [
      (await renderDigest([long, brief(2), brief(3), brief(4), brief(5)], digestOptions)).subject,
      (await renderDigest([brief(1, { title: 'Short news' })], digestOptions)).subject,
      (await renderAlert(long, { ...digestOptions, matchedTopic: 'environment' })).subject,
    ];
    expect(subjects).toEqual([expect.stringMatching(/^A very long headline .*… \(\+4 more\)$/), 'Short news', expect.stringMatching(/^A very long headline .*…$/)]);
    for (const subject of subjects) {
      expect(subject.length).toBeLessThanOrEqual(60);
      expect(subject).not.toContain(digestOptions.newsletterName);
    }
  });

  it('gives each article link a text that names the article, and never links one headline but not another', async () => {
    const { url: _drop, ...withoutUrl } = brief(2, { title: 'A story without a link' });
    const rendered = await renderDigest([brief(1), withoutUrl, brief(3)], digestOptions);
    const links = [...rendered.html.matchAll(/<a href="https:\/\/news\.example\.org[^"]*"[^>]*>([^<]*)<\/a>/g)].map((m) => m[1]);
    expect(links).toEqual([
      'Read “Ministers agree on plan 1 to rebuild coastal flood…” at Harbour Gazette',
      'Read “Ministers agree on plan 3 to rebuild coastal flood…” at Harbour Gazette',
    ]);
    // Headlines are plain text, linked or not.
    expect(rendered.html).not.toMatch(/<h2[^>]*><a /);
    expect(rendered.html).toContain('A story without a link</h2>');
  });

  it('names the sender once in the footer when the postal address starts with the newsletter name', async () => {
    const named = await renderDigest([brief(1)], digestOptions);
    expect(named.text).not.toContain('newsbrief · newsbrief Ltd');
    expect(named.text).toContain('\nnewsbrief Ltd, 1 Harbour Street');
    const bare = await renderDigest([brief(1)], { ...digestOptions, postalAddress: '1 Harbour Street, Portsmouth' });
    expect(bare.text).toContain('\nnewsbrief · 1 Harbour Street, Portsmouth');
  });

  it('lists articles past maxFullArticles as headlines only', async () => {
    const briefs = Array.from({ length: 5 }, (_, i) => brief(i + 1));
    const rendered = await renderDigest(briefs, { ...digestOptions, maxFullArticles: 3 });
    const { html, text } = personalise(rendered, values);
    expect(html.match(/<blockquote/g)).toHaveLength(9);
    expect(html).toContain('More in this issue');
    for (const n of [4, 5]) {
      expect(html).toContain(`Ministers agree on plan ${n} to rebuild`);
      expect(html).not.toContain(`spend £${n + 1}.4 billion`);
      expect(text).not.toContain(`spend £${n + 1}.4 billion`);
      expect(text).toContain(`https://news.example.org/2026/11/flood-defences-plan-${n}?`);
    }
    expect(text).toContain('More in this issue');
    expect(text).toContain('The last 2 are listed as headlines at the end.');
  });

  it('rejects an empty digest and a missing postal address', async () => {
    await expect(renderDigest([], digestOptions)).rejects.toBeInstanceOf(RenderError);
    await expect(renderDigest([brief(1)], { ...digestOptions, postalAddress: '  ' })).rejects.toThrow(/CAN-SPAM/);
  });

  it('keeps a 10-article digest with 3 long quotes each under Gmail’s 102 KB clipping limit', async () => {
    const long = (n: number): Brief =>
      brief(n, {
        title: `${'Regional parliament votes to overhaul coastal flood defence funding after record storm season '.repeat(1)}${n} 🌊`,
        summary: Array.from({ length: 3 }, (_, i) => `Sentence ${i} of article ${n}: ${'councillors debated the plan for hours, with amendments on drainage, dunes and compensation — '.repeat(3)}`),
        keyQuotes: Array.from({ length: 3 }, (_, i) => ({
          text: `Quote ${i}: ${'we will not accept another winter of sandbags and broken promises for the towns on this coast, '.repeat(3)}`,
          start: 0,
          end: 1,
          speaker: { name: `Speaker Number ${i} Fitzgerald-Ødegaard`, role: 'Deputy Chair of the Regional Flood Defence Committee' },
        })),
      });
    const briefs = Array.from({ length: 10 }, (_, i) => long(i));
    const rendered = await renderDigest(briefs, digestOptions);
    const token = 'v1.k1.'.padEnd(200, 'x');
    const { html } = personalise(rendered, {
      unsubscribeUrl: `https://subscribe.news.example.com/unsubscribe?token=${token}`,
      preferencesUrl: `https://subscribe.news.example.com/preferences?token=${token}`,
      greeting: 'Hello Ann,',
    });
    expect(html.match(/<blockquote/g)).toHaveLength(30);
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(102 * 1024);
  });

  it('shows fewer articles in full when an operator’s maxFullArticles would pass the clip limit', async () => {
    const briefs = Array.from({ length: 30 }, (_, i) => brief(i));
    const rendered = await renderDigest(briefs, { ...digestOptions, maxFullArticles: 30 });
    const { html, text } = personalise(rendered, values);
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(102 * 1024);
    const full = html.match(/<blockquote/g)?.length ?? 0;
    expect(full / 3).toBeGreaterThanOrEqual(10);
    expect(full / 3).toBeLessThan(30);
    // Every article is still there: the rest as headlines, in both parts.
    for (const b of briefs) expect(html).toContain(b.title);
    expect(text).toContain(`The last ${30 - full / 3} are listed as headlines at the end.`);
  });

  it('guards the HTML part as it is sent (quoted-printable), not the decoded HTML', async () => {
    // 12 of these articles in full come to about 98 KB of HTML, but about 107 KB quoted-printable.
    const briefs = Array.from({ length: 30 }, (_, i) => brief(i));
    const rendered = await renderDigest(briefs, { ...digestOptions, maxFullArticles: 12 });
    const raw = (await buildMessage(personalise(rendered, values), { subscriberId: 's1', email: 'ann@example.org' }, { from: { name: 'newsbrief', address: 'news@example.com' } })).toString('latin1');
    const boundary = /boundary="([^"]+)"/.exec(raw)?.[1] as string;
    const htmlPart = raw.split(`--${boundary}`).find((p) => p.includes('Content-Type: text/html')) as string;
    const body = htmlPart.slice(htmlPart.indexOf('\r\n\r\n') + 4);
    // Gmail clips past about 102 KB of HTML as received; quoted-printable adds about 8 % to the decoded size.
    expect(body.length).toBeLessThan(102 * 1024);
    expect(sentHtmlBytes(rendered.html)).toBeGreaterThan(Buffer.byteLength(rendered.html, 'utf8') * 1.04);
  });
});

describe('alert and confirm', () => {
  it('alert names the topic that matched', async () => {
    const rendered = await renderAlert(brief(2), { ...digestOptions, matchedTopic: 'north-korea', topics: ['north-korea', 'asia', 'us-politics'] });
    expect(rendered.subject).toBe('Ministers agree on plan 2 to rebuild coastal flood…');
    const { html, text } = personalise(rendered, values);
    for (const part of [html, text.replace(/\s+/g, ' ')]) {
      expect(part).toContain('A new article on North korea, one of the topics you follow.');
      expect(part).toContain('You get this alert because you asked newsbrief for an alert whenever a new article on North korea, Asia, US politics appears.');
    }
    expect(text).toContain('“We cannot keep asking families');
    expect(text).not.toMatch(/^1\./m);
  });

  it('uses configured topic labels when given', async () => {
    const rendered = await renderAlert(brief(2), {
      ...digestOptions,
      matchedTopic: 'north-korea',
      topics: ['north-korea'],
      topicLabels: { 'north-korea': 'North Korea & the <Peninsula>' },
    });
    expect(rendered.text).toContain('Alert · North Korea & the <Peninsula>');
    expect(rendered.html).toContain('A new article on North Korea &amp; the &lt;Peninsula&gt;, one of the topics you follow.');
  });

  it('does not tell an all-topics reader that their topic matched', async () => {
    const rendered = await renderAlert(brief(2), { ...digestOptions, matchedTopic: 'science', topics: [] });
    const text = rendered.text.replace(/\s+/g, ' ');
    expect(text).toContain('A new article on Science.');
    expect(text).not.toMatch(/your topic|on all topics/);
    expect(text).toContain('You get this alert because you asked newsbrief for an alert whenever a new article appears.');
  });

  it('confirm has the button and the plain link, and no unsubscribe links', async () => {
    const rendered = await renderConfirm({ ...digestOptions, linkValidity: '7 days' });
    expect(rendered.slots).toEqual(['confirmUrl']);
    const url = 'https://news.example.com/confirm?token=c.1&kid=k1';
    const { html, text } = personalise(rendered, { confirmUrl: url });
    expect(html.match(/href="https:\/\/news\.example\.com\/confirm\?token=c\.1&amp;kid=k1"/g)).toHaveLength(2);
    expect(html).toContain('>https://news.example.com/confirm?token=c.1&amp;kid=k1</a>');
    expect(html).toContain('Confirm my subscription');
    expect(html).not.toContain('Unsubscribe');
    expect(text).toContain(`Confirm my subscription:\n${url}\n`);
    expect(text).toContain('The link is valid for 7 days.');
  });
});
