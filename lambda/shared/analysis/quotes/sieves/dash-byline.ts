/**
 * A dash byline right after the closing mark: `"…" ― Pamela Padilla` (reader comments, epigraphs),
 * or opening the next paragraph: `"…"` ¶ `- Clinton.`
 */
import { DASHES } from '../cues.ts';
import type { Sieve } from './sieve.ts';

export const dashByline: Sieve = {
  name: 'dash byline',
  reliability: 0.95,
  decide({ doc, speakers, span, postStart, para, closeTok }) {
    const dash = doc.toks[postStart];
    if (!dash || span.close < 0 || !DASHES.has(dash.text)) return undefined;
    if (dash.para !== para && dash.para !== doc.tok(closeTok).para + 1) return undefined;
    const mi = doc.mentionAt(postStart + 1);
    if (mi < 0) return undefined;
    const m = doc.mention(mi);
    const after = doc.toks[m.last];
    // The name ends the line or its clause: a byline, not the start of a new sentence.
    const ends = !after || after.para !== dash.para || !after.word || doc.text.slice(doc.tok(m.last - 1).end, after.start).includes('\n');
    if (m.poss || !ends || doc.entity(mi).person === 'no') return undefined;
    return speakers.name(mi) ?? undefined;
  },
};
