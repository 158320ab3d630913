import { describe, expect, it } from 'vitest';
import { previousSentence } from '../../../lambda/shared/analysis/quotes/sieves/previous-sentence.ts';
import { article, decide } from './context.ts';

describe('sieve: previous sentence', () => {
  it('takes the speaker of the sentence that introduces a quote standing alone', () => {
    expect(decide(previousSentence, article('Talks', 'The vote ran late, Nora Bell added. "We are not done."'), 'not done')).toBe('Nora Bell');
    expect(decide(previousSentence, article('Talks', 'Nora Bell continued:', '"We are not done."'), 'not done')).toBe('Nora Bell');
  });

  it('passes when words stand before the quote in its own sentence', () => {
    expect(decide(previousSentence, article('Talks', 'Nora Bell spoke. The plan is "not done" yet.'), 'not done')).toBeUndefined();
  });
});
