/**
 * A transcript label opening the quotation: `"PENCE: Well, look, …"`, `"WALLACE: But, Governor …"`.
 * Interview and debate transcripts name each turn's speaker in capitals before a colon, which is
 * surer than any cue around the quote. The label is the person the article names with that
 * surname; a label the article names no one by speaks only when it labels two or more turns, as a
 * transcript's speakers do ("UPDATE:" or "VIDEO:" opens one passage, and names no one). "Q:" is
 * the interviewer, whom the article does not name.
 */
import { personNoun } from '../cues.ts';
import type { Doc } from '../document.ts';
import { TURN_LABEL } from '../marks.ts';
import type { Sieve } from './sieve.ts';

/** How many turns each label opens in the article (at a paragraph start, after an opening mark or not). */
const turns = new WeakMap<Doc, Map<string, number>>();

function turnCounts(doc: Doc): Map<string, number> {
  let counts = turns.get(doc);
  if (!counts) {
    counts = new Map();
    for (const p of doc.paras) {
      const m = TURN_LABEL.exec(doc.text.slice(p.start, p.start + 40).replace(/^\s*["\u201c]?/, ''));
      if (!m) continue;
      const label = m[1] ?? '';
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    turns.set(doc, counts);
  }
  return counts;
}

const titleCase = (w: string): string => w.charAt(0) + w.slice(1).toLowerCase();

export const transcriptLabel: Sieve = {
  name: 'transcript label',
  reliability: 0.95,
  decide({ doc, speakers, span }) {
    const label = TURN_LABEL.exec(doc.text.slice(span.start, span.start + 40))?.[1];
    if (label === undefined) return undefined;
    if (label === 'Q') return null;
    const words = label.split(' ');
    const surname = titleCase(words[words.length - 1] ?? '');
    // The people the article names with that surname (and, for a full label, that whole name).
    const whole = words.map(titleCase).join(' ');
    const named = new Map<string, number>();
    doc.mentions.forEach((_, mi) => {
      const e = doc.entity(mi);
      if (e.person === 'no' || e.plural || e.sharedBy) return;
      const parts = e.name.split(' ');
      if (parts[parts.length - 1] !== surname || (words.length > 1 && e.name !== whole)) return;
      if (!named.has(e.name)) named.set(e.name, mi);
    });
    if (named.size === 1) {
      const [mi] = named.values();
      const r = mi === undefined ? null : speakers.name(mi);
      if (r) return { ...r, via: `"${label}" is ${r.speaker.name}` };
    }
    // A labelled passage is its own turn: never the previous quote's speaker carried on.
    if ((turnCounts(doc).get(label) ?? 0) < 2) return null;
    // A role ("HOST:", "MODERATOR:") describes its speaker; two people share the surname, or the
    // article names no one else by it: the label as written.
    const lower = whole.toLowerCase();
    if (personNoun(lower)) return { speaker: { name: `the ${lower}` }, confidence: 0.85, via: 'a role as the label' };
    return { speaker: { name: named.size > 1 ? surname : whole }, confidence: 0.85, via: 'the label as written' };
  },
};
