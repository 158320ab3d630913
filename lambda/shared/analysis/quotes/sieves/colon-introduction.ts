/**
 * A colon introduction without a reporting verb: `Trump on Twitter: "…"`, `Sanders delivered a
 * snappy retort: "…"`. The sentence's named subject first, else the name nearest the colon.
 */
import type { Sieve } from './sieve.ts';

export const colonIntroduction: Sieve = {
  name: 'colon introduction',
  reliability: 0.9,
  decide({ doc, speakers, lo, openTok }) {
    if (openTok - 1 < lo || doc.tok(openTok - 1).text !== ':') return undefined;
    const subject = speakers.sentenceSubject(openTok - 1);
    const named = subject && /^\p{Lu}/u.test(subject.speaker.name) ? subject : undefined;
    const s = named ?? speakers.beforeCue(openTok - 1, lo);
    return s ?? undefined;
  },
};
