import { describe, expect, it } from 'vitest';
import { cueAfterQuote } from '../../../lambda/shared/analysis/quotes/sieves/cue-after-quote.ts';
import { article, decide } from './context.ts';

describe('sieve: cue after the quote', () => {
  it('reads both orders of the tag and resolves a surname to the full name', () => {
    const text = article('Budget', 'Mayor Ana Ruiz presented the budget.', '"It is balanced," Ruiz said. "Every line was checked," said Ruiz.');
    expect(decide(cueAfterQuote, text, 'It is balanced')).toBe('Ana Ruiz');
    expect(decide(cueAfterQuote, text, 'Every line')).toBe('Ana Ruiz');
  });

  it('keeps a described source as the text words it', () => {
    const text = article('Budget', '"The figures hold up," said a spokesman for the city.');
    expect(decide(cueAfterQuote, text, 'figures hold')).toBe('a spokesman for the city');
  });

  it('reads a name after a role that starts with a number ("9/11 widow Terry Strada")', () => {
    const text = article('Veto', 'Families are angry.', '"The veto is wrong," said 9/11 widow Terry Strada.');
    expect(decide(cueAfterQuote, text, 'veto is wrong')).toBe('Terry Strada');
  });

  it('says the source cannot be named when "they" has no group or pair to stand for, and passes without a tag', () => {
    const text = article('Letter', 'Tom Reed wrote to the governor.', '"The program must end," they wrote.', '"It ends in May." The vote is on Friday.');
    expect(decide(cueAfterQuote, text, 'must end')).toBeNull();
    expect(decide(cueAfterQuote, text, 'ends in May')).toBeUndefined();
  });
});
