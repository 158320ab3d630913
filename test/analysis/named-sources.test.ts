import { describe, expect, it } from 'vitest';
import { type FoundQuote, findQuotes } from '../../lambda/shared/analysis/quotes/index.ts';

// Short articles written for these tests: the named-source error classes of issue 14 (the speaker
// phrase and its identity).
const article = (...paras: string[]): string => paras.join('\n\n');
const quote = (text: string, words: string): FoundQuote => {
  const q = findQuotes(text).find((x) => x.text.includes(words));
  if (!q) throw new Error(`no quote containing ${JSON.stringify(words)}`);
  return q;
};

describe('one identity, one name as shown', () => {
  it('shows a name spelt with both apostrophes as the article spells it most often', () => {
    const text = article(
      'Blast',
      'The blast went off at 8 p.m., according to Police Commissioner James O’Neill.',
      '"The cause has not been determined," said O\'Neill. Asked about the device, O\'Neill said, "Not going into that."',
    );
    expect(quote(text, 'cause has not').speaker).toMatchObject({ name: "James O'Neill", role: 'Police Commissioner' });
    expect(quote(text, 'Not going').speaker?.name).toBe("James O'Neill");
  });

  it('shows a body named in full and by its initials as one name with both ("International Monetary Fund (IMF)")', () => {
    const text = article(
      'Outlook',
      'The International Monetary Fund cut its forecast on Tuesday. "Trade is slowing," the International Monetary Fund said.',
      'The IMF said "political tensions" were to blame.',
      '"The outlook is uncertain," the IMF report stated. The FBI declined to comment.',
    );
    for (const words of ['Trade is slowing', 'political tensions', 'outlook is uncertain']) {
      expect(quote(text, words).speaker?.name).toBe('International Monetary Fund (IMF)');
    }
  });
});
