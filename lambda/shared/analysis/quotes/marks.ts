/**
 * Finds quotation spans from quotation marks alone: straight and curly double marks, single
 * quotes nested inside them or standing alone, and quotes that run across paragraphs (news style:
 * the opening mark repeats at each new paragraph and the first paragraph has no closing mark).
 */

/** One quotation as marks found it; offsets into the text, `end` exclusive. */
export interface MarkSpan {
  /** Offset of the opening mark. */
  readonly open: number;
  /** Offset of the closing mark, or -1 when the quote ran to the end of its paragraph unclosed. */
  readonly close: number;
  /** The quoted words: first and last non-space character inside the marks. */
  readonly start: number;
  readonly end: number;
  /** 0 for a top-level quote, 1 for a quote nested inside another. */
  readonly depth: 0 | 1;
  /** Offsets of marks that only continue this quote into a new paragraph. */
  readonly continuations: readonly number[];
  readonly single: boolean;
  /** Length of each mark: 2 for the typewriter double mark `''` (NYT archive style), else 1. */
  readonly markLen: 1 | 2;
}

export interface Paragraph {
  readonly start: number;
  readonly end: number;
}

/** The paragraphs of `text` (blank-line separated), as offsets. */
export function paragraphs(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  const re = /\n[ \t\r]*\n/g;
  let start = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > start) out.push({ start, end: m.index });
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push({ start, end: text.length });
  return out;
}

const SPACE = /[\s\u00a0]/;
const OPEN_CONTEXT = /[\s\u00a0([{\u2014\u2013\-/:;,\u201c\u2018"'>]/;
const CLOSE_NEXT = /[\s\u00a0)\]}.,;:!?\u2014\u2013\-\u201d\u2019"'<…]/;

function looksOpen(text: string, i: number, from: number, to: number, len = 1): boolean {
  const prev = i > from ? (text[i - 1] as string) : ' ';
  const next = i + len < to ? (text[i + len] as string) : ' ';
  return OPEN_CONTEXT.test(prev) && !SPACE.test(next);
}
function looksClose(text: string, i: number, from: number, to: number, len = 1): boolean {
  const prev = i > from ? (text[i - 1] as string) : ' ';
  const next = i + len < to ? (text[i + len] as string) : ' ';
  return !SPACE.test(prev) && CLOSE_NEXT.test(next);
}

/** The words inside [start, end): surrounding spaces and a trailing comma (American style `make,"`) dropped. */
function trimmed(text: string, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s < e && SPACE.test(text[s] as string)) s++;
  while (e > s && SPACE.test(text[e - 1] as string)) e--;
  if (e > s + 1 && text[e - 1] === ',') e--;
  return [s, e];
}

const OPENING_DOUBLE = new Set(['\u201c', '\u00ab', '\u201e']);
const CLOSING_DOUBLE = new Set(['\u201d', '\u00bb']);

/** Length of a double mark at i: 1 for " “ ” « » „, 2 for '' (two apostrophes), else 0. */
function doubleAt(text: string, i: number): 0 | 1 | 2 {
  const c = text.charCodeAt(i);
  // " “ ” « » „
  if (c === 0x22 || c === 0x201c || c === 0x201d || c === 0xab || c === 0xbb || c === 0x201e) return 1;
  if (c === 0x27 && text.charCodeAt(i + 1) === 0x27 && text.charCodeAt(i + 2) !== 0x27 && text.charCodeAt(i - 1) !== 0x27) return 2;
  return 0;
}

/**
 * A transcript's turn label, in capitals before a colon: `PENCE:`, `JAKE TAPPER:`, `Q:`. Group 1 is
 * the label.
 */
export const TURN_LABEL = /^(Q|\p{Lu}[\p{Lu}'\u2019-]+(?: \p{Lu}[\p{Lu}'\u2019-]+){0,2}):\s/u;

/**
 * First non-space offset of a paragraph, if it is an opening double mark that continues a quote;
 * not when a turn label follows it (`"PENCE: …`), which starts another speaker's quote.
 */
function continuationMark(text: string, p: Paragraph | undefined): number {
  if (!p) return -1;
  let i = p.start;
  while (i < p.end && SPACE.test(text[i] as string)) i++;
  const ch = text[i];
  if (ch === undefined || i >= p.end) return -1;
  if (TURN_LABEL.test(text.slice(i + 1, i + 40))) return -1;
  return ch === '"' || OPENING_DOUBLE.has(ch) || doubleAt(text, i) === 2 ? i : -1;
}

function doubleSpans(text: string, paras: Paragraph[]): MarkSpan[] {
  const out: MarkSpan[] = [];
  let open = -1;
  let openLen: 1 | 2 = 1;
  let conts: number[] = [];
  let skip = -1; // a continuation mark already consumed
  const push = (close: number, end: number) => {
    const [s, e] = trimmed(text, open + openLen, end);
    if (e > s) out.push({ open, close, start: s, end: e, depth: 0, continuations: conts, single: false, markLen: openLen });
    conts = [];
  };
  for (let pi = 0; pi < paras.length; pi++) {
    const p = paras[pi] as Paragraph;
    for (let i = p.start; i < p.end; i++) {
      const len = doubleAt(text, i);
      if (len === 0) continue;
      if (i === skip) {
        i += len - 1;
        continue;
      }
      const ch = text[i] as string;
      // Markup attribute values (`<tweet author="@AP">`) are no quotations.
      if (open < 0 && ch === '"' && text[i - 1] === '=') {
        const close = text.indexOf('"', i + 1);
        if (close > 0 && close < p.end) {
          i = close;
          continue;
        }
      }
      const lo = looksOpen(text, i, p.start, p.end, len);
      const lc = looksClose(text, i, p.start, p.end, len);
      let asClose: boolean;
      if (open >= 0) {
        // An opening-looking mark while a quote is open means the earlier one was never closed.
        asClose = CLOSING_DOUBLE.has(ch) ? true : OPENING_DOUBLE.has(ch) ? lc && !lo : lc || !lo;
      } else {
        asClose = false;
        // A paragraph that opens with a mark opens a quote, whatever its shape (`” … he said`).
        const opensPara = /^\s*$/.test(text.slice(p.start, i)) && /\S/.test(text.slice(i + len, p.end));
        if (!opensPara && (CLOSING_DOUBLE.has(ch) ? !lo : lc && !lo)) {
          i += len - 1;
          continue; // a stray closing mark
        }
      }
      if (open >= 0 && asClose) {
        push(i, i);
        open = -1;
        i += len - 1;
        continue;
      }
      if (open >= 0) push(-1, i);
      open = i;
      openLen = len;
      i += len - 1;
    }
    if (open >= 0) {
      const next = continuationMark(text, paras[pi + 1]);
      // The repeated mark matches the opening one: a straight quote is not continued by a curly one.
      if (next >= 0 && (text[next] === '"') === (text[open] === '"')) {
        conts.push(next);
        skip = next;
        continue;
      }
      push(-1, p.end);
      open = -1;
    }
  }
  return out;
}

/** Elisions that start with an apostrophe and are no opening quote ('90s, 'em, 'til). */
const ELISION = /^['\u2018\u2019](?:\d|em\b|til\b|cause\b|n\b|tis\b|twas\b|bout\b|round\b)/i;

/** Single-quoted spans inside [from, to): ‘…’ or '…' pairs that are not apostrophes. */
function singleSpans(text: string, from: number, to: number, depth: 0 | 1, maxLen: number, out: MarkSpan[]): void {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x2018 && code !== 0x27) continue;
    const ch = text[i];
    if (ch === "'" && (text[i + 1] === "'" || text[i - 1] === "'")) continue;
    if (!looksOpen(text, i, from, to) || ELISION.test(text.slice(i, i + 6))) continue;
    if (ch === "'" && i > from && /[\p{L}\p{N}]/u.test(text[i - 1] as string)) continue;
    for (let j = i + 2; j < to && j - i <= maxLen; j++) {
      const cc = text.charCodeAt(j);
      if (cc === 0x0a) break;
      if (cc !== 0x2019 && cc !== 0x27) continue;
      const c = text[j];
      if (c === "'" && (text[j + 1] === "'" || text[j - 1] === "'")) continue;
      if (!looksClose(text, j, from, to)) continue;
      const [s, e] = trimmed(text, i + 1, j);
      if (e > s) out.push({ open: i, close: j, start: s, end: e, depth, continuations: [], single: true, markLen: 1 });
      i = j;
      break;
    }
  }
}

/** Every quotation span in `text`, ordered by start; nested single quotes follow their parent. */
export function findMarkSpans(text: string): MarkSpan[] {
  const paras = paragraphs(text);
  const doubles = doubleSpans(text, paras);
  const out: MarkSpan[] = [];
  let cursor = 0;
  for (const d of doubles) {
    // Top-level single quotes between double quotes (headlines and British style).
    for (const p of paras) {
      const a = Math.max(p.start, cursor);
      const b = Math.min(p.end, d.open);
      if (a < b) singleSpans(text, a, b, 0, 160, out);
    }
    out.push(d);
    singleSpans(text, d.start, d.end, 1, 400, out);
    cursor = d.close >= 0 ? d.close + d.markLen : d.end;
  }
  for (const p of paras) {
    const a = Math.max(p.start, cursor);
    if (a < p.end) singleSpans(text, a, p.end, 0, 160, out);
  }
  return out.sort((x, y) => x.start - y.start || x.depth - y.depth);
}
