import { describe, expect, it } from 'vitest';
import { cueLaterInSentence } from '../../../lambda/shared/analysis/quotes/sieves/cue-later-in-sentence.ts';
import { article, decide } from './context.ts';

describe('sieve: cue later in the sentence', () => {
  it('finds the tag after words that follow the quote', () => {
    const text = article('Race', 'Voters want "a fighter" who can win, said strategist Nora Bell.');
    expect(decide(cueLaterInSentence, text, 'a fighter')).toBe('Nora Bell');
  });

  it('never takes who was told for who spoke', () => {
    const text = article('Polls', '"We each have our own opinion, but we are friends," Jim Bennett, 57, told a voter passing by.');
    expect(decide(cueLaterInSentence, text, 'our own opinion')).toBe('Jim Bennett');
  });

  it('takes the agent of a passive labelling verb after the quote', () => {
    const text = article('Files', 'From the lost files to being "extremely careless" with secrets – as described by inspector Carl Moss – her record worries voters.');
    expect(decide(cueLaterInSentence, text, 'extremely careless')).toBe('Carl Moss');
  });
  it('gives the source after "according to", never the person the sentence is about', () => {
    const text = article('Show', 'On the set of "The Big Deal," Tom Hale often kept the crew late, according to show insiders.');
    expect(decide(cueLaterInSentence, text, 'Big Deal')).toBe('show insiders');
  });

  it('names no one when "according to" gives no source it can read', () => {
    const text = article('Show', 'On the set of "The Big Deal," Tom Hale often kept the crew late, according to two lawsuits filed last year.');
    expect(decide(cueLaterInSentence, text, 'Big Deal')).not.toBe('Tom Hale');
  });
});
