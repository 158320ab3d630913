/**
 * A quote that is its own sentence, introduced by the sentence before it in the paragraph:
 * `Bolton added. "…"`, `… he said:`. Across a paragraph break only when the previous paragraph
 * hands over: `Cruz continued:` ¶ `"…"`.
 */
import type { Sieve } from './sieve.ts';

export const previousSentence: Sieve = {
  name: 'previous sentence',
  reliability: 0.85,
  decide({ doc, speakers, lo, openTok, para, wordsBefore, scare }) {
    if (wordsBefore || lo <= 0 || scare) return undefined;
    const pt = lo - 1;
    const pTok = doc.tok(pt);
    const colon = pTok.text === ':';
    if (!((pTok.para === para || (pTok.para === para - 1 && lo === openTok)) && pTok.quote < 0)) return undefined;
    const plo = doc.sentenceStart(pt);
    let hasQuote = false;
    for (let c = plo; c <= pt; c++) if (doc.tok(c).quote >= 0) hasQuote = true;
    if (!(pTok.para === para || colon || !hasQuote)) return undefined;
    for (let c = pt; c >= plo; c--) {
      if (doc.tok(c).quote >= 0 || !doc.isCue(c)) continue;
      const s = speakers.beforeCue(c, plo) ?? speakers.afterCue(c, pt + 1);
      if (s) return s;
      break;
    }
    if (colon) return speakers.sentenceSubject(pt) ?? speakers.beforeCue(pt, plo) ?? undefined;
    return undefined;
  },
};
