/**
 * The speaker carries on: a later quote in the same paragraph with no cue of its own, or a
 * paragraph that opens with a quote right after a paragraph whose speech was attributed (news
 * style for a long statement split into paragraphs).
 */
import type { Sieve } from './sieve.ts';

export const conversationCarry: Sieve = {
  name: 'speaker carried on',
  reliability: 0.85,
  decide({ doc, previous, openTok, para, scare, wordsBefore }) {
    const found = previous?.decision.found;
    if (!previous || !found || scare || wordsBefore) return undefined;
    const prevPara = doc.tok(doc.tokAt(previous.span.open)).para;
    let opensPara = true;
    for (let j = openTok - 1; j >= 0 && doc.tok(j).para === para; j--) {
      if (doc.tok(j).word && doc.tok(j).quote < 0) opensPara = false;
    }
    if (prevPara === para || (opensPara && para - prevPara === 1)) return { ...found, via: `${found.via}; carried from the previous quote` };
    return undefined;
  },
};
