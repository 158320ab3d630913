import { describe, expect, it } from 'vitest';
import { colonIntroduction } from '../../../lambda/shared/analysis/quotes/sieves/colon-introduction.ts';
import { article, decide } from './context.ts';

describe('sieve: colon introduction', () => {
  it('takes the named subject of a sentence that ends in a colon', () => {
    expect(decide(colonIntroduction, article('Rally', 'Senator Paula Grant on Twitter: "We won tonight."'), 'won tonight')).toBe('Paula Grant');
    expect(decide(colonIntroduction, article('Rally', 'Dan Ortiz delivered a quick retort: "Not a chance."'), 'Not a chance')).toBe('Dan Ortiz');
  });

  it('passes without a colon', () => {
    expect(decide(colonIntroduction, article('Rally', 'Dan Ortiz said "not a chance" twice.'), 'not a chance')).toBeUndefined();
  });
});
