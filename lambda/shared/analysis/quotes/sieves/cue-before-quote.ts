/**
 * A reporting verb before the quote in its sentence: `Bolton said that "…"`, `According to X, "…"`.
 * After the last quote before this one, the outermost (leftmost) cue wins (`Obama said he expected
 * Americans will say "no"` is Obama's); before it, the nearest. Cues inside an opening
 * subordinate clause ("When asked by Ingraham …, Cruz said:") and passives ("asked by") belong to
 * someone else, and so, while another cue remains, does the verb of a relative clause on an object
 * ("not paying an architect who said …, saying, "…"").
 */
import { ADVERBIAL_OPENERS, CLAUSE_LINKS, DESCRIBERS, PREPOSITIONS, SUBORDINATORS, isLabelVerb } from '../cues.ts';
import type { Doc } from '../document.ts';
import type { Speakers } from '../speakers.ts';
import { subordinateSubject } from './sentence-subject.ts';
import type { Sieve } from './sieve.ts';

const RELATIVE_PRONOUNS = new Set(['who', 'which', 'that']);

/** Whether a clause with its own speaker starts at token k: "… and NBC News will accuse you of …". */
function newSubject(doc: Doc, speakers: Speakers, k: number, end: number): boolean {
  const mi = doc.mentionAt(k);
  if (mi < 0 || doc.mention(mi).poss) return false;
  const to = doc.mention(mi).to;
  for (let c = to; c < end && c - to <= 3; c++) if (doc.isCue(c)) return speakers.adjacent(to, c);
  return false;
}

export const cueBeforeQuote: Sieve = {
  name: 'cue before the quote',
  reliability: 0.95,
  decide({ doc, speakers, lo, openTok }) {
    let clauseStart = lo;
    for (let j = openTok - 1; j >= lo; j--) {
      const t = doc.tok(j);
      // A quote or a clause break (", while Cruz said …", "; Trump said …") starts this clause.
      const clauseBreak = t.text === ';' || t.text === '\u2014' || t.text === '\u2015' || (t.text === ',' && CLAUSE_LINKS.has(doc.toks[j + 1]?.lower ?? '')) ||
        ((t.lower === 'and' || t.lower === 'but') && newSubject(doc, speakers, j + 1, openTok));
      if (t.quote >= 0 || clauseBreak) {
        clauseStart = j + 1;
        break;
      }
    }
    const order: number[] = [];
    for (let c = clauseStart; c < openTok; c++) order.push(c);
    // Past an earlier quote, a cue speaks this one too, unless it only labelled someone and this quote
    // stands in a clause of time with its own subject ("described her as a "disgrace" after she blamed … on "…"").
    const ownClause = clauseStart > lo && subordinateSubject(doc, clauseStart - 1, openTok) !== undefined;
    for (let c = clauseStart - 1; c >= lo; c--) if (!(ownClause && isLabelVerb(doc.tok(c).lower))) order.push(c);
    // The verb of a relative clause on an object ("paying an architect who said he was owed money,
    // saying, "…"") tells about someone the sentence mentions; it speaks the quote only when no other
    // cue does. A clause on the subject ("Clinton, who called …, told", "the groups who wrote … say") keeps its place.
    const objectRelative = (c: number): boolean => {
      const noun = doc.toks[c - 2];
      if (!RELATIVE_PRONOUNS.has(doc.toks[c - 1]?.lower ?? '') || !noun?.word || noun.cap) return false;
      let d = c - 2;
      while (d > lo && c - 2 - d < 3 && !DESCRIBERS.has(doc.tok(d).lower)) d--;
      const before = doc.toks[d - 1];
      return DESCRIBERS.has(doc.tok(d).lower) && d > lo && !!before && before.word && !before.cap && before.quote < 0;
    };
    order.sort((x, y) => Number(objectRelative(x)) - Number(objectRelative(y)));
    // An opening clause ("When asked by Ingraham, …", "In a statement announcing the pick, …") ends at its comma,
    // unless that comma is the one that introduces the quote.
    let clauseEnd = lo;
    const opener = doc.toks[lo]?.lower ?? '';
    if (SUBORDINATORS.has(opener) || ADVERBIAL_OPENERS.has(opener)) {
      let c = lo;
      while (c < openTok && doc.tok(c).text !== ',') c++;
      if (c < openTok - 1) clauseEnd = c;
      // "As The Daily Caller reported, the star "gave …"": a source named in the opening "as" clause,
      // when nothing after it reports speech.
      // ("As Blumenthal spoke, …" tells when, not who: the cue must be a source's verb right before the comma.)
      let later = false;
      for (let k = clauseEnd; k < openTok; k++) if (doc.isCue(k)) later = true;
      const verb = doc.toks[clauseEnd - 1]?.lower === 'it' ? clauseEnd - 2 : clauseEnd - 1;
      if (opener === 'as' && !later && doc.isCue(verb) && !/^spok|^speak/.test(doc.tok(verb).lower)) clauseEnd = lo;
    }
    for (const c of order) {
      if (doc.tok(c).quote >= 0 || !doc.isCue(c)) continue;
      if (c < clauseEnd) continue;
      if (doc.toks[c + 1]?.lower === 'by') {
        // "as described by Comey" names who spoke; "when asked by Ingraham" names who asked.
        if (!isLabelVerb(doc.tok(c).lower)) continue;
        const agent = speakers.afterCue(c + 1, openTok);
        if (agent !== undefined) return agent;
        continue;
      }
      if (doc.tok(c).lower === 'according') {
        const after = speakers.afterCue(c, openTok);
        if (after !== undefined) return after;
      }
      const s = speakers.beforeCue(c, lo);
      if (s !== undefined) return s;
      // "Said Trump: "…"" / "…, said Trump, "…"": the verb before its subject. After words that are
      // no speaker ("63 percent said Clinton was "…"") what follows the verb is what was said, not who.
      const inverted = c === lo || c === clauseStart || !doc.tok(c - 1).word;
      if (inverted) {
        const s2 = speakers.afterCue(c, openTok);
        if (s2 !== undefined) return s2;
      } else {
        const b = doc.tok(c - 1);
        if (b.word && !b.cap && !PREPOSITIONS.has(b.lower)) return null;
      }
    }
    return undefined;
  },
};
