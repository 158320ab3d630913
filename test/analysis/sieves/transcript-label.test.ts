import { describe, expect, it } from 'vitest';
import { findQuotes } from '../../../lambda/shared/analysis/quotes/index.ts';
import { transcriptLabel } from '../../../lambda/shared/analysis/quotes/sieves/transcript-label.ts';
import { article, decide } from './context.ts';

const interview = article(
  'Governor defends the plan',
  'Ann Reyes, the governor, sat down with the host on Sunday. Tom Hale, her rival, said the plan "will fail."',
  '"HOST: Governor, will the plan pass?"',
  '"REYES: Well, look, it will pass."',
  '"HOST: And the cost?"',
  '"REYES: The cost is fine."',
  '"LOWE: I was never asked."',
  '"LOWE: Nobody asked me."',
  '"CORRECTION: An earlier version misspelled a name."',
  '"Q: Will you run again?"',
);

describe('sieve: transcript label', () => {
  it('takes the person the article names by the label, a role as a description, or a label that opens two turns as written', () => {
    expect(decide(transcriptLabel, interview, 'it will pass')).toBe('Ann Reyes');
    expect(decide(transcriptLabel, interview, 'will the plan pass')).toBe('the host');
    expect(decide(transcriptLabel, interview, 'never asked')).toBe('Lowe');
  });

  it('names no one for a one-off label or the interviewer, and passes a quote with no label', () => {
    expect(decide(transcriptLabel, interview, 'misspelled')).toBeNull();
    expect(decide(transcriptLabel, interview, 'run again')).toBeNull();
    expect(decide(transcriptLabel, interview, 'will fail')).toBeUndefined();
  });

  it('keeps the previous speaker from carrying over a transcript in the pipeline', () => {
    const by = (w: string) => findQuotes(interview).find((q) => q.text.includes(w))?.speaker?.name ?? null;
    expect(by('cost is fine')).toBe('Ann Reyes');
    expect(by('And the cost')).toBe('the host');
    expect(by('misspelled')).toBeNull();
  });
});
