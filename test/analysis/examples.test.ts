import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambda/shared/analysis/analyze.ts';
import { articleText } from '../../lambda/shared/article/model.ts';
import { readArticleFile } from '../../lambda/shared/article/read.ts';

// The project's own sample articles (examples/articles), one per input format, each written to
// exercise a behaviour the Trump–Kim sample does not: the analysis must hold on them too.
const DIR = 'examples/articles';
const analysed = async (file: string) => {
  const article = await readArticleFile(path.join(DIR, file));
  return { article, text: articleText(article), brief: analyze(article) };
};
const quoteWith = (a: Awaited<ReturnType<typeof analysed>>, words: string) => {
  const q = a.brief.quotes.find((x) => a.text.slice(x.start, x.end).includes(words));
  if (!q) throw new Error(`no quote with "${words}"`);
  return q;
};

describe('the sample articles in examples/articles', () => {
  const files = readdirSync(DIR).sort();

  it('are one of each format, and every brief keeps the summary rules', async () => {
    expect(new Set(files.map((f) => path.extname(f)))).toEqual(new Set(['.txt', '.md', '.json', '.html']));
    for (const file of files) {
      const { article, text, brief } = await analysed(file);
      expect(brief.summary.length, file).toBeGreaterThan(0);
      expect(brief.summary.length, file).toBeLessThanOrEqual(3);
      expect(brief.keyQuotes.length, file).toBeLessThanOrEqual(3);
      for (const q of brief.keyQuotes) {
        expect(q.speaker, file).not.toBeNull();
        for (const s of brief.summary) expect(s.includes(text.slice(q.start, q.end)), `${file}: summary repeats a key quote`).toBe(false);
      }
      expect(articleText(article)).not.toMatch(/ALSO READ/);
    }
  });

  it('glacier (Markdown, curly quotes): "said X" with a role, and one quote running across two paragraphs', async () => {
    const a = await analysed('2026-03-04-glacier-retreat-study.md');
    const keller = { name: 'Marta Keller', role: 'head of the survey at the Federal Institute of Technology in Zurich' };
    expect(quoteWith(a, 'mapped by our grandparents').speaker).toMatchObject(keller);
    // The second paragraph repeats the opening mark; the first has no closing one: one quotation.
    const across = quoteWith(a, 'the new baseline');
    expect(a.text.slice(across.start, across.end)).toContain('What worries us most');
    expect(across.speaker).toMatchObject(keller);
    expect(quoteWith(a, 'decide our water policy').speaker).toMatchObject({ name: 'Pierre Rochat', role: "the canton's minister for energy" });
  });

  it('port vote (JSON, straight quotes): pronoun speakers resolve to the last compatible person', async () => {
    const a = await analysed('2026-05-19-port-automation-vote.json');
    expect(quoteWith(a, 'Nobody who works these docks').speaker).toMatchObject({ name: 'Angela Ruiz', role: 'union president' });
    expect(quoteWith(a, 'That was our line').speaker?.name).toBe('Angela Ruiz');
    expect(quoteWith(a, "our sons' jobs").speaker).toMatchObject({ name: 'Luis Acevedo', role: 'dock crane operator' });
    // The editor's summary overrides the automatic one.
    expect(a.brief.summary).toEqual(a.article.summary);
  });

  it('monsoon (plain text): no quotes at all, so no key quotes, and the cross-promotion line is dropped', async () => {
    const a = await analysed('2026-07-02-monsoon-forecast.txt');
    expect(a.brief.quotes).toEqual([]);
    expect(a.brief.keyQuotes).toEqual([]);
    expect(a.text).not.toContain('Heatwave Deaths Fall');
  });

  it('transit fares (Markdown): a colon introduction, and a scare quote that is never a key quote', async () => {
    const a = await analysed('2026-09-08-transit-fare-freeze.md');
    expect(quoteWith(a, 'Every month we hold fares down').speaker).toMatchObject({ name: 'Priya Natarajan', role: 'council leader' });
    expect(quoteWith(a, 'spending money we do not have').speaker?.name).toBe('Martin Hale');
    const giveaway = quoteWith(a, 'giveaway');
    expect(a.brief.keyQuotes).not.toContainEqual(giveaway);
    // A single-quoted quotation with an unnamed source is found, but is not a key quote either.
    const unnamed = quoteWith(a, 'strongest among people under 25');
    expect(a.brief.keyQuotes).not.toContainEqual(unnamed);
  });

  it('shuttle talks (HTML page): metadata from JSON-LD, furniture dropped, speakers with their roles', async () => {
    const a = await analysed('2026-10-14-seoul-tokyo-shuttle-talks.html');
    expect(a.article).toMatchObject({ format: 'html', publishedAt: '2026-10-14T09:30:00+09:00', author: 'Hana Yoon', source: 'The Harbour Courier' });
    expect(a.text).not.toMatch(/Share on|Photo:|newsletter|Related:|More stories/);
    expect(quoteWith(a, 'never enough').speaker).toMatchObject({ name: 'Park Ji-won', role: 'South Korean Foreign Minister' });
    expect(quoteWith(a, 'Regular talks survive').speaker?.name).toBe('Min-seo Kang');
  });
});
