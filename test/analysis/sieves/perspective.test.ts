import { describe, expect, it } from 'vitest';
import { perspective } from '../../../lambda/shared/analysis/quotes/sieves/perspective.ts';
import { article, decide } from './context.ts';
import { findQuotes } from '../../../lambda/shared/analysis/quotes/index.ts';

describe('sieve: perspective', () => {
  it('gives a quote set after "to her," or "To Hale," to that person', () => {
    const text = article(
      'Film',
      'Ana Ruiz runs the media center.',
      'She gives credit to storytellers and the Open Streets movement for speaking out because to her, "nothing matters more than telling the story right."',
      'To Tom Hale, "the film was a betrayal."',
    );
    expect(decide(perspective, text, 'telling the story')).toBe('Ana Ruiz');
    expect(decide(perspective, text, 'a betrayal')).toBe('Tom Hale');
    // In the pipeline it decides before the reporting verb earlier in the sentence ("speaking").
    expect(findQuotes(text).find((q) => q.text.includes('telling the story'))?.speaker?.name).toBe('Ana Ruiz');
  });

  it('passes when "to" belongs to a phrase ("in regard to Clinton, …")', () => {
    const text = article('Speech', 'Dan Ortiz also said that, in regard to Ann Lowe, "our fight is to change this country."');
    expect(decide(perspective, text, 'our fight')).toBeUndefined();
  });
});
