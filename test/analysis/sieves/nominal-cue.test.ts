import { describe, expect, it } from 'vitest';
import { nominalCue } from '../../../lambda/shared/analysis/quotes/sieves/nominal-cue.ts';
import { article, decide } from './context.ts';

describe('sieve: nominal or infinitive cue', () => {
  it('gives a claim to its possessor, footage to who is shown, an infinitive to its subject', () => {
    expect(decide(nominalCue, article('Check', "Reporters checked Dan Ortiz's claim that there were \"two thousand new jobs\" in May."), 'two thousand')).toBe('Dan Ortiz');
    expect(decide(nominalCue, article('Ad', 'The ad uses footage of Maria Lopez asking, "Where did the money go?"'), 'money go')).toBe('Maria Lopez');
    expect(decide(nominalCue, article('Truce', 'The truce held, only for Dan Ortiz to post "the deal is off" on Sunday.'), 'deal is off')).toBe('Dan Ortiz');
  });

  it('passes when a reporting verb earlier in the sentence has its own speaker', () => {
    const text = article('Court', "Speaker Paula Grant told reporters that Judge Ruth Ames's comments \"show bias to me.\"");
    expect(decide(nominalCue, text, 'show bias')).toBeUndefined();
  });

  it("passes when the quote is a verdict on someone's words, not their content", () => {
    const text = article('Turnout', "Organizer Lena Park called Dan Ortiz's remarks on Saturday \"a true wake-up call\" for the party.");
    expect(decide(nominalCue, text, 'wake-up call')).toBeUndefined();
  });
});
