/**
 * Word tokens with offsets, and the name mentions (with roles and appositives) built from them.
 * Quotation marks become their own tokens so a word never swallows a closing mark.
 */
import type { MarkSpan, Paragraph } from './marks.ts';
import { type Gender, genderOf, isFirstName } from './gender.ts';
import { NAME_TITLES, NOT_NAME, ORG_HEADS, ORG_WORDS, PEERAGE, PLACE_WORDS, ROLE_HEADS, ROLE_MODIFIERS } from './lexicon.ts';

export type { Gender } from './gender.ts';

export interface Token {
  readonly text: string;
  /** Lowercase, possessive ending removed. */
  readonly lower: string;
  readonly start: number;
  readonly end: number;
  readonly word: boolean;
  readonly cap: boolean;
  readonly poss: boolean;
  /** Index of the top-level quote this token lies inside (marks included), or -1. */
  readonly quote: number;
  readonly para: number;
}

export interface Mention {
  /** Token range of the name itself (role prefix excluded), end exclusive. */
  readonly first: number;
  readonly last: number;
  /** Token index where the whole mention (role prefix included) starts. */
  readonly from: number;
  /** Token index after the mention and its appositive, if any. */
  readonly to: number;
  readonly name: string;
  readonly role: string | null;
  readonly poss: boolean;
  readonly person: 'yes' | 'maybe' | 'no';
  readonly gender: Gender;
  /** The gender the titles and role words alone give ("Mr.", "spokeswoman"), not the first name. */
  readonly titleGender: Gender;
}

const ABBREV = new Set([
  'mr', 'mrs', 'ms', 'dr', 'sen', 'rep', 'gov', 'gen', 'lt', 'col', 'sgt', 'capt', 'maj', 'adm', 'rev', 'st', 'jr', 'sr',
  'fr', 'prof', 'pres', 'hon', 'amb', 'atty', 'cmdr', 'supt', 'det', 'messrs', 'mt', 'ft', 'no', 'vs', 'inc', 'co', 'corp',
]);

const TOKEN = /(?:[A-Z]\.){2,}|[A-Za-z0-9\u00c0-\u024f\u1e00-\u1eff][A-Za-z0-9\u00c0-\u024f\u1e00-\u1eff'\u2019-]*|\S/g;

/** Tokenise `text`; `marks` are the offsets of quotation marks, which always stand alone. */
export function tokenize(text: string, spans: readonly MarkSpan[], paras: readonly Paragraph[]): Token[] {
  const markAt = new Uint8Array(text.length + 1);
  const top: MarkSpan[] = [];
  for (const s of spans) {
    for (let k = 0; k < s.markLen; k++) {
      markAt[s.open + k] = 1;
      if (s.close >= 0) markAt[s.close + k] = 1;
      for (const c of s.continuations) markAt[c + (text[c] === "'" ? k : 0)] = 1;
    }
    if (s.depth === 0) top.push(s);
  }
  const out: Token[] = [];
  let qi = 0;
  let pi = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    let raw = m[0];
    const start = m.index;
    // Cut a word at a quotation mark inside it (a closing ’ glued to the word, e.g. ‘loser’).
    for (let k = 0; k < raw.length; k++) {
      if (k > 0 && markAt[start + k] === 1) {
        raw = raw.slice(0, k);
        TOKEN.lastIndex = start + k;
        break;
      }
    }
    let end = start + raw.length;
    const word = markAt[start] !== 1 && (raw.length > 1 || /[\p{L}\p{N}]/u.test(raw));
    if (word && text[end] === '.' && (ABBREV.has(raw.toLowerCase()) || /^\p{Lu}$/u.test(raw))) {
      raw += '.';
      end += 1;
      TOKEN.lastIndex = end;
    }
    while (pi + 1 < paras.length && start >= (paras[pi + 1] as Paragraph).start) pi++;
    while (qi < top.length && quoteEnd(top[qi] as MarkSpan) <= start) qi++;
    const q = top[qi];
    const inQuote = q !== undefined && q.open <= start && start < quoteEnd(q) ? qi : -1;
    let lower = raw.toLowerCase();
    let poss = false;
    if (word && lower.length > 2) {
      const last = lower.charCodeAt(lower.length - 1);
      const prev = lower.charCodeAt(lower.length - 2);
      const apos = (c: number) => c === 0x27 || c === 0x2019;
      if (last === 0x73 && apos(prev)) {
        lower = lower.slice(0, -2); // Trump's
        poss = true;
      } else if (apos(last) && prev === 0x73) {
        lower = lower.slice(0, -1); // Democrats'
        poss = true;
      }
    }
    if (lower.includes('\u2019')) lower = lower.replace(/\u2019/g, "'");
    const c0 = raw.charCodeAt(0);
    const cap = word && ((c0 >= 65 && c0 <= 90) || (c0 > 127 && raw[0] !== lower[0] && /^\p{Lu}/u.test(raw)));
    out.push({ text: raw, lower, start, end, word, cap, poss, quote: inQuote, para: pi });
  }
  return out;
}

function quoteEnd(q: MarkSpan): number {
  return q.close >= 0 ? q.close + q.markLen : q.end;
}

/** Capitalised words that never continue a name even after a first name ("Jeb Said", "Mike And"). */
const STOP_SURNAME = new Set(['the', 'a', 'an', 'and', 'but', 'or', 'of', 'in', 'on', 'at', 'to', 'for', 'with', 'from', 'by', 'as', 'if', 'he', 'she', 'it', 'they', 'we', 'i', 'you', 'said', 'says', 'is', 'was', 'are', 'were', 'has', 'had', 'have', 'will', 'would', 'can', 'could', 'should', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'that', 'this', 'who', 'which', 'what', 'when', 'where', 'not', 'no', 'also', 'then', 'now', 'today']);
const HONORIFICS = new Set(['mr.', 'mrs.', 'ms.', 'mx.', 'dr.', 'mr', 'mrs', 'ms', 'mx', 'dr', 'miss', 'sir', 'dame', 'messrs.', 'mme', 'prof.', 'prof', 'hon.', 'rev.', 'rev', 'lord', 'lady', 'baroness', 'baron']);
const CONNECTORS = new Set(['de', 'van', 'von', 'der', 'den', 'bin', 'al', 'la', 'le', 'da', 'del', 'di', 'du', 'dos', 'el', 'ibn']);
const SUFFIX = new Set(['jr.', 'sr.', 'jr', 'sr', 'ii', 'iii', 'iv']);

function isNameWord(t: Token | undefined): boolean {
  if (!t || !t.word || !t.cap || t.quote >= 0) return false;
  if (NOT_NAME.has(t.lower) && !NAME_TITLES.has(t.lower)) return false;
  // ALL-CAPS words longer than 4 letters are emphasis or headlines, not names.
  if (t.text.length > 4 && t.text === t.text.toUpperCase()) return false;
  return true;
}

const isRoleWord = (t: Token | undefined): boolean =>
  !!t && t.word && t.quote < 0 && !t.poss && (ROLE_HEADS.has(t.lower) || NAME_TITLES.has(t.lower));

/** Verbs of a relative clause that states a role, as the role noun: ", who leads the Stimson Center," → "head of …". */
const ROLE_VERBS = new Map([
  ['leads', 'head of'], ['heads', 'head of'], ['runs', 'head of'], ['oversees', 'head of'], ['directs', 'director of'],
  ['chairs', 'chair of'], ['manages', 'manager of'], ['founded', 'founder of'], ['co-founded', 'co-founder of'],
  ['owns', 'owner of'], ['edits', 'editor of'], ['hosts', 'host of'], ['advises', 'adviser to'], ['represents', 'representative of'],
  ['serves', ''], ['served', 'former'],
]);

const APPOSITIVE_START = new Set(['a', 'an', 'the', 'who', 'whose', 'one', 'former', 'now', 'then', 'also', 'himself', 'herself']);

const SENTENCE_OPENERS = new Set(['.', '?', '!', ':', ';', '"', '\u201c', "'", '\u2018', '(', '\u2014', '\u2013', '-', '>', ']', '*', '\u2022', '|']);

function opensSentence(toks: readonly Token[], k: number): boolean {
  const prev = toks[k - 1];
  const t = toks[k] as Token;
  if (!prev || prev.para !== t.para) return true;
  // A closing mark after a full stop ends the sentence too: `“… wasn’t good.” Adding, “…”`.
  if (prev.quote >= 0 && (prev.text === '\u201d' || prev.text === '\u2019') && /^[.!?]$/.test(toks[k - 2]?.text ?? '')) return true;
  if (prev.word || !SENTENCE_OPENERS.has(prev.text)) return false;
  // After a closing mark that follows a comma (`…," Hale said`) the sentence goes on.
  if (prev.quote >= 0 && toks[k - 2]?.text === ',') return false;
  return true;
}

/**
 * Paragraphs that are Title Case lines (a headline, a subheading): "Grant Wins Again", "Harbor
 * Views". Their capitals are typography, not names, so they yield no mentions; the body names
 * whoever matters again.
 */
function titleLines(toks: readonly Token[]): Set<number> {
  const out = new Set<number>();
  let k = 0;
  while (k < toks.length) {
    const para = (toks[k] as Token).para;
    let words = 0;
    let long = 0;
    let capped = 0;
    let spoken = false;
    for (; k < toks.length && (toks[k] as Token).para === para; k++) {
      const t = toks[k] as Token;
      // A line with a quotation or a colon introduces words ("Clinton: "…""), whatever its capitals.
      // …and so does a dash byline ("- Bernie Sanders.").
      if (t.quote >= 0 || t.text === ':' || (words === 0 && /^[-\u2013\u2014\u2015]+$/.test(t.text))) spoken = true;
      if (!t.word || t.quote >= 0) continue;
      words++;
      if (t.text.length >= 4) {
        long++;
        if (t.cap) capped++;
      }
    }
    if (!spoken && words <= 12 && long >= 2 && capped === long) out.add(para);
  }
  return out;
}

/** Build name mentions from tokens outside quotes, left to right. */
export function findMentions(toks: readonly Token[], isCue: (k: number) => boolean): Mention[] {
  const out: Mention[] = [];
  // Capitalised words seen where capitals are not forced: those are names wherever they appear.
  const midCap = new Set<string>();
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k] as Token;
    if (t.word && t.cap && !opensSentence(toks, k)) midCap.add(t.lower);
  }
  const titles = titleLines(toks);
  let i = 0;
  while (i < toks.length) {
    if (!isNameWord(toks[i]) || titles.has((toks[i] as Token).para)) {
      i++;
      continue;
    }
    // A lone capitalised word opening a sentence ("Critics say") is a name only if seen capitalised elsewhere.
    const lone = !isNameWord(toks[i + 1]) && !(toks[i + 1]?.lower === 'of' && isNameWord(toks[i + 2]));
    const ti = toks[i] as Token;
    // …or when a reporting verb follows at once ("Hale said."), unless it is a plural ("Critics say").
    const speaks = isCue(i + 1) && !ti.lower.endsWith('s');
    if (lone && opensSentence(toks, i) && !speaks && !midCap.has(ti.lower) && !isFirstName(ti.lower)) {
      i++;
      continue;
    }
    let j = i;
    let hasTitle = false;
    while (j < toks.length) {
      const t = toks[j] as Token;
      if (j > i && (t.para !== (toks[i] as Token).para)) break;
      // A surname that is also a common word, after a first name: "Theresa May", "Ai Jun".
      const prevTok = toks[j - 1] as Token;
      const surname = j > i && t.word && t.cap && t.quote < 0 && !t.poss && NOT_NAME.has(t.lower) && !prevTok.poss &&
        (isFirstName(prevTok.lower) || j - i === 1) && !STOP_SURNAME.has(t.lower);
      if (isNameWord(t) || surname) {
        if (NAME_TITLES.has(t.lower) || ROLE_HEADS.has(t.lower)) hasTitle = true;
        j++;
        if (t.poss) break;
        continue;
      }
      // "Secretary of State John Kerry", and a body's name: "Association of Flight Attendants", "Federal Bureau of Investigation".
      const ofName = t.lower === 'of' && (hasTitle || ORG_HEADS.has(prevTok.lower));
      if (j > i && t.word && !t.cap && (CONNECTORS.has(t.lower) || ofName) && isNameWord(toks[j + 1])) {
        j++;
        continue;
      }
      if (j > i && t.word && SUFFIX.has(t.lower)) {
        j++;
        continue;
      }
      break;
    }
    // Split a leading title or role ("US Secretary of State", "Sen.") from the name.
    let h = -1;
    for (let k = i; k < j - 1; k++) {
      const t = toks[k] as Token;
      // "Gov. Earl Ray Tomblin": a peer's title right after another title is a first name.
      if (h === k - 1 && h >= i && PEERAGE.has(t.lower)) break;
      if (NAME_TITLES.has(t.lower) || ROLE_HEADS.has(t.lower)) h = k;
    }
    // "Justice Department", "Senate Intelligence Committee": a title word inside a body's name is no title.
    if (h >= 0 && toks.slice(h + 1, j).every((t) => ORG_HEADS.has(t.lower))) h = -1;
    // No title word, but a known first name inside: what precedes it is a role ("Forecaster Nina Patel").
    if (h < 0) {
      for (let k = i + 1; k < j - 1; k++) {
        const t = toks[k] as Token;
        if (isFirstName(t.lower)) {
          const before = toks.slice(i, k);
          if (before.every((b) => !isFirstName(b.lower) && b.lower !== 'of')) h = k - 1;
          break;
        }
      }
    }
    let nameFirst = h >= 0 ? h + 1 : i;
    if (h >= 0 && toks[h + 1]?.lower === 'of') {
      nameFirst = h + 1;
      while (nameFirst < j - 1) {
        const t = toks[nameFirst] as Token;
        if (t.lower !== 'of' && isFirstName(t.lower)) break;
        if (j - nameFirst - 1 < 2 && t.lower !== 'of') break;
        nameFirst++;
      }
    }
    // A lone title word ("President", "Chairman") is a role, not a name.
    if (nameFirst >= j) {
      i = j;
      continue;
    }
    let from = i;
    // Lowercase role words before the name: "White House press secretary Sarah Sanders".
    const roleWords: string[] = [];
    for (let k = i; k < nameFirst; k++) roleWords.push((toks[k] as Token).lower);
    const left = toks[from - 1];
    const extendRole = !!left && !left.cap && left.quote < 0 &&
      (isRoleWord(left) || (nameFirst > i && ROLE_MODIFIERS.has(left.lower)));
    if (extendRole) {
      let k = from - 1;
      while (k >= 0) {
        const t = toks[k] as Token;
        if (t.quote >= 0 || !t.word || t.para !== (toks[i] as Token).para) break;
        if (ROLE_HEADS.has(t.lower) || ROLE_MODIFIERS.has(t.lower) || t.lower === 'of' || (t.cap && !NOT_NAME.has(t.lower))) {
          roleWords.unshift(t.lower);
          k--;
          if (t.poss) break;
          continue;
        }
        break;
      }
      from = k + 1;
      // Drop mentions swallowed by this role ("White House" in "White House press secretary").
      while (out.length && (out[out.length - 1] as Mention).first >= from) out.pop();
    }
    let nameToks = toks.slice(nameFirst, j).filter((t) => !SUFFIX.has(t.lower));
    if (nameToks.length === 0) {
      i = j;
      continue;
    }
    // "Gov. Earl Ray Tomblin of West Virginia": the place a titled person represents is no part of the name.
    const ofAt = nameToks.findIndex((t, n) => n > 0 && t.lower === 'of');
    let placeOf: string | null = null;
    if (ofAt > 0 && nameToks.slice(ofAt + 1).every((t) => PLACE_WORDS.has(t.lower))) {
      placeOf = nameToks.slice(ofAt + 1).map((t) => t.text).join(' ');
      nameToks = nameToks.slice(0, ofAt);
    }
    let nameText = nameToks.map((t) => t.text.replace(/['’]s$/, '').replace(/['’]$/, '')).join(' ');
    let lastTok = toks[j - 1] as Token;
    // Honorifics ("Dr", "Mrs.") say how to address someone, not what they do: never part of a role
    // ("British Medical Association leader Dr Mark Porter" → role "British Medical Association leader").
    let roleEnd = nameFirst;
    while (roleEnd > from && HONORIFICS.has((toks[roleEnd - 1] as Token).lower)) roleEnd--;
    let roleText: string | null = roleEnd > from ? sentenceCaseRole(toks, from, roleEnd) : null;
    if (roleText !== null && placeOf !== null) roleText = `${roleText} of ${placeOf}`;
    let to = j;
    // A peer is named by title and surname: "Lord Teverson", not "Teverson".
    const titleTok = toks[nameFirst - 1];
    if (nameToks.length === 1 && titleTok && nameFirst > i && PEERAGE.has(titleTok.lower)) nameText = `${titleTok.text} ${nameText}`;
    // A list's inverted form, "Teverson, Lord": the title after the surname.
    const inv = toks[j + 1];
    let inverted = false;
    if (nameToks.length === 1 && !lastTok.poss && toks[j]?.text === ',' && inv && inv.cap && PEERAGE.has(inv.lower) && !isNameWord(toks[j + 2])) {
      nameText = `${inv.text} ${nameText}`;
      to = j + 2;
      lastTok = inv;
      inverted = true;
    }
    // Appositive: ", a fellow at the Stimson Center," / ", who ...".
    if (to === j && !lastTok.poss && toks[j]?.text === ',' && toks[j + 1] && toks[j + 1]!.quote < 0) {
      const a = toks[j + 1] as Token;
      // (", President Barack Obama released …" is a titled name starting a clause, not an appositive.)
      const titledName = a.cap && isRoleWord(a) && isNameWord(toks[j + 2]);
      const starts = !titledName && (APPOSITIVE_START.has(a.lower) || (a.poss && a.cap) || ROLE_HEADS.has(a.lower) || ROLE_MODIFIERS.has(a.lower));
      let k = j + 1;
      let stop = k;
      while (starts && a.word && k < toks.length && k - j < 30) {
        const t = toks[k] as Token;
        if (t.quote >= 0 || t.para !== a.para || /^[,;.!?:—–()]$/.test(t.text) || (k > j + 1 && isCue(k))) break;
        k++;
        stop = k;
      }
      // "At a press conference in Chelsea, the mayor also said": a phrase that runs into a reporting
      // verb is the subject of the next clause, not an appositive (", an oncologist who advised …" still is).
      const intoCue = (a.lower === 'the' || (a.cap && !a.poss)) && stop < toks.length && isCue(stop) && k === stop;
      if (starts && a.word && !intoCue) {
        to = toks[stop]?.text === ',' ? stop + 1 : stop;
        const verb = toks[j + 2];
        if (a.lower === 'who' && roleText === null && verb && ROLE_VERBS.has(verb.lower)) {
          // ", who leads the Stimson Center," → role "leads the Stimson Center"; "who serves as mayor" → "mayor".
          const rs = verb.lower === 'serves' || verb.lower === 'served' ? (toks[j + 3]?.lower === 'as' ? j + 4 : j + 3) : j + 3;
          let re = rs;
          while (re < stop && (toks[re] as Token).lower !== 'and' && (toks[re] as Token).lower !== 'who') re++;
          const noun = ROLE_VERBS.get(verb.lower) as string;
          if (re > rs && re - rs <= 12) roleText = `${noun ? `${noun} ` : ''}${joinTokens(toks, rs, re)}`;
        } else if (a.lower !== 'who' && a.lower !== 'whose' && roleText === null) {
          let rs = j + 1;
          // "a fellow at …" → "fellow at …"; but "the canton's minister" keeps its article.
          if (a.lower === 'a' || a.lower === 'an' || (a.lower === 'the' && !toks[j + 2]?.poss)) rs++;
          let re = rs;
          while (re < stop && (toks[re] as Token).lower !== 'and' && (toks[re] as Token).lower !== 'who') re++;
          if (re > rs && re - rs <= 12) roleText = joinTokens(toks, rs, re);
        }
      }
    }
    const allOrg = nameToks.every((t) => ORG_WORDS.has(t.lower) || NOT_NAME.has(t.lower));
    const firstLower = (nameToks[0] as Token).lower;
    const known = isFirstName(firstLower);
    const anyOrg = nameToks.some((t) => ORG_WORDS.has(t.lower));
    // An appositive with a person's role (", an education professor at Harvard,") makes a person even of "Marty West".
    const appositiveRole = to > j && roleText !== null && from === nameFirst && roleText.toLowerCase().split(/\s+/).some((w) => ROLE_HEADS.has(w));
    // A title or role before the name makes a person even of a surname that is also a place word
    // ("Foreign Minister Park Ji-won"), unless the name ends in one ("Senate Banking Committee").
    const titled = from < nameFirst && !ORG_WORDS.has((nameToks[nameToks.length - 1] as Token).lower);
    const person: Mention['person'] = allOrg ? 'no' : known || appositiveRole || inverted || titled ? 'yes' : anyOrg ? 'no' : 'maybe';
    const titleWords = inverted && inv ? [...roleWords, inv.lower] : roleWords;
    out.push({
      first: nameFirst, last: j, from, to, name: nameText, role: roleText, poss: lastTok.poss, person,
      gender: genderOf(firstLower, titleWords),
      titleGender: genderOf('', titleWords),
    });
    i = j;
  }
  return out;
}

/** The source text of tokens [a, b), spaced as in the original. */
/** Capitalised words of a party, not of a sentence ("Republican strategist" keeps its capital). */
const PROPER_MODIFIERS = new Set(['republican', 'democratic', 'democrat', 'gop', 'labour', 'tory', 'conservative', 'liberal', 'green']);

/**
 * The role words before a name. A role that opens the sentence and is otherwise lower case lost its
 * capital to the sentence: "Union president Angela Ruiz" → "union president". Titles in title case
 * ("National Security Adviser", "US Secretary of State") and one-word titles ("President") keep theirs.
 */
function sentenceCaseRole(toks: readonly Token[], from: number, to: number): string {
  const role = joinTokens(toks, from, to);
  const first = toks[from] as Token;
  const prev = toks[from - 1];
  const opensSentence = !prev || prev.para !== first.para || /^[.!?]$/.test(prev.text);
  if (!opensSentence || to - from < 2 || !/^[A-Z][a-z]/.test(first.text)) return role;
  // "Hale's campaign manager": a possessor is a name, whose capital is its own.
  if (NAME_TITLES.has(first.lower) || PROPER_MODIFIERS.has(first.lower) || first.poss) return role;
  for (let k = from + 1; k < to; k++) if ((toks[k] as Token).cap) return role;
  return role.charAt(0).toLowerCase() + role.slice(1);
}

export function joinTokens(toks: readonly Token[], a: number, b: number): string {
  let s = '';
  for (let k = a; k < b; k++) {
    const t = toks[k] as Token;
    const prev = toks[k - 1];
    s += (k > a && prev && prev.end < t.start ? ' ' : '') + t.text;
  }
  return s;
}
