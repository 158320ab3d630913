/**
 * Why a sentence cannot stand alone as a summary line. The summary is the article's lead, so a
 * lead sentence is skipped only for one of these reasons, each a property of the sentence itself:
 * it is page furniture (a photo caption, a byline, boilerplate), it is not a finished statement (a
 * fragment of a sentence or of a quotation, a question), or it is mostly someone else's words
 * rather than the article's (quotations belong with their speaker, among the key quotes).
 */

/** A reason to leave a sentence out of the summary. */
export type Unfit =
  | 'caption' // refers to a picture: "(left)", "pictured", "Photo:", a picture credit
  | 'byline' // "By Jane Smith", "Reporting by …"
  | 'boilerplate' // calls to action, timestamps, copyright, social handles, links, editor's notes
  | 'unfinished' // no closing punctuation: a caption line, a label ("Tragic:") or a line broken mid-sentence
  | 'fragment' // starts mid-sentence (lower case, or punctuation such as ", and"), or under three words
  | 'quote-fragment' // starts or ends inside a quotation, or lies inside a multi-sentence one
  | 'pure-quote' // mostly quoted words: someone else's voice
  | 'not-a-statement'; // a question or an exclamation

/** Picture references: a caption, or prose that only makes sense beside its photo. */
const CAPTION = [
  /\bpictured\b|\b(?:seen|shown) (?:here|above|below)\b|\b(?:from )?left to right\b/i,
  // Positions and kinds in brackets: (left), (far right), (centre row), (file photo), (stock image).
  /\((?:(?:far |second |third |from |top |bottom |back |front |centre |center )?(?:left|right|centre|center|top|bottom|above|below|inset|front|back|main)(?: to right| to left| row)?|l-r|r-l|circled|file(?: photo| picture| image)?|stock (?:image|photo|picture)|archive photo|illustration|photo|picture|image|video)\)/i,
  // A label that opens a caption: "Pictured: …", "Above, …", "Clockwise from top left: …".
  /^(?:pictured|photo|photograph|picture|image|main picture|main image|above|below|inset|top|bottom|left|right|clockwise from (?:top )?left)\s*[:,]/i,
  // Credits: "Photo: Reuters", "Picture courtesy of …", "… via Getty Images", "AP Photo/…".
  /\b(?:photo|picture|image|video|footage)s?\s*(?:credit|courtesy|:)|\b(?:getty images|ap photo|splash news|rex features|shutterstock)\b/i,
  /\bin (?:this|the) (?:handout |undated |file )?(?:photo|picture|image|photograph|screengrab|still)\b/i,
];

/** Bylines and credits: who wrote it, not what happened ("By Jane Smith", "By JANE SMITH and TOM LEE"). */
const BYLINE =
  /^(?:By|BY|Written by|Reporting by|Additional reporting by|Story by|Words by|Interview by|Edited by)\s+(?:\p{Lu}[\p{L}.'’-]*|\.)(?:[\s,;]+(?:and\s+|&\s+)?(?:\p{Lu}[\p{L}.'’-]*|for|in|editing by|\|))*\s*[.|]?\s*$|^(?:by\s+)?(?:daily mail|mailonline|associated press|press association) reporter\b/u;

/** Page furniture addressed to the reader or about the page itself. */
const BOILERPLATE = [
  // A call to action that opens the line: "Click here …", "Scroll down for video", "Watch the video:",
  // "Sign up for our newsletter", "Follow @newsbrief", "Visit site", "Read more: …".
  /^(?:click|tap|scroll|swipe|share|like|follow|subscribe|sign up|register|download|visit|watch|listen|read|see|check out|find out|get the|join|email|send|tell|let us|don'?t miss|advertisement|related|more|also read|read more|see also|editor'?s note|note to readers|correction|update|updated|published|last (?:updated|modified))\b\s*(?::|\b(?:here|this|these|us|our|now|more|below|above|down|full|latest|the (?:link|video|gallery|app|site|story|article|full|latest|page)|site|on (?:twitter|facebook|instagram)|(?:for|to|at|on) (?:our|video|more|the latest|updates)|@))/i,
  // The same furniture inside a line.
  /\b(?:click here|scroll down for|share this (?:article|story|page|with)|follow (?:us|@\w+|\w+ on (?:twitter|facebook|instagram))|like us on|visit site|download the app|all rights reserved|this material may not be|opinions expressed in this|editor'?s note|this (?:story|article) (?:has been|was) (?:updated|corrected|amended)|for confidential support)\b/i,
  // Links, addresses, handles, copyright notices and timestamps ("PUBLISHED: 10:01 EST").
  /https?:\/\/|\bwww\.|\S@\S+\.[a-z]{2,}|(?:^|\s)@\w{2,}|(?:^|[\s(])©|\bcopyright\s+(?:\d{4}|©)|\b(?:published|updated|last updated)\s*:?\s*\d{1,2}[:.]\d{2}/i,
];

/**
 * The start of a sentence that begins mid-sentence: punctuation that continues a clause (", and",
 * "- ", ") said"), or a first word in lower case (a brand such as iPhone or eBay is not lowercase-only).
 */
const FRAGMENT_START = /^(?:[,;:.)\]}&*\-–—]|[(“"‘'«[]*\p{Ll}+(?![\p{L}\p{N}]))/u;

/** Closing punctuation of a finished sentence, before any closing quotes or brackets. */
const FINISHED = /[.!?…](?:["'”’»)\]]|\s)*$/;

/**
 * Two sentences run together without a full stop, the first usually a caption ("… banned from
 * driving The brother of …"): a lower-case word, then a capitalised function word that only opens a
 * sentence, then a lower-case word. (Not He or His, which some write for God.)
 */
const RUN_ON = /[\p{Ll}'’"”]\s+(?:The|She|They|It|Its|Their|This|These|Those|But|However)\s+\p{Ll}/u;

/** What the quotation marks of one sentence show. */
export interface QuoteMarks {
  /** Share of the sentence's letters inside quotation marks: 1 for a pure quotation. */
  readonly share: number;
  /** A closing mark with no opening one before it: the sentence starts inside a quotation. */
  readonly startsInside: boolean;
  /** An opening mark never closed: the quotation runs on after the sentence. */
  readonly endsInside: boolean;
  /** Whether the sentence has any quotation mark at all. */
  readonly marked: boolean;
  /** The sentence opens with a quotation mark (as each paragraph of a long quotation does). */
  readonly opensWithMark: boolean;
}

const OPEN_BEFORE = /[\s([{—–/"“‘-]/;
const ELISION = /^.(?:\d\d|em\b|til\b|cause\b|n\b|tis\b|twas\b)/i;
const isWordChar = (c: string): boolean => /[\p{L}\p{N}]/u.test(c);

/**
 * Read the quotation marks of one sentence, in all four styles: “…” and "…", ‘…’ and '…' (and the
 * typewriter '' and « »). An apostrophe between letters (don't, Fowler’s) or opening an elision
 * ('90s, ’em) is no mark; a mark between a letter and a space may be a plural possessive (the
 * players’ union), so it closes a quotation only tentatively.
 */
export function quoteMarks(sentence: string): QuoteMarks {
  const letters = countLetters(sentence, 0, sentence.length);
  let inside = 0;
  let double = false;
  let single = false;
  let softClosed = false; // a single quote closed by an ambiguous mark that a later one may correct
  let startsInside = false;
  let marked = false;
  let insideFrom = 0; // where the open quotation's letters start
  const n = sentence.length;
  const open = (kind: 'double' | 'single', at: number): void => {
    if (!double && !single) insideFrom = at;
    marked = true;
    if (kind === 'double') double = true;
    else single = true;
    softClosed = false;
  };
  const close = (kind: 'double' | 'single', at: number): void => {
    if (kind === 'double') double = false;
    else single = false;
    if (!double && !single) inside += countLetters(sentence, insideFrom, at);
    marked = true;
  };
  const closeUnopened = (): void => {
    marked = true;
    startsInside = true;
  };
  MARK.lastIndex = 0;
  for (let m = MARK.exec(sentence); m !== null; m = MARK.exec(sentence)) {
    const i = m.index;
    const c = m[0];
    const prev = i > 0 ? (sentence[i - 1] as string) : ' ';
    const next = i + c.length < n ? (sentence[i + c.length] as string) : ' ';
    if (c === "''" || c === '"' || c === '“' || c === '”' || c === '«' || c === '»') {
      // '' is the typewriter double mark (two apostrophes), as in the NYT archive.
      const opens = c === '“' || c === '«' || ((c === '"' || c === "''") && !double && OPEN_BEFORE.test(prev) && !/\s/.test(next));
      if (double && !opens) close('double', i);
      else if (!opens) closeUnopened();
      else open('double', i);
      continue;
    }
    const before = isWordChar(prev);
    const after = isWordChar(next);
    if (before && after) continue; // an apostrophe
    if (!before && after && c !== '’' && OPEN_BEFORE.test(prev) && !ELISION.test(sentence.slice(i, i + 6))) {
      open('single', i);
      continue;
    }
    if (c === '‘' || after || !(before || /[.,!?…;:]/.test(prev))) continue;
    if (single) {
      close('single', i);
      // Between a letter and a space the mark may be a possessive: a later mark can still close.
      softClosed = before && /\s/.test(next);
    } else if (softClosed) {
      softClosed = false;
    } else if (/[.,!?…]/.test(prev) || !/\s/.test(next)) {
      // After punctuation, or before it, a mark can only close a quotation.
      closeUnopened();
    }
  }
  if (double || single) inside += countLetters(sentence, insideFrom, n);
  return {
    share: letters ? inside / letters : 0,
    startsInside,
    endsInside: double || single,
    marked,
    opensWithMark: /^["“‘'«]/.test(sentence),
  };
}

/** Every quotation mark, with the typewriter double mark '' taken as one. */
const MARK = /''|["“”«»‘’']/g;
const LETTER = /\p{L}/gu;

function countLetters(s: string, from: number, to: number): number {
  return from < to ? (s.slice(from, to).match(LETTER)?.length ?? 0) : 0;
}

/**
 * How far (in sentences) an unclosed quotation is followed to find where it closes. News rarely
 * quotes more than a few sentences without naming the speaker again; a mark left open longer is
 * more likely stray, and must not swallow the article.
 */
const QUOTE_REACH = 6;

/**
 * For each sentence of an article (in order), whether it lies inside a quotation that spans
 * several sentences: the sentences after one that leaves a quotation open, up to the one that
 * closes it (within QUOTE_REACH). In between may only come sentences without marks and paragraphs
 * that reopen the quotation (news style repeats the opening mark at each new paragraph); any other
 * mark means the open one was stray, and nothing is marked.
 */
export function insideLongQuotes(marks: readonly QuoteMarks[]): boolean[] {
  const inside = marks.map(() => false);
  marks.forEach((m, i) => {
    if (!m.endsInside) return;
    for (let j = i + 1; j < marks.length && j <= i + QUOTE_REACH; j++) {
      const next = marks[j] as QuoteMarks;
      const closes = next.startsInside || (next.opensWithMark && !next.endsInside);
      if (closes) {
        for (let k = i + 1; k <= j; k++) inside[k] = true;
        return;
      }
      if (next.marked && !next.opensWithMark) return;
    }
  });
  return inside;
}

/** A share of quoted letters above which the sentence is mostly someone else's words. */
const PURE_QUOTE_SHARE = 0.6;

/**
 * The first reason `sentence` cannot be a summary line, or null. `marks` is `quoteMarks(sentence)`;
 * `insideQuote` says that the sentence lies inside a quotation that spans several sentences (see
 * insideLongQuotes), whose marks are in the others.
 */
export function unfitReason(sentence: string, marks: QuoteMarks = quoteMarks(sentence), insideQuote = false): Unfit | null {
  const s = sentence.trim();
  if (BYLINE.test(s)) return 'byline';
  if (BOILERPLATE.some((re) => re.test(s))) return 'boilerplate';
  if (CAPTION.some((re) => re.test(s))) return 'caption';
  if (!FINISHED.test(s) || RUN_ON.test(s)) return 'unfinished';
  if (FRAGMENT_START.test(s) || s.split(/\s+/).length < 3) return 'fragment';
  if (insideQuote || marks.startsInside || marks.endsInside) return 'quote-fragment';
  if (marks.share > PURE_QUOTE_SHARE) return 'pure-quote';
  // A question or exclamation in the article's own voice; one inside a closing quote is quoted.
  if (/[?!][)\]]*\s*$/.test(s)) return 'not-a-statement';
  return null;
}
