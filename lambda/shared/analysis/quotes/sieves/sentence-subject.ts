/**
 * No reporting verb, but the quote sits in a sentence with a subject: `Trump attacked Romney as a
 * "failed candidate."` The subject said or wrote the words, or adopted them. When the quote stands
 * in a subordinate clause with its own subject (`Christie called Clinton a "disgrace" after she
 * blamed the shootings on "implicit bias"`), that clause's subject is the one who spoke.
 */
import { AUX } from '../cues.ts';
import type { Doc } from '../document.ts';
import { pronounKind } from '../pronouns.ts';
import { type Resolved, scaled } from '../resolved.ts';
import type { Speakers } from '../speakers.ts';
import type { Sieve } from './sieve.ts';

/** Subordinators of time, whose clause tells of an act of its own subject. */
const EVENT_SUBORDINATORS = new Set(['after', 'before', 'when', 'while', 'once', 'until']);

/**
 * The token of the subject of a subordinate clause that holds the quote opening at openTok: a
 * subordinator of time ("after", "when", "while") followed by a subject pronoun or a name, with no quote,
 * comma or other clause break between it and the quote. Undefined when the quote is in the main clause.
 */
export function subordinateSubject(doc: Doc, lo: number, openTok: number): number | undefined {
  // Only a clause that tells of an act ("after she blamed …", "while Trump calls him …"): a reason or
  // a condition ("because he had accepted …", "if she gave …") is usually the subject's own argument.
  for (let j = openTok - 1; j > lo; j--) {
    const t = doc.tok(j - 1);
    if (t.quote >= 0 || doc.tok(j).quote >= 0 || t.text === ';' || t.text === ':' || t.text === ',') return undefined;
    if (!EVENT_SUBORDINATORS.has(t.lower)) continue;
    if (pronounKind(doc.tok(j))) return j;
    // "after" and "before" are prepositions too ("gone after Trump as a "…""): a name is a subject only before its verb.
    const mi = doc.mentionAt(j);
    if (mi < 0 || doc.mention(mi).poss) return undefined;
    const verb = doc.toks[doc.mention(mi).to];
    return verb && verb.word && !verb.cap && (AUX.has(verb.lower) || doc.isCue(doc.mention(mi).to) || (verb.lower.length > 3 && /(?:ed|s)$/.test(verb.lower))) ? j : undefined;
  }
  return undefined;
}

/**
 * "After saying her foot was "so swollen I could barely walk," she was …": a sentence that opens with
 * a reporting participle ("After saying", "Asked whether", "Calling") takes its speaker from the main
 * clause, whose subject follows the quote and its comma. The token of that subject, if any.
 */
function openingParticipleSubject(doc: Doc, lo: number, openTok: number, closeTok: number): number | undefined {
  let c = lo;
  if (EVENT_SUBORDINATORS.has(doc.tok(c).lower)) c++;
  if (c >= openTok || !doc.isCue(c) || !doc.tok(c).lower.endsWith('ing')) return undefined;
  for (let j = c + 1; j < openTok; j++) if (doc.tok(j).quote >= 0 || doc.tok(j).text === ',' || doc.isCue(j)) return undefined;
  let j = closeTok + 1;
  if (doc.toks[j]?.text === ',') j++;
  else if (doc.toks[closeTok - 1]?.text !== ',') return undefined;
  const t = doc.toks[j];
  if (!t || t.quote >= 0 || doc.sentOf[j] !== doc.sentOf[openTok]) return undefined;
  if (pronounKind(t)) return j;
  const mi = doc.mentionAt(j);
  return mi >= 0 && !doc.mention(mi).poss ? j : undefined;
}

/** The speaker the subordinate subject at token j stands for. */
function clauseSpeaker(doc: Doc, speakers: Speakers, j: number) {
  if (pronounKind(doc.tok(j))) return speakers.pronoun(j);
  return speakers.name(doc.mentionAt(j));
}

/** Whether sentence lo opens with a determiner and a lowercase noun: "The choice was …", "A memo said …". */
function thingSubject(doc: Doc, lo: number): boolean {
  const d = doc.toks[lo];
  const n = doc.toks[lo + 1];
  return !!d && !!n && d.quote < 0 && THING_DETERMINERS.has(d.lower) && n.word && !n.cap && n.quote < 0 && (doc.owner[lo + 1] ?? -1) < 0;
}

/** The named speaker of the reporting verb in the sentence before lo, in the same paragraph, if any. */
function previousReporter(doc: Doc, speakers: Speakers, lo: number): Resolved | undefined {
  const pt = lo - 1;
  if (pt < 0 || doc.tok(pt).para !== doc.tok(lo).para) return undefined;
  const plo = doc.sentenceStart(pt);
  for (let c = plo; c <= pt; c++) {
    if (doc.tok(c).quote >= 0 || !doc.isCue(c)) continue;
    const s = speakers.beforeCue(c, plo);
    return s && s.entity && s.entity.person !== 'no' ? s : undefined;
  }
  return undefined;
}

const THING_DETERMINERS = new Set(['the', 'a', 'an', 'this', 'that']);

export const sentenceSubject: Sieve = {
  name: 'subject of the sentence',
  reliability: 0.75,
  decide({ doc, speakers, lo, openTok, closeTok, wordsBefore, title }) {
    if (!wordsBefore || title) return undefined;
    const j = subordinateSubject(doc, lo, openTok);
    if (j !== undefined) {
      const s = clauseSpeaker(doc, speakers, j);
      if (s) return { ...s, via: `${s.via}; subject of the clause holding the quote` };
    }
    const opening = openingParticipleSubject(doc, lo, openTok, closeTok);
    if (opening !== undefined) {
      const s = clauseSpeaker(doc, speakers, opening);
      if (s) return { ...s, via: `${s.via}; subject of the main clause after the opening participle` };
    }
    const found = speakers.sentenceSubject(openTok, true);
    if (found !== null || !thingSubject(doc, lo)) return found;
    // "Brian Fallon noted that the campaign faced a crossroads. The choice was between going after
    // Trump as "unfit" or …": a thing as subject, in a paragraph whose previous sentence reports
    // someone's account, continues that account.
    const carried = previousReporter(doc, speakers, lo);
    return carried ? scaled(carried, 0.8, "the previous sentence's speaker, whose account this sentence continues") : null;
  },
};
