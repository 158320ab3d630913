/**
 * A reporting verb right after the closing mark, in either order: `," Bolton said`, `," said
 * Bolton`, `," he said`, `," the Florida senator said`.
 */
import { DESCRIBERS } from '../cues.ts';
import { pronounKind } from '../pronouns.ts';
import type { Sieve } from './sieve.ts';

export const cueAfterQuote: Sieve = {
  name: 'cue after the quote',
  reliability: 0.98,
  decide({ doc, speakers, postStart, hi, postUsable }) {
    if (!postUsable) return undefined;
    let k = postStart;
    while (k < hi && !doc.tok(k).word) k++;
    if (k >= hi || k - postStart > 2) return undefined;
    if (doc.isCue(k)) {
      const s = speakers.afterCue(k, hi, true);
      if (s !== undefined) return s;
    }
    const t = doc.tok(k);
    const mi = doc.mentionAt(k);
    let subjEnd = -1;
    if (mi >= 0 && !doc.mention(mi).poss) subjEnd = doc.mention(mi).to;
    else if (pronounKind(t) || t.lower === 'i' || t.lower === 'we') subjEnd = k + 1;
    else if (DESCRIBERS.has(t.lower)) {
      // `," the Florida senator said`: step over the noun phrase to its verb.
      subjEnd = k + 1;
      while (subjEnd < hi && subjEnd - k < 6 && doc.tok(subjEnd).word && !doc.isCue(subjEnd)) subjEnd++;
    }
    if (subjEnd < 0) return undefined;
    for (let c = subjEnd; c < hi && c - subjEnd <= 4; c++) {
      if (!doc.isCue(c)) continue;
      // Only time words and adverbs between subject and verb: `," Bolton said`, `," he later told`.
      if (!speakers.adjacent(subjEnd, c) && c !== subjEnd) return undefined;
      return speakers.beforeCue(c, k);
    }
    return undefined;
  },
};
