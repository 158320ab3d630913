import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../lambda/shared/text/sentences.ts';
import { bodyStartOf, summarize } from '../../lambda/shared/analysis/summary.ts';

function run(text: string, exclude: { start: number; end: number }[] = [], maxWords = 80): string[] {
  return summarize({ text, sentences: splitSentences(text), bodyStart: bodyStartOf(text), exclude }, { maxSentences: 3, maxWords });
}

const ARTICLE = [
  'Flood barriers hold as river peaks',
  'Flood barriers along the river held overnight as the water peaked at a record height, city engineers said on Sunday.',
  'The barriers were built after the flood of 2002, when the river swamped the old town and forced thousands from their homes.',
  'Will the barriers hold next time?',
  '"We watched the river all night and the barriers did exactly what they were built to do," said chief engineer Dana Holt.',
  'Engineers will inspect every barrier section this week before the water falls back.',
  'The city spent 40 million euros on the river barriers over ten years.',
  'Cafes in the old town reopened on Sunday afternoon.',
].join('\n\n');

describe('summarize', () => {
  it('returns at most 3 sentences, in article order, drawn from the body', () => {
    const s = run(ARTICLE);
    expect(s.length).toBeGreaterThan(0);
    expect(s.length).toBeLessThanOrEqual(3);
    const positions = s.map((x) => ARTICLE.indexOf(x));
    expect(positions.every((p) => p > ARTICLE.indexOf('\n\n'))).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(s[0]).toMatch(/^Flood barriers along the river held overnight/);
  });

  it('skips questions and never shows a sentence that holds a key quote', () => {
    const quoteStart = ARTICLE.indexOf('We watched');
    const quoteEnd = ARTICLE.indexOf('built to do') + 'built to do'.length;
    const all = run(ARTICLE, [{ start: quoteStart, end: quoteEnd }], 200);
    expect(all.some((s) => s.endsWith('?'))).toBe(false);
    expect(all.some((s) => s.includes('We watched the river'))).toBe(false);
  });

  it('keeps to about 80 words: a sentence that would overflow is left out', () => {
    const long = (n: number, w: string) => `${w[0]?.toUpperCase()}${w.slice(1)} ${Array.from({ length: n - 1 }, () => w).join(' ')}.`;
    const text = [long(40, 'alpha'), long(30, 'beta'), long(35, 'gamma'), 'Short closing line with a few words here.'].join('\n\n');
    const s = run(text);
    const words = s.join(' ').split(/\s+/).length;
    expect(words).toBeLessThanOrEqual(80);
    expect(s).toHaveLength(3);
    expect(s.some((x) => x.startsWith('Gamma'))).toBe(false);
    expect(s[2]).toMatch(/^Short closing line/);
  });

  it('skips byline and photo-caption furniture', () => {
    const text = [
      'By Jane Smith',
      'PUBLISHED: 10:01 EST, 1 April 2015 | UPDATED: 12:00 EST, 1 April 2015',
      'A bridge in the city collapsed on Tuesday, injuring no one, officials said.',
      'Scroll down for video',
      'The bridge had been closed for repairs since January after inspectors found cracks.',
    ].join('\n\n');
    const s = run(text);
    expect(s[0]).toMatch(/^A bridge in the city collapsed/);
    expect(s.join(' ')).not.toMatch(/By Jane Smith|PUBLISHED|Scroll down/);
  });

  it('drops wire datelines that open the lead, but keeps ordinary capitalised openings', () => {
    expect(run('(CNN)A storm hit the coast on Friday, officials said.')).toEqual(['A storm hit the coast on Friday, officials said.']);
    expect(run('WASHINGTON (AP) — The Senate voted on the budget on Tuesday.')).toEqual(['The Senate voted on the budget on Tuesday.']);
    expect(run('HEMPSTEAD, N.Y. ― If it worked against Romney, it might work again.')).toEqual(['If it worked against Romney, it might work again.']);
    expect(run('NASA said the probe was lost over the weekend.')).toEqual(['NASA said the probe was lost over the weekend.']);
  });

  it('returns nothing for a headline-only text', () => {
    expect(run('Just a headline')).toEqual(['Just a headline']);
    expect(summarize({ text: 'Headline', sentences: splitSentences('Headline'), bodyStart: 9, exclude: [] })).toEqual([]);
  });
});

describe('bodyStartOf', () => {
  it('treats a first line without closing punctuation as the headline', () => {
    expect(bodyStartOf('A headline\n\nBody.')).toBe('A headline\n\n'.length);
    expect(bodyStartOf('(CNN)The first sentence is the lead.\n\nBody.')).toBe(0);
    expect(bodyStartOf('One paragraph only')).toBe(0);
    expect(bodyStartOf('A headline\r\n\r\nBody.')).toBe('A headline\r\n\r\n'.length);
  });

  it('treats a short Title Case first line as the headline even with a closing period', () => {
    const text = 'New Poll Shows Minor Post-Debate Bump For Clinton.\n\nA new poll shows a small shift.';
    expect(bodyStartOf(text)).toBe(text.indexOf('A new poll'));
  });
});
