import { describe, expect, it } from 'vitest';
import { dashByline } from '../../../lambda/shared/analysis/quotes/sieves/dash-byline.ts';
import { article, decide } from './context.ts';

describe('sieve: dash byline', () => {
  it('takes the name after a dash that closes the quote or opens the next line', () => {
    expect(decide(dashByline, article('Comments', '"The park should stay open at night." ― Ana Ruiz'), 'park should')).toBe('Ana Ruiz');
    expect(decide(dashByline, article('Quotable', '"We will build the bridge by spring."', '- Mayor Tom Reyes.'), 'build the bridge')).toBe('Tom Reyes');
  });

  it('passes when the name after the dash starts a new sentence', () => {
    const text = article('Vote', 'Turnout was "higher than anyone expected" - Tom Reyes won the seat by a mile.');
    expect(decide(dashByline, text, 'higher than')).toBeUndefined();
  });
});
