import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../lambda/shared/analysis/analyze.ts';
import { splitSentences } from '../../lambda/shared/text/sentences.ts';

// Text built from the pieces that make news copy hard to split and attribute: quotation marks of every
// kind, abbreviations, ellipses, paragraph breaks, names and reporting verbs.
const piece = fc.constantFrom(
  'The', 'council', 'said', 'Mr.', 'U.S.', 'Jan.', '3.5', 'a.m.', 'J.', 'Smith', 'she', 'he', 'told', 'reporters',
  '"', '“', '”', "'", '‘', '’', '...', '…', '.', '?', '!', ',', ':', '(', ')', '—', '\n\n', '\n', ' ', '  ', 'Bolton said Monday.',
  '"We will act," she said.', '“It is over', 'according to', 'Sanders', 'é', '🙂',
);
const newsText = fc.array(piece, { maxLength: 120 }).map((parts) => parts.join(' '));

describe('analysis on arbitrary news-like text', () => {
  it('splitSentences returns ordered, in-range, non-overlapping spans that never cross a paragraph break', () => {
    fc.assert(
      fc.property(fc.oneof(newsText, fc.string({ maxLength: 300 })), (text) => {
        let last = 0;
        for (const s of splitSentences(text)) {
          expect(s.start).toBeGreaterThanOrEqual(last);
          expect(s.end).toBeGreaterThan(s.start);
          expect(s.end).toBeLessThanOrEqual(text.length);
          expect(/\n[ \t\r]*\n/.test(text.slice(s.start, s.end))).toBe(false);
          last = s.end;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('analyzeText never throws, keeps summaries to 3 text sentences and quote offsets in range', () => {
    fc.assert(
      fc.property(newsText, (text) => {
        const a = analyzeText(text);
        expect(a.summary.length).toBeLessThanOrEqual(3);
        for (const s of a.summary) expect(text.includes(s)).toBe(true);
        for (const q of [...a.quotes, ...a.keyQuotes]) {
          expect(q.start).toBeGreaterThanOrEqual(0);
          expect(q.end).toBeLessThanOrEqual(text.length);
          expect(q.end).toBeGreaterThanOrEqual(q.start);
        }
      }),
      { numRuns: 300 },
    );
  });
});
