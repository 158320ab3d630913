/**
 * A quote given as someone's view, right after "to" and that person: `because to her, "there is
 * nothing more important …"`, `To Hale, "it was a betrayal."` The words are that person's, whatever
 * reporting verb stands earlier in the sentence ("credits the movement for speaking out").
 */
import type { Doc } from '../document.ts';
import type { Sieve } from './sieve.ts';

const OBJECT_PRONOUNS = new Set(['him', 'her']);
const CLAUSE_OPENERS = new Set(['because', 'and', 'but', 'yet', 'so', 'that', 'while', 'since', 'as', 'though', 'although']);

/** Whether token k is "to" opening its clause ("because to her", "To Hale"), not ending a phrase ("in regard to"). */
function opensView(doc: Doc, k: number, lo: number): boolean {
  const to = doc.toks[k];
  if (!to || k < lo || to.lower !== 'to' || to.quote >= 0) return false;
  const before = doc.toks[k - 1];
  return k === lo || !before || !before.word || CLAUSE_OPENERS.has(before.lower);
}

export const perspective: Sieve = {
  name: 'perspective',
  reliability: 0.85,
  decide({ doc, speakers, lo, openTok, scare }) {
    if (scare || openTok - 3 < lo || doc.tok(openTok - 1).text !== ',') return undefined;
    const who = openTok - 2;
    const t = doc.tok(who);
    if (t.quote < 0 && !t.cap && OBJECT_PRONOUNS.has(t.lower)) return opensView(doc, who - 1, lo) ? (speakers.objectPronoun(who) ?? undefined) : undefined;
    const mi = doc.owner[who] ?? -1;
    if (mi < 0 || doc.mention(mi).poss || doc.entity(mi).person === 'no' || !opensView(doc, doc.mention(mi).from - 1, lo)) return undefined;
    return speakers.name(mi) ?? undefined;
  },
};
