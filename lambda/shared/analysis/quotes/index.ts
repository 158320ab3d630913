/**
 * Direct quotations in an article, their speakers, and the few worth showing as key quotes.
 * Pure, synchronous and rule-based: marks → spans (marks.ts), names and roles (tokens.ts),
 * reporting-verb cues and an entity table (attribute.ts), then a small scored selection.
 */
import type { Quote } from '../../article/model.ts';
import { type Attribution, Attributor } from './attribute.ts';
import { type MarkSpan, findMarkSpans, paragraphs } from './marks.ts';

export interface FoundQuote extends Quote {
  /** 'speech' for attributed/real speech; 'scare' for scare quotes, titles, single words */
  readonly kind: 'speech' | 'scare';
  /** What attribution concluded ('unnamed': a cue whose subject names no one, e.g. "they said"). */
  readonly outcome: Attribution['outcome'];
  /** Which sieve decided the speaker, and how it was resolved (shown by `npm run analyze -- --explain`). */
  readonly trace: string;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const CUE_AFTER = /^(?:said|says|say|told|tells|added|adds|asked|wrote|writes|according|he|she|they|stated|noted|explained|argued|insisted|declared)\b/;

/** The quoted words with the marks that only continue a quote into a new paragraph removed. */
function quoteText(text: string, s: MarkSpan): string {
  if (s.continuations.length === 0) return text.slice(s.start, s.end);
  let out = '';
  let at = s.start;
  for (const c of s.continuations) {
    out += text.slice(at, c);
    at = c + 1;
  }
  out += text.slice(at, s.end);
  return out.replace(/[ \t]*\n[ \t\r]*\n[ \t]*/g, ' ');
}

/** Whether every significant word is capitalised: a title or a name ("Face the Nation"). */
function isTitleCase(words: string[]): boolean {
  const significant = words.filter((w) => w.length >= 4);
  return significant.length > 0 && significant.every((w) => /^\p{Lu}/u.test(w));
}

/** Scare quotes, titles and embedded single words, as opposed to quoted speech. */
function kindOf(text: string, s: MarkSpan, words: string[]): FoundQuote['kind'] {
  const body = text.slice(s.start, s.end).replace(/["'”’“‘]+$/, '');
  const terminal = /[.!?…]$/.test(body);
  const startsUpper = /^\p{Lu}/u.test(body);
  if (words.length <= 2 && !(terminal && startsUpper)) return 'scare';
  if (isTitleCase(words) && !terminal && words.length <= 8) return 'scare';
  if (words.length <= 5 && !terminal && s.close >= 0) {
    let b = s.open - 1;
    while (b >= 0 && text[b] === ' ') b--;
    let a = s.close + s.markLen;
    while (a < text.length && /[ ,]/.test(text[a] as string)) a++;
    const before = text[b] ?? '';
    const after = text.slice(a, a + 12);
    // Embedded in a running sentence: `a "very warm, very positive" letter`.
    if (/\p{L}/u.test(before) && /^\p{Ll}/u.test(after) && !CUE_AFTER.test(after)) return 'scare';
  }
  return 'speech';
}

/** Every direct quotation in `text`, in order, with speaker {name, role?} or null. Offsets into `text` cover the words without the marks. */
export function findQuotes(text: string): FoundQuote[] {
  const paras = paragraphs(text);
  const spans = findMarkSpans(text);
  if (spans.length === 0) return [];
  const att = new Attributor(text, spans, paras);
  const out: FoundQuote[] = [];
  let previous: Parameters<Attributor['attribute']>[1] = null;
  for (const s of spans) {
    const qt = quoteText(text, s);
    const words = qt.match(WORD) ?? [];
    if (s.depth === 0) {
      const kind = kindOf(text, s, words);
      const a = att.attribute(s, previous, { scare: kind === 'scare', title: kind === 'scare' && isTitleCase(words) });
      // Scare quotes and titles neither start nor pass on a speaker chain.
      if (kind === 'speech' && a.decision) previous = { span: s, decision: a.decision };
      else if (kind === 'speech') previous = null;
      out.push({ text: qt, start: s.start, end: s.end, speaker: a.speaker, kind, outcome: a.outcome, trace: a.trace });
    } else {
      // A quote inside a quote: the outer speaker is reporting someone else's words.
      out.push({ text: qt, start: s.start, end: s.end, speaker: null, kind: kindOf(text, s, words), outcome: 'none', trace: 'quoted inside another quote' });
    }
  }
  return out;
}

/** The opening mark of a quote: the first non-space character before its words. */
function openingMark(text: string, q: Quote): string {
  let i = q.start - 1;
  while (i >= 0 && /\s/.test(text[i] as string)) i--;
  return text[i] ?? '';
}

const DOUBLE_MARK = /["\u201c\u201d]/;

/** The span of a quote with its own quotation marks (and a comma before the closing mark) included. */
function withMarks(text: string, q: Quote): [number, number] {
  let s = q.start - 1;
  while (s >= 0 && /\s/.test(text[s] as string)) s--;
  let e = q.end;
  if (text[e] === ',') e++;
  while (e < text.length && /[ \t]/.test(text[e] as string)) e++;
  return [DOUBLE_MARK.test(text[s] ?? '') ? s : q.start, DOUBLE_MARK.test(text[e] ?? '') ? e + 1 : q.end];
}

/**
 * The quotes an eval PRED line lists: speech, a quote with a speaker, or one a reporting verb
 * introduces even without a named subject ("they called it "a disgrace""), delimited by the
 * double marks (" “ ”) that the PolNeAR gold set counts as quotation marks. Quotes in single
 * marks or in the typewriter `''` style are real quotes for the brief, but that gold set cannot
 * contain them, so listing them would only measure the mark convention. Offsets include the
 * marks (the scorer measures from first mark to last); `text` stays the quoted words.
 */
export function quotesForEval(text: string, found: readonly FoundQuote[]): FoundQuote[] {
  const out: FoundQuote[] = [];
  for (const q of found) {
    if (!DOUBLE_MARK.test(openingMark(text, q))) continue;
    if (q.kind !== 'speech' && q.speaker === null && q.outcome === 'none') continue;
    const [s, e] = withMarks(text, q);
    out.push({ ...q, start: s, end: e });
  }
  return out;
}

const tokensOf = (s: string): Set<string> => new Set((s.toLowerCase().match(WORD) ?? []).filter((w) => w.length > 2));

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / Math.max(1, a.size + b.size - inter);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A key quote is shown with its speaker's name, so it needs a sure attribution, not just a likely one. */
export const KEY_QUOTE_CONFIDENCE = 0.75;

/** The 1–3 most newsworthy full-sentence quotes with named speakers, ranked, without near-duplicates. */
export function selectKeyQuotes(text: string, quotes: readonly FoundQuote[], max = 3): FoundQuote[] {
  const paras = paragraphs(text);
  const headlineEnd = paras[0]?.end ?? 0;
  const paraIndex = (at: number) => {
    let i = 0;
    while (i + 1 < paras.length && (paras[i + 1] as { start: number }).start <= at) i++;
    return i;
  };
  const mentions = new Map<string, number>();
  const salience = (name: string) => {
    const last = name.replace(/ \([^)]*\)$/, '').split(' ').pop() as string; // "… Fund (IMF)" → Fund
    let n = mentions.get(last);
    if (n === undefined) {
      n = (text.match(new RegExp(`\\b${escapeRe(last)}\\b`, 'g')) ?? []).length;
      mentions.set(last, n);
    }
    return n;
  };
  const scored: { q: FoundQuote; score: number; toks: Set<string> }[] = [];
  for (const q of quotes) {
    // Named speakers only, and only sure ones: a described source ("a senior official") starts lowercase.
    if (q.kind !== 'speech' || !q.speaker || !/^\p{Lu}/u.test(q.speaker.name) || q.start < headlineEnd) continue;
    if ((q.speaker.confidence ?? 1) < KEY_QUOTE_CONFIDENCE) continue;
    const words = q.text.match(WORD) ?? [];
    if (words.length < 6) continue;
    const body = q.text.trim();
    let score = 0;
    // Whole sentences read well on their own; fragments need the article around them.
    const endsSentence = /[.!?…]["'”’]?$/.test(body) || text[q.end] === ',';
    if (/^\p{Lu}/u.test(body) && endsSentence) score += 2;
    if (/\.\.\.|…/.test(body)) score -= 1; // an edited quotation
    if (/["“”‘]|(^|\s)'/.test(body)) score -= 0.5; // quotes someone else in turn
    score += words.length >= 8 && words.length <= 45 ? 1 : words.length > 70 ? -1 : 0;
    if (q.speaker.role) score += 0.5;
    score += 0.5 * Math.min(salience(q.speaker.name), 4);
    score -= 0.5 * (paraIndex(q.start) / Math.max(1, paras.length));
    scored.push({ q, score, toks: tokensOf(body) });
  }
  const picked: typeof scored = [];
  const pool = [...scored];
  while (picked.length < max && pool.length) {
    // Greedy: best remaining score, with a penalty for a speaker already shown.
    let best = -1;
    let bestScore = -Infinity;
    pool.forEach((c, i) => {
      const repeat = picked.filter((p) => p.q.speaker?.name === c.q.speaker?.name).length;
      const s = c.score - 1.5 * repeat;
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    });
    const [c] = pool.splice(best, 1);
    if (!c) break;
    if (picked.some((p) => jaccard(p.toks, c.toks) > 0.5)) continue;
    picked.push(c);
  }
  return picked.map((p) => p.q);
}
