import { describe, expect, it } from 'vitest';
import { analyze, analyzeText } from '../../lambda/shared/analysis/analyze.ts';
import { articleText } from '../../lambda/shared/article/model.ts';
import type { Article } from '../../lambda/shared/article/model.ts';
import { readArticleFile } from '../../lambda/shared/article/read.ts';

const SAMPLE = 'examples/articles/2018-09-11-second-trump-kim-meet.txt';

describe('analyze', () => {
  it('gives the sample a summary of at most 3 body sentences in article order, none holding a key quote', async () => {
    const article = await readArticleFile(SAMPLE);
    const text = articleText(article);
    const a = analyze(article);
    expect(a.summary.length).toBeGreaterThan(0);
    expect(a.summary.length).toBeLessThanOrEqual(3);
    const at = a.summary.map((s) => text.indexOf(s));
    expect(at.every((p) => p > article.title.length)).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    expect(a.keyQuotes.length).toBeGreaterThan(0);
    for (const q of a.keyQuotes) {
      expect(text.slice(q.start, q.end).length).toBeGreaterThan(0);
      for (const s of a.summary) expect(s.includes(text.slice(q.start, q.end))).toBe(false);
    }
  });

  it('quote offsets point into articleText()', async () => {
    const article = await readArticleFile(SAMPLE);
    const text = articleText(article);
    for (const q of analyze(article).quotes) {
      expect(q.start).toBeGreaterThanOrEqual(0);
      expect(q.end).toBeLessThanOrEqual(text.length);
      expect(text.slice(q.start, q.end).replace(/\s+/g, ' ')).toContain(q.text.replace(/\s+/g, ' ').slice(0, 20));
    }
  });

  it('lets an editor summary and editor key quotes override the automatic ones', () => {
    const article: Article = {
      title: 'Bridge reopens',
      publishedAt: null,
      paragraphs: [
        'The old bridge reopened on Monday after two years of repairs.',
        '"It is good to have it back," said Mayor Ana Lopez.',
        'Traffic was light in the morning.',
      ],
      summary: ['Editor line one.', 'Editor line two.'],
      quotes: [{ text: '“It is good to have it back”', speaker: 'Ana Lopez', role: 'Mayor' }, { text: 'Not in the text', speaker: null }],
    };
    const a = analyze(article);
    expect(a.summary).toEqual(['Editor line one.', 'Editor line two.']);
    const text = articleText(article);
    expect(a.keyQuotes[0]).toMatchObject({ speaker: { name: 'Ana Lopez', role: 'Mayor' } });
    expect(text.slice(a.keyQuotes[0]?.start, a.keyQuotes[0]?.end)).toBe('It is good to have it back');
    expect(a.keyQuotes[1]).toMatchObject({ text: 'Not in the text', start: -1, end: -1, speaker: null });
  });

  it('never puts an editor key quote sentence into the automatic summary', () => {
    const article: Article = {
      title: 'Bridge reopens',
      publishedAt: null,
      paragraphs: [
        'The old bridge reopened on Monday after two years of repairs, the city said.',
        'The mayor said the repairs had cost far more than planned and taken a year longer.',
        'Traffic was light in the morning.',
      ],
      quotes: [{ text: 'the repairs had cost far more than planned', speaker: 'Ana Lopez' }],
    };
    const a = analyze(article);
    expect(a.summary.some((s) => s.includes('cost far more'))).toBe(false);
    expect(a.summary[0]).toMatch(/^The old bridge reopened/);
  });
});

describe('analyzeText', () => {
  it('treats a punctuation-less first line as the headline and never summarises it', () => {
    const text = 'Storm hits coast\n\nA storm hit the coast on Friday, cutting power to 20,000 homes.\n\nCrews expect to restore power by Sunday.';
    const a = analyzeText(text);
    expect(a.summary[0]).toBe('A storm hit the coast on Friday, cutting power to 20,000 homes.');
    expect(a.summary).not.toContain('Storm hits coast');
  });

  it('summarises text that starts straight with the lead sentence', () => {
    const text = '(CNN)A storm hit the coast on Friday.\n\nCrews expect to restore power by Sunday.';
    expect(analyzeText(text).summary[0]).toBe('A storm hit the coast on Friday.');
  });

  it('copes with text that has no sentences at all', () => {
    expect(analyzeText('   ')).toMatchObject({ summary: [], quotes: [], keyQuotes: [] });
  });
});
