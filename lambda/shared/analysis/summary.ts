/**
 * Extractive summary: the article's lead, up to 3 sentences and about 80 words, in article order.
 *
 * News is written with the point first (the inverted pyramid), so the lead is the summary; Lead-3
 * is the baseline extractive summarisers struggle to beat. A lead sentence is passed over only for
 * a reason the sentence itself shows (summary-rules.ts): page furniture (captions, bylines,
 * boilerplate), no finished statement (fragments, pieces of a quotation, questions), someone else's
 * words (a pure quotation), or words the email already shows (a key quote, or a near-repeat of a
 * chosen line). The summary stops at the first sentence that does not fit the word budget: a later,
 * shorter sentence never fills the gap, since whatever is short enough to fit so late is, more often
 * than not, a caption, a quote fragment or scraped page text.
 */
import type { SentenceSpan } from '../text/sentences.ts';
import { type Unfit, insideLongQuotes, quoteMarks, unfitReason } from './summary-rules.ts';

/** Limits of an automatic summary. */
export interface SummaryLimits {
  /** At most this many sentences. */
  readonly maxSentences: number;
  /** About this many words: the summary ends before the sentence that would push it past this. */
  readonly maxWords: number;
}

export const DEFAULT_LIMITS: SummaryLimits = { maxSentences: 3, maxWords: 80 };

interface Span {
  readonly start: number;
  readonly end: number;
}

/** What the summariser needs to know about one article. */
export interface SummaryInput {
  readonly text: string;
  readonly sentences: readonly SentenceSpan[];
  /** Offsets before this are the headline, never summary material. */
  readonly bodyStart: number;
  /** Spans (key quotes) whose sentences must not be repeated in the summary. */
  readonly exclude: readonly Span[];
}

/** Why a body sentence was left out of the summary. */
export type Skip = Unfit | 'key-quote' | 'repeat';

/** One body sentence and what the summariser decided about it. */
export interface SummaryLine {
  readonly start: number;
  readonly end: number;
  /** The sentence as a summary line shows it (without a wire dateline). */
  readonly text: string;
  /** null when chosen, or when the summary was complete before this sentence was reached. */
  readonly skip: Skip | null;
  readonly chosen: boolean;
}

/** Function words: left out when comparing two sentences for a near-repeat. */
const STOPWORDS = new Set(
  ('a about after all also an and any are as at be been but by can could did do does for from had has have he her his ' +
    'how i if in into is it its just more most my no not of on one only or our out over said says she so some than that ' +
    'the their them then there these they this those to up was we were what when where which while who will with would you')
    .split(' '),
);

function words(s: string): string[] {
  return s.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/**
 * Walk the body in order and decide each sentence: skipped (with the reason), chosen, or not
 * reached because the summary is complete. Deterministic and linear in the article length.
 */
export function summaryLines(input: SummaryInput, limits: SummaryLimits = DEFAULT_LIMITS): SummaryLine[] {
  const { text, exclude } = input;
  const body = input.sentences.filter((s) => s.start >= input.bodyStart);
  // Quotation marks are read over the whole body before any choice: a sentence inside a
  // multi-sentence quotation has no marks of its own.
  const shownText = body.map((s) => withoutDateline(text.slice(s.start, s.end)));
  const marks = shownText.map((t) => quoteMarks(t));
  const quoted = insideLongQuotes(marks);
  const out: SummaryLine[] = [];
  const said = new Set<string>();
  let chosen = 0;
  let total = 0;
  let done = false;
  for (let i = 0; i < body.length; i++) {
    const s = body[i] as SentenceSpan;
    const shown = shownText[i] as string;
    if (done) {
      out.push({ start: s.start, end: s.end, text: shown, skip: null, chosen: false });
      continue;
    }
    let skip: Skip | null = exclude.some((q) => q.start < s.end && q.end > s.start)
      ? 'key-quote'
      : unfitReason(shown, marks[i], quoted[i] === true);
    const ws = words(shown);
    const bag = new Set(ws.filter((w) => !STOPWORDS.has(w)));
    // A near-repeat of what is already chosen (a caption restating the lead) adds nothing.
    if (skip === null && alreadySaid(said, bag) >= 0.8) skip = 'repeat';
    if (skip !== null) {
      out.push({ start: s.start, end: s.end, text: shown, skip, chosen: false });
      continue;
    }
    // The first sentence is kept whatever its length: one long lead says more than none.
    if (chosen > 0 && total + ws.length > limits.maxWords) {
      done = true;
      out.push({ start: s.start, end: s.end, text: shown, skip: null, chosen: false });
      continue;
    }
    chosen++;
    for (const w of bag) said.add(w);
    total += ws.length;
    out.push({ start: s.start, end: s.end, text: shown, skip: null, chosen: true });
    if (chosen >= limits.maxSentences) done = true;
  }
  return out;
}

/** The summary: up to `maxSentences` lead sentences (about `maxWords` words) in article order. */
export function summarize(input: SummaryInput, limits: SummaryLimits = DEFAULT_LIMITS): string[] {
  return summaryLines(input, limits)
    .filter((l) => l.chosen)
    .map((l) => l.text);
}

/**
 * Wire datelines that open a lead ("(CNN)", "Washington (CNN)", "WASHINGTON (AP) — ", "HEMPSTEAD,
 * N.Y. ― ", a syndicating source glued to the first word: "(The Hollywood Reporter)Stan …", or the
 * dash left when the splitter took "DECATUR, Ill." as a sentence of its own) are page furniture in a
 * summary line shown on its own.
 */
const DATELINE_PREFIX =
  /^(?:(?:--|[—―–])\s*(?=[A-Z"“‘])|(?:[A-Z][A-Za-z.'’-]+(?:,?\s[A-Z][A-Za-z.'’-]+){0,3}\s*)?\((?:CNN|AP|Reuters|AFP|UPI)\)\s*(?:--|[—―–-])?\s*|\([A-Z][\w.'’&]*(?: [A-Z][\w.'’&]*){0,4}\)(?=[A-Z"“‘])|[A-Z][A-Z'’.-]{2,}(?:\s[A-Z][A-Z'’.-]+)*(?:,\s*[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?)?\s*(?:\([A-Za-z ]+\)\s*)?(?:--|[—―–])\s*)(?=\S)/;

function withoutDateline(sentence: string): string {
  const rest = sentence.replace(DATELINE_PREFIX, '');
  return /\S\s+\S/.test(rest) ? rest : sentence;
}

/** The share of a sentence's content words that the summary already holds. */
function alreadySaid(said: ReadonlySet<string>, bag: ReadonlySet<string>): number {
  if (bag.size === 0) return 1;
  let n = 0;
  for (const w of bag) if (said.has(w)) n++;
  return n / bag.size;
}

/**
 * Where the body of raw article text starts: after a first line that reads as a headline (short,
 * and either without closing punctuation or in Title Case), else at 0. Eval records start either
 * with a headline (PolNeAR, "New Poll Shows Minor Post-Debate Bump For Clinton.") or straight with
 * the first sentence (CNN/DailyMail).
 */
export function bodyStartOf(text: string): number {
  const m = /\n[ \t\r]*\n/.exec(text);
  if (!m) return 0;
  const first = text.slice(0, m.index).trim();
  if (first.length > 200) return 0;
  const headline = !/[.!?…]["'”’)\]]*$/.test(first) || isTitleCase(first);
  return headline ? m.index + m[0].length : 0;
}

/** Whether most longer words are capitalised, as in a headline. */
function isTitleCase(line: string): boolean {
  const long = line.match(/[\p{L}][\p{L}'’-]{3,}/gu) ?? [];
  if (long.length < 3) return false;
  const caps = long.filter((w) => /^\p{Lu}/u.test(w)).length;
  return caps / long.length >= 0.75;
}
