import { describe, expect, it } from 'vitest';
import type { Brief } from '../../lambda/shared/article/model.ts';
import { RenderError } from '../../lambda/shared/email/errors.ts';
import { personalise } from '../../lambda/shared/email/personalise.ts';
import { compileMjml, renderAlert, renderConfirm, renderDigest } from '../../lambda/shared/email/render.ts';
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
  it('end a quoted sentence with a full stop, and leave a fragment as it was said', async () => {
    const b = brief(3, {
      keyQuotes: [
        { text: 'They bought our votes with our sons\' jobs', start: 0, end: 1, speaker: { name: 'Luis Acevedo' } },
        { text: 'further indication of the progress', start: 0, end: 1, speaker: { name: 'Sarah Sanders' } },
        { text: 'Is this the end?', start: 0, end: 1, speaker: { name: 'Ann Lee' } },
      ],
    });
    const { text } = await renderDigest([b], digestOptions);
    expect(text).toContain("“They bought our votes with our sons' jobs.”");
    expect(text).toContain('“further indication of the progress”');
    expect(text).toContain('“Is this the end?”');
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
    expect(rendered.subject).toBe('newsbrief: Ministers agree on plan 1 to rebuild coastal flood defences before winter storms (+2 more)');
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
});

describe('alert and confirm', () => {
  it('alert names the topic that matched', async () => {
    const rendered = await renderAlert(brief(2), { ...digestOptions, matchedTopic: 'north-korea', topics: ['north-korea', 'asia', 'us-politics'] });
    expect(rendered.subject).toBe('newsbrief alert (North korea): Ministers agree on plan 2 to rebuild coastal flood defences before winter storms');
    const { html, text } = personalise(rendered, values);
    for (const part of [html, text]) {
      expect(part).toContain('A new article matches your topic North korea.');
      expect(part).toContain('You get this alert because you asked newsbrief for alerts as articles appear');
      expect(part).toContain('North korea, Asia, US politics');
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
    expect(rendered.subject).toContain('alert (North Korea & the <Peninsula>)');
    expect(rendered.html).toContain('matches your topic North Korea &amp; the &lt;Peninsula&gt;.');
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
