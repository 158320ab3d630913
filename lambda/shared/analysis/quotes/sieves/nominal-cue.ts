/**
 * Nominal and infinitive cues, where the speaker is no grammatical subject: `Trump's claim that
 * "…"`, `footage of Clinton asking, "…"`, `only for Trump to tweet "…"`, `she recalled him saying "…"`
 * (a relayed quote belongs to its original speaker). The cue must be the last one before the quote.
 */
import { COMM_NOUNS, CUE_VERBS } from '../lexicon.ts';
import type { Doc } from '../document.ts';
import type { Sieve } from './sieve.ts';

/** Nouns for what someone said: "X's claim that", "X's warning that". */
const CLAIM_NOUNS = new Set([...COMM_NOUNS, 'claim', 'claims', 'assertion', 'assertions', 'words', 'warning', 'promise', 'pledge', 'description', 'argument', 'accusation', 'insistence', 'comment', 'comments', 'remark', 'prediction', 'vow', 'boast', 'suggestion', 'contention', 'charge', 'observation']);

/** Whether the quote is the noun's content: its "that" clause, or the quote right after it (a comma or colon between). */
function contentFollows(doc: Doc, from: number, openTok: number): boolean {
  if (doc.toks[from]?.lower === 'that') return true;
  for (let j = from; j < openTok; j++) if (doc.tok(j).text !== ',' && doc.tok(j).text !== ':') return false;
  return true;
}

function cueBefore(doc: Doc, lo: number, c: number): boolean {
  for (let j = c - 1; j >= lo; j--) {
    if (doc.tok(j).quote >= 0) return false;
    if (doc.isCue(j)) return true;
  }
  return false;
}

export const nominalCue: Sieve = {
  name: 'nominal or infinitive cue',
  reliability: 0.9,
  decide({ doc, speakers, lo, openTok }) {
    for (let c = openTok - 1; c >= lo && openTok - c <= 8; c--) {
      const t = doc.tok(c);
      if (t.quote >= 0) return undefined;
      // "X's claim that "…"": a possessive name before a noun for what was said (not "to tweet").
      if (CLAIM_NOUNS.has(t.lower) && !t.cap && doc.toks[c - 1]?.lower !== 'to') {
        // The quote is what was claimed only when it follows the noun at once ("X's claim that "…"",
        // "X's words: "…""); in "called Obama's remarks on Saturday "a wake-up call"" it is a verdict on them.
        if (!contentFollows(doc, c + 1, openTok)) continue;
        // "Ryan told CNN that Ginsburg's comments "show bias"": a reporting verb earlier in the sentence has its own speaker.
        if (cueBefore(doc, lo, c)) return undefined;
        const mi = doc.owner[c - 1] ?? -1;
        if (mi >= 0 && doc.mention(mi).poss && doc.mention(mi).to === c) return speakers.name(mi) ?? undefined;
        const p = doc.toks[c - 1];
        if (p && (p.lower === 'his' || p.lower === 'her') && !p.cap) return undefined;
        continue;
      }
      if (!CUE_VERBS.has(t.lower) || t.cap) continue;
      const before = doc.toks[c - 1];
      // "for Trump to tweet": the infinitive's subject.
      if (before?.lower === 'to' && doc.toks[c - 2]) {
        const mi = doc.owner[c - 2] ?? -1;
        if (mi >= 0 && doc.mention(mi).to === c - 1 && doc.toks[doc.mention(mi).from - 1]?.lower === 'for') return speakers.name(mi) ?? undefined;
        return undefined;
      }
      // "footage of Clinton asking", "heard him saying": the gerund's subject.
      if (t.lower.endsWith('ing') && before) {
        const mi = doc.owner[c - 1] ?? -1;
        if (mi >= 0 && doc.mention(mi).to === c && !doc.mention(mi).poss) {
          const pre = doc.toks[doc.mention(mi).from - 1];
          if (pre && (pre.lower === 'of' || CUE_VERBS.has(pre.lower) || pre.lower === 'heard' || pre.lower === 'shows' || pre.lower === 'showing')) return speakers.name(mi) ?? undefined;
        }
        if ((before.lower === 'him' || before.lower === 'her') && !before.cap) {
          // A relayed quote: "she recalled him saying" is his, whoever he is; unresolved, no one.
          return speakers.objectPronoun(c - 1) ?? null;
        }
      }
      return undefined;
    }
    return undefined;
  },
};
