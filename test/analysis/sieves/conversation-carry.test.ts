import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../lambda/shared/analysis/quotes/sieves/index.ts';
import { conversationCarry } from '../../../lambda/shared/analysis/quotes/sieves/conversation-carry.ts';
import { article, decide } from './context.ts';

const byBell: Decision = { sieve: 'cue after the quote', found: { speaker: { name: 'Nora Bell' }, confidence: 1, via: 'name' } };

describe('sieve: speaker carried on', () => {
  it('carries the previous speaker to the next quote of the paragraph and to a paragraph that opens with a quote', () => {
    const text = article('Talks', '"We are close," Nora Bell said. "Very close."', '"A deal is days away."', 'Rain fell all week. "Maybe," a driver said.');
    expect(decide(conversationCarry, text, 'Very close', { words: 'We are close', decision: byBell })).toBe('Nora Bell');
    expect(decide(conversationCarry, text, 'days away', { words: 'Very close', decision: byBell })).toBe('Nora Bell');
  });

  it('passes when there is no attributed quote before, or words stand before the quote', () => {
    const text = article('Talks', '"We are close," Nora Bell said.', 'Rain fell. Voters called the plan "a mess" anyway.');
    expect(decide(conversationCarry, text, 'We are close')).toBeUndefined();
    expect(decide(conversationCarry, text, 'a mess', { words: 'We are close', decision: byBell })).toBeUndefined();
  });
});
