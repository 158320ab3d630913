/**
 * No reporting verb, but the quote sits in a sentence with a subject: `Trump attacked Romney as a
 * "failed candidate."` The subject said or wrote the words, or adopted them.
 */
import type { Sieve } from './sieve.ts';

export const sentenceSubject: Sieve = {
  name: 'subject of the sentence',
  reliability: 0.75,
  decide({ speakers, openTok, wordsBefore, title }) {
    if (!wordsBefore || title) return undefined;
    return speakers.sentenceSubject(openTok, true);
  },
};
