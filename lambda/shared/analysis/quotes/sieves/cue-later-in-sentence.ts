/**
 * A reporting verb later in the sentence after the quote: `"…" is how Bolton put it, he said`,
 * `"…" that Sanders can win, said Steve Elmendorf`, `"…," according to show insiders`. A verb with no
 * speaker is no cue: look on.
 */
import type { Sieve } from './sieve.ts';

export const cueLaterInSentence: Sieve = {
  name: 'cue later in the sentence',
  reliability: 0.85,
  decide({ doc, speakers, postStart, hi, postUsable }) {
    if (!postUsable) return undefined;
    for (let c = postStart; c < hi; c++) {
      if (!doc.isCue(c)) continue;
      // "according to" names its source after it, never the sentence's subject before it.
      if (doc.tok(c).lower === 'according') return speakers.afterCue(c, hi);
      // After a comma the verb comes before its subject.
      const inverted = doc.toks[c - 1]?.text === ',' ? speakers.afterCue(c, hi) : undefined;
      const s = inverted ?? speakers.beforeCue(c, postStart) ?? speakers.afterCue(c, hi);
      if (s) return s;
      if (s === null) return undefined;
    }
    return undefined;
  },
};
