import { describe, expect, it } from 'vitest';
import { sentenceSubject } from '../../../lambda/shared/analysis/quotes/sieves/sentence-subject.ts';
import { article, decide } from './context.ts';

describe('sieve: subject of the sentence', () => {
  it('gives a quote without a reporting verb to the subject of its sentence', () => {
    const text = article('Race', 'Dan Ortiz attacked his rival as a "failed candidate" on Monday.');
    expect(decide(sentenceSubject, text, 'failed candidate')).toBe('Dan Ortiz');
  });

  it('says the source cannot be named when the subject is a pronoun with no one to stand for', () => {
    // Decided, not passed: the quote is attributed speech whose source is unnamed, so it is still listed as a quote.
    const text = article('Health', 'He released a letter on Friday that says he has "extraordinarily good health" for his age.');
    expect(decide(sentenceSubject, text, 'good health')).toBeNull();
  });

  it('reads the subject after an opening phrase, without the place the person represents', () => {
    const text = article('Mines', 'In January, Gov. Earl Ray Tomblin of West Virginia praised the firm for its "new and innovative ideas."');
    expect(decide(sentenceSubject, text, 'innovative ideas')).toBe('Earl Ray Tomblin');
  });
});
