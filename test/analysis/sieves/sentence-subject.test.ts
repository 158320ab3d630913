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

  it('gives a quote in a clause of time to that clause\'s subject, not to the main subject ("… after she blamed …")', () => {
    const text = article('Row', 'Gov. Dan Ortiz described Mayor Ann Lowe as a "disgrace" after she blamed the floods on "years of neglect" in the city.');
    expect(decide(sentenceSubject, text, 'years of neglect')).toBe('Ann Lowe');
    // A reason is the subject's own argument: "because he had accepted" stays with the sentence's subject.
    const reason = article('Row', 'Ann Lowe portrayed Dan Ortiz as a hypocrite because he had accepted "about $200,000" from banks.');
    expect(decide(sentenceSubject, reason, 'about $200,000')).toBe('Ann Lowe');
  });

  it("continues the account of the previous sentence's speaker when the subject is a thing, and only then", () => {
    const text = article(
      'Strategy',
      'Ana Ruiz, the campaign spokeswoman, noted that the team faced a choice in May. The choice was between calling the rival "unfit to serve" or mocking his record.',
      'Prices rose again. The rise was called "a disgrace" by many.',
    );
    expect(decide(sentenceSubject, text, 'unfit to serve')).toBe('Ana Ruiz');
    expect(decide(sentenceSubject, text, 'a disgrace')).toBeNull();
  });

  it('gives a quote in an opening reporting participle ("After saying …, she …") to the main clause\'s subject', () => {
    const text = article(
      'Recovery',
      'In her 2011 memoir, Second Wind, Ann Lowe described the injury.',
      'After saying her knee was "so swollen I could barely walk," she was rushed to a clinic for tests.',
    );
    expect(decide(sentenceSubject, text, 'so swollen')).toBe('Ann Lowe');
  });
});
