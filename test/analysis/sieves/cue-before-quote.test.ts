import { describe, expect, it } from 'vitest';
import { cueBeforeQuote } from '../../../lambda/shared/analysis/quotes/sieves/cue-before-quote.ts';
import { article, decide } from './context.ts';

describe('sieve: cue before the quote', () => {
  it('takes the subject of the verb that introduces the quote', () => {
    const text = article('Talks', 'National Security Adviser John Bolton said on Monday that "the talks are over" for now.');
    expect(decide(cueBeforeQuote, text, 'talks are over')).toBe('John Bolton');
  });

  it('passes over the verb of a relative clause on an object ("an architect who said") for the later cue', () => {
    const text = article('Fees', 'Mayor Tom Hale was defensive about not paying an architect who said he was owed money after he built a shed, saying, "Maybe he did not do a good job."');
    expect(decide(cueBeforeQuote, text, 'good job')).toBe('Tom Hale');
  });

  it('gives the quote to the body a "which" clause hangs on, not to whoever turned to it', () => {
    const text = article('Shootings', 'The checkers could not count the shootings. To settle it, they turned to the Harbor City Police Department which reported "2,500 shooting incidents" this year.');
    expect(decide(cueBeforeQuote, text, 'shooting incidents')).toBe('Harbor City Police Department');
  });

  it('keeps the verb of a relative clause on the subject in its place ("Hale, who called Reyes, told")', () => {
    const text = article('Vote', 'Mayor Tom Hale, who called Ana Reyes after the count, told his supporters, "We will be back."');
    expect(decide(cueBeforeQuote, text, 'will be back')).toBe('Tom Hale');
  });

  it('skips a verb inside an opening clause that belongs to someone else', () => {
    const text = article('Debate', 'When asked by host Mara Quinn about the wall, Senator Ted Ruiz said: "It will be built."');
    expect(decide(cueBeforeQuote, text, 'will be built')).toBe('Ted Ruiz');
  });

  it('gives the quote to the speaker of its own clause when two clauses are joined by "and"', () => {
    const text = article('Media', 'Doubt the figures and the Daily Ledger will brand you a liar and Metro Radio will accuse you of a "freak out."');
    expect(decide(cueBeforeQuote, text, 'freak out')).toBe('Metro Radio');
  });

  it('reads labelling verbs as cues, and a country as the subject of one as its government', () => {
    expect(decide(cueBeforeQuote, article('Tests', 'Japan branded the launch "an outlaw act" on Friday.'), 'outlaw act')).toBe('Japan');
    expect(decide(cueBeforeQuote, article('Tests', 'Senator Paula Grant likened the launch to "a declaration of war."'), 'declaration')).toBe('Paula Grant');
  });

  it('does not read a labelling verb in the passive as a cue ("a star likened to …")', () => {
    const text = article('Ad row', 'After an ad showed a star likened to a police badge, Senator Paula Grant said "such images have no place in a campaign."');
    expect(decide(cueBeforeQuote, text, 'such images')).toBe('Paula Grant');
  });

  it('takes the agent of a passive labelling verb ("as described by …")', () => {
    const text = article('Email', 'Her handling of the files was, as described by inspector Carl Moss, "extremely careless."');
    expect(decide(cueBeforeQuote, text, 'extremely careless')).toBe('Carl Moss');
  });

  it('takes the source of an opening "as" clause, but not of a clause that only tells when', () => {
    expect(decide(cueBeforeQuote, article('Gifts', 'As The Daily Ledger reported, the singer "gave thousands" to the fund.'), 'gave thousands')).toBe('Daily Ledger');
    expect(decide(cueBeforeQuote, article('Gifts', 'As Ben Ortiz spoke, Lena Ruiz said "this is a farce" loudly.'), 'a farce')).toBe('Lena Ruiz');
  });

  it('reads past "of The …" and "through the streets" to the speaker', () => {
    expect(decide(cueBeforeQuote, article('Column', 'George Zornick of The Nation wrote, "Act on your values."'), 'Act on')).toBe('George Zornick');
    expect(decide(cueBeforeQuote, article('Curfew', 'Protesters marching through the streets chanted "What curfew?" all night.'), 'What curfew')).toBe('protesters');
  });

  it('reads a titled name after an opening place as the subject, not as the place\'s appositive', () => {
    const text = article('Attack', 'In Lisbon, President Ana Costa released a statement condemning "a cowardly attack" on Friday.');
    expect(decide(cueBeforeQuote, text, 'cowardly attack')).toBe('Ana Costa');
  });

  it('reads past a predicate ("who is Muslim") to the subject, and keeps a described head before its modifier', () => {
    expect(decide(cueBeforeQuote, article('Ban', 'Omar Khan, who is Muslim, also decried the ban as "a betrayal" of the country.'), 'betrayal')).toBe('Omar Khan');
    expect(decide(cueBeforeQuote, article('Talks', 'One Democrat familiar with the talks said it was "not a convincing argument."'), 'convincing')).toMatch(/^one Democrat/);
  });

  it('reads the place a titled person represents as no part of the name', () => {
    const text = article('Seats', 'Chairman Paul Webb of North Carolina said he was "outraged" by the plan.');
    expect(decide(cueBeforeQuote, text, 'outraged')).toBe('Paul Webb');
  });
});
