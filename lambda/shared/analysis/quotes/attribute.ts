/**
 * Speaker attribution for quotation spans: reporting-verb cues in the quote's sentence (both
 * "X said" and "said X" orders, colon introductions), then the previous or next sentence, then
 * carry-forward from the previous quote. Names resolve through a per-article entity table, so
 * "Sanders said" maps to the "Sarah Sanders" introduced earlier and "he" to the last compatible person.
 */
import type { Speaker } from '../../article/model.ts';
import { splitSentences } from '../../text/sentences.ts';
import { COMM_NOUNS, CUE_VERBS, FEMALE_PRONOUNS, MALE_PRONOUNS, ROLE_HEADS } from './lexicon.ts';
import { type MarkSpan, type Paragraph } from './marks.ts';
import { type Gender, type Mention, type Token, findMentions, joinTokens, tokenize } from './tokens.ts';

interface Entity {
  readonly name: string;
  role: string | null;
  gender: Gender;
  person: Mention['person'];
}

/** What attribution decided for one top-level quote. */
export interface Attribution {
  readonly speaker: Speaker | null;
  /** How the speaker was found; 'none' when no cue applies. */
  readonly how: 'post' | 'pre' | 'colon' | 'subject' | 'prev' | 'carry' | 'unnamed' | 'none';
}

const DASHES = new Set(['\u2015', '\u2014', '\u2013', '-', '--']);
const PHRASAL_CUES = new Map([
  ['shot', 'back'], ['shoots', 'back'], ['fired', 'back'], ['fires', 'back'], ['hit', 'back'], ['hits', 'back'], ['pushed', 'back'],
  ['went', 'on'], ['goes', 'on'], ['pointed', 'out'], ['points', 'out'], ['spoke', 'out'], ['lashed', 'out'], ['chimed', 'in'],
]);
/** Reporting words that are as often nouns, in their noun forms ("a post", "the call"). */
const NOUN_CUES = new Set(['post', 'call', 'question', 'answer', 'report', 'reply', 'retort', 'remark', 'remarks', 'tweet', 'note', 'claim', 'charge', 'promise', 'pledge', 'vow', 'quote', 'joke', 'boast', 'reason', 'warning', 'statement', 'comment', 'comments', 'complaint', 'message', 'read']);
/** Prepositions after which a cue word is a noun ("to" is left out: "went on to say"). */
const NOUN_PREPOSITIONS = new Set(['of', 'in', 'on', 'at', 'for', 'from', 'with', 'by', 'about', 'into', 'per', 'under', 'without']);
/** Words before a noun that show a cue word is used as a noun ("the note", "a statement"). */
const DETERMINERS = new Set(['the', 'a', 'an', 'this', 'that', 'his', 'her', 'their', 'its', 'our', 'my', 'your', 'whose', 'no', 'any', 'every', 'each']);
const PREPOSITIONS = new Set(['for', 'to', 'of', 'with', 'by', 'about', 'at', 'on', 'in', 'from', 'against', 'than', 'like', 'into', 'toward', 'towards', 'over', 'under', 'between', 'among', 'and']);
/** Words that open a described source: "a spokesman", "one adviser", "the senator". */
const DESCRIBERS = new Set(['the', 'a', 'an', 'one', 'another', 'two', 'three', 'several', 'some', 'many', 'his', 'her', 'their', 'its']);
/** Words that end a described source: "a spokesman for the city, who …". */
const NP_STOP = new Set(['who', 'whom', 'whose', 'which', 'that', 'said', 'says', 'told', 'and', 'but', 'in', 'on', 'at', 'during', 'after', 'before', 'when', 'while', 'because', 'as', 'last', 'this', 'yesterday', 'today', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'recently', 'later', 'earlier']);
/** Groups that speak in their own name: "the Clinton campaign said". */
const SUBORDINATORS = new Set(['when', 'after', 'before', 'while', 'if', 'since', 'although', 'though', 'because', 'once', 'until', 'whether']);
const TIME_NOUNS = new Set(['day', 'days', 'week', 'weeks', 'month', 'months', 'year', 'years', 'time', 'times', 'hour', 'hours', 'minutes', 'moment', 'night', 'morning', 'evening', 'afternoon', 'weekend', 'later', 'ago', 'earlier', 'decade', 'decades']);
const CLAUSE_LINKS = new Set(['while', 'but', 'and', 'whereas', 'although', 'though', 'yet', 'so']);
const PARTICIPLE_LEAD = new Set(['while', 'after', 'before', 'by', 'when', 'also', 'and', 'then']);
const AUX = new Set(['has', 'had', 'have', 'was', 'is', 'were', 'are', 'will', 'would', 'had', 'did', 'does', 'also', 'later', 'then', 'once', 'previously', 'recently', 'further']);
/** Plural and generic nouns for people who may be a described source ("some voters", "one user"). */
const PEOPLE = new Set(['confidant', 'insider', 'ally', 'allies', 'friend', 'colleague', 'veteran', 'associate', 'operative', 'aide', 'official', 'leaders', 'officials', 'people', 'voters', 'user', 'users', 'commenter', 'commenters', 'observers', 'critics', 'supporters', 'residents', 'experts', 'analysts', 'sources', 'source', 'person', 'man', 'woman', 'protesters', 'demonstrators', 'crowd', 'attendee', 'attendees', 'delegates', 'delegate', 'members', 'lawmakers', 'republicans', 'democrats', 'insiders', 'operatives', 'strategists', 'donors', 'fans', 'viewers', 'readers', 'writers', 'businessman', 'businesswoman', 'billionaire', 'mogul', 'developer', 'candidate', 'woman', 'man', 'mother', 'father', 'veterans', 'students', 'parents', 'workers', 'activists', 'front-runner', 'frontrunner']);
/** Party members, who speak as people ("said one Iowa Republican"). */
const PARTISANS = new Set(['democrat', 'democrats', 'republican', 'republicans', 'independent', 'independents', 'libertarian', 'conservative', 'conservatives', 'liberal', 'liberals']);
/** A noun for a person or people, singular or plural ("lobbyist", "lobbyists", "observers"). */
function personNoun(w: string): boolean {
  return ROLE_HEADS.has(w) || PEOPLE.has(w) || (w.endsWith('s') && ROLE_HEADS.has(w.slice(0, -1)));
}
const COMPLEMENT = new Set(['for', 'of', 'at', 'with', 'to', 'from']);
const GROUP_NOUNS = new Set(['campaign', 'administration', 'team', 'camp', 'office', 'aides', 'aide', 'staff', 'spokesman', 'spokeswoman', 'spokesperson', 'officials', 'official', 'lawyers', 'attorneys', 'supporters', 'allies', 'advisers', 'adviser', 'committee', 'spokespeople']);
/** Sentence openers that start an adverbial before the subject: "In a statement, X said …". */
const ADVERBIAL_OPENERS = new Set(['in', 'at', 'on', 'after', 'before', 'when', 'while', 'during', 'speaking', 'asked', 'as', 'despite', 'although', 'though', 'if', 'since', 'because', 'last', 'for', 'with', 'without', 'under', 'over', 'by', 'addressing', 'writing', 'responding', 'appearing', 'following', 'like', 'unlike', 'early', 'late', 'earlier', 'later', 'once', 'upon', 'amid', 'according']);
/** Words allowed between a sentence start and its subject: "But former Gov. X …". */
const ROLE_MODIFIERS_LOOSE = new Set(['but', 'and', 'so', 'yet', 'still', 'also', 'then', 'now', 'former', 'later', 'meanwhile']);
const SKIPPABLE_AFTER_CUE = new Set(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'today', 'yesterday', 'recently', 'later', 'also', 'then', 'once', 'again', 'simply', 'only', 'flatly']);

function isCueAt(toks: readonly Token[], k: number): boolean {
  const t = toks[k];
  if (!t || !t.word || t.cap || t.quote >= 0) return t?.lower === 'according' && toks[k + 1]?.lower === 'to';
  if (t.lower === 'according') return toks[k + 1]?.lower === 'to';
  if ((t.lower === 'put' || t.lower === 'puts') && toks[k + 1]?.lower === 'it') return true; // "as Vulture put it"
  // "Trump shot back", "Bennett fired back", "Trump went on": a verb and particle that report speech.
  if (PHRASAL_CUES.has(t.lower) && toks[k + 1]?.lower === PHRASAL_CUES.get(t.lower)) return true;
  if (!CUE_VERBS.has(t.lower)) return false;
  const prev = toks[k - 1];
  if (prev && prev.word && (DETERMINERS.has(prev.lower) || prev.poss)) return false;
  // "a snappy retort", "a Facebook post", "an unprompted call": a noun after a determiner and a modifier.
  const det = toks[k - 2];
  if (NOUN_CUES.has(t.lower) && prev && prev.word && det && det.word && (DETERMINERS.has(det.lower) || det.poss)) {
    if (!personNoun(prev.lower) && !GROUP_NOUNS.has(prev.lower) && !COMM_NOUNS.has(prev.lower) && !AUX.has(prev.lower) && !SKIPPABLE_AFTER_CUE.has(prev.lower)) return false;
  }
  // After a preposition the word is a noun ("secretary of state", "in reply"), unless a gerund ("in declaring").
  if (prev && prev.word && NOUN_PREPOSITIONS.has(prev.lower) && !t.lower.endsWith('ing')) return false;
  return true;
}

/** Per-article attribution state: tokens, name mentions, the entity table and sentence ids. */
export class Attributor {
  readonly toks: Token[];
  readonly mentions: Mention[];
  /** Mention index for each token covered by a mention (role and appositive included), else -1. */
  private readonly owner: Int32Array;
  private readonly entityOf: Entity[];
  private readonly sentOf: Int32Array;

  constructor(
    readonly text: string,
    readonly spans: readonly MarkSpan[],
    readonly paras: readonly Paragraph[],
  ) {
    this.toks = tokenize(text, spans, paras);
    const toks = this.toks;
    this.mentions = findMentions(toks, (k) => isCueAt(toks, k));
    this.owner = new Int32Array(toks.length).fill(-1);
    this.mentions.forEach((m, mi) => {
      for (let k = m.from; k < m.to; k++) this.owner[k] = mi;
    });
    this.entityOf = this.buildEntities();
    this.sentOf = this.outerSentences();
  }

  /** Per-mention entity: full names first, then surnames and first names resolved to them. */
  private buildEntities(): Entity[] {
    const full = new Map<string, Entity>();
    const bySurname = new Map<string, { at: number; e: Entity }[]>();
    const byFirst = new Map<string, Entity[]>();
    const key = (s: string) => s.toLowerCase().replace(/[’]/g, "'");
    for (const m of this.mentions) {
      const parts = m.name.split(' ');
      if (parts.length < 2 || m.person === 'no') continue;
      const k = key(m.name);
      let e = full.get(k);
      if (!e) {
        e = { name: m.name, role: m.role, gender: m.gender, person: m.person };
        full.set(k, e);
        const sur = key(parts[parts.length - 1] as string);
        const list = bySurname.get(sur) ?? [];
        list.push({ at: m.first, e });
        bySurname.set(sur, list);
        const first = key(parts[0] as string);
        byFirst.set(first, [...(byFirst.get(first) ?? []), e]);
      }
      e.role ??= m.role;
      e.gender ??= m.gender;
    }
    const single = new Map<string, Entity>();
    return this.mentions.map((m) => {
      const k = key(m.name);
      const f = full.get(k);
      if (f) return f;
      const cands = bySurname.get(k);
      let e: Entity | undefined;
      if (cands && cands.length) {
        // The latest full name introduced before this mention, else the first one after it.
        e = (cands.filter((c) => c.at <= m.first).pop() ?? cands[0])!.e;
      } else {
        const byF = byFirst.get(k);
        if (byF && byF.length === 1) e = byF[0];
      }
      if (e) {
        e.role ??= m.role;
        e.gender ??= m.gender;
        return e;
      }
      let s = single.get(k);
      if (!s) {
        s = { name: m.name, role: m.role, gender: m.gender, person: m.person };
        single.set(k, s);
      }
      s.role ??= m.role;
      s.gender ??= m.gender;
      if (m.person === 'yes') s.person = 'yes';
      return s;
    });
  }

  /** Sentence index per token, where sentence breaks inside quotes do not count. */
  private outerSentences(): Int32Array {
    const sents = splitSentences(this.text);
    const out = new Int32Array(this.toks.length);
    let si = 0;
    let id = 0;
    for (let k = 0; k < this.toks.length; k++) {
      const t = this.toks[k] as Token;
      while (si < sents.length && (sents[si] as { end: number }).end <= t.start) {
        si++;
        const next = sents[si];
        // A break counts only when the next sentence starts outside a quote, or starts one.
        if (next) {
          const ti = this.tokAtOrAfter(next.start, k);
          const nt = this.toks[ti];
          const prevTok = this.toks[ti - 1];
          const insideQuote = nt !== undefined && nt.quote >= 0 && prevTok !== undefined && prevTok.quote === nt.quote;
          if (!insideQuote) id++;
        }
      }
      out[k] = id;
    }
    return out;
  }

  private tokAtOrAfter(offset: number, from: number): number {
    let k = from;
    while (k < this.toks.length && (this.toks[k] as Token).start < offset) k++;
    return k;
  }

  /** The first token starting at or after `offset` (binary search). */
  private tokAt(offset: number): number {
    let lo = 0;
    let hi = this.toks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.toks[mid] as Token).start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private speakerOf(mi: number): Speaker {
    const e = this.entityOf[mi] as Entity;
    return e.role ? { name: e.name, role: e.role } : { name: e.name };
  }

  /** The last compatible named person before token k ("he" → the last man named). */
  private resolvePronoun(k: number, gender: Gender): Speaker | null {
    // Inside a sentence whose subject is a compatible person, the pronoun is that subject:
    // "Trump, alleging that Obama …, said he would …" is Trump, not the nearer Obama.
    const subj = this.subjectMention(this.sentenceStart(k), k);
    if (subj >= 0) {
      const e = this.entityOf[subj] as Entity;
      if (e.gender === gender || (e.gender === null && e.person === 'yes')) return this.speakerOf(subj);
    }
    let fallback = -1;
    for (let mi = this.mentions.length - 1; mi >= 0; mi--) {
      const m = this.mentions[mi] as Mention;
      if (m.last > k) continue;
      const e = this.entityOf[mi] as Entity;
      if (e.person === 'no') continue;
      if (e.gender === gender) return this.speakerOf(mi);
      if (e.gender === null && fallback < 0 && (e.person === 'yes' || e.name.includes(' '))) fallback = mi;
      if (e.gender === null && fallback < 0) fallback = mi;
      const t = this.toks[m.first] as Token;
      if (this.toks[k] && (this.toks[k] as Token).para - t.para > 3) break;
    }
    return fallback >= 0 ? this.speakerOf(fallback) : null;
  }

  /** The mention that opens the clause [lo, k) as its subject (after an opening adverbial), or -1. */
  private subjectMention(lo: number, k: number): number {
    let j = lo;
    while (j < k && (this.toks[j] as Token).quote >= 0) j++;
    const first = this.toks[j];
    if (!first || j >= k) return -1;
    if (ADVERBIAL_OPENERS.has(first.lower)) {
      while (j < k && (this.toks[j] as Token).text !== ',') j++;
      j++;
    }
    while (j < k && ROLE_MODIFIERS_LOOSE.has((this.toks[j] as Token).lower)) j++;
    const mi = j < k ? (this.owner[j] as number) : -1;
    if (mi < 0) return -1;
    const m = this.mentions[mi] as Mention;
    if (m.poss || m.last > k || (this.entityOf[mi] as Entity).person === 'no') return -1;
    return mi;
  }

  private pronounGender(t: Token): Gender | undefined {
    if (t.cap && t.lower !== 'he' && t.lower !== 'she') return undefined;
    if (MALE_PRONOUNS.has(t.lower) && t.lower !== 'his' && t.lower !== 'him') return 'm';
    if (FEMALE_PRONOUNS.has(t.lower) && t.lower !== 'her' && t.lower !== 'hers') return 'f';
    return undefined;
  }

  /** A described, unnamed source as the text words it ("a State Department official"), tokens [a, b). */
  private described(a: number, b: number): Speaker | null {
    if (b - a < 2) return null;
    const head = this.toks[b - 1] as Token;
    // "the senator" after a named senator: the same person, not a new source.
    if ((this.toks[a] as Token).lower === 'the' && b - a <= 4) {
      for (let mi = this.mentions.length - 1; mi >= 0; mi--) {
        const m = this.mentions[mi] as Mention;
        if (m.last > a) continue;
        const e = this.entityOf[mi] as Entity;
        if (e.role && e.role.toLowerCase().includes(head.lower.replace(/\.$/, ''))) return this.speakerOf(mi);
        if ((this.toks[a] as Token).para - (this.toks[m.first] as Token).para > 4) break;
      }
    }
    // Lowercase the determiner so a description never reads as a name ("A staffer" → "a staffer").
    const words = joinTokens(this.toks, a, b);
    return { name: DESCRIBERS.has((this.toks[a] as Token).lower) ? words.charAt(0).toLowerCase() + words.slice(1) : words };
  }

  /** An unnamed-source noun phrase starting at a determiner at j: "a longtime adviser to both Clintons". */
  private npAfter(j: number, end: number, anyHead = false): Speaker | null | undefined {
    let b = j + 1;
    let person = false;
    while (b < end && b - j < 12) {
      const t = this.toks[b] as Token;
      if (!t.word || t.quote >= 0 || NP_STOP.has(t.lower) || isCueAt(this.toks, b)) break;
      if (!t.cap && (personNoun(t.lower) || GROUP_NOUNS.has(t.lower) || COMM_NOUNS.has(t.lower))) person = true;
      // "said one New Hampshire Democrat": a party member is a person, capitalised or not.
      if (t.cap && PARTISANS.has(t.lower)) person = true;
      b++;
    }
    // Only people, groups and their written words speak: "said the statement", but not "the idea".
    // Right after a quote (`," said the designer`) the phrase can only be the source, whatever its head.
    return person || (anyHead && b - j >= 2 && b - j <= 4 && (b >= end || !(this.toks[b] as Token).word)) ? this.described(j, b) : undefined;
  }

  /**
   * The speaker named right after a cue ("said Bolton", "according to Sen. Rubio"), a described
   * source ("said a spokesman"), null when none can be told, or undefined when nothing follows.
   */
  private afterCue(k: number, end: number, rightAfterQuote = false): Speaker | null | undefined {
    let j = k + 1;
    if ((this.toks[k] as Token).lower === 'according') j++;
    while (j < end && SKIPPABLE_AFTER_CUE.has((this.toks[j] as Token).lower)) j++;
    const t = this.toks[j];
    if (!t || j >= end || !t.word || t.quote >= 0) return undefined;
    const mi = this.owner[j] as number;
    if (mi >= 0 && (this.mentions[mi] as Mention).from === j) {
      const m = this.mentions[mi] as Mention;
      if (!m.poss) return this.speakerOf(mi);
      // "opined Cleveland's Plain Dealer", "exhorted Clinton's introducer, actress Jamie Lee Curtis".
      for (let n = m.last; n < end && n - m.last <= 6; n++) {
        const t2 = this.toks[n] as Token;
        if (t2.quote >= 0) break;
        const m2 = this.owner[n] as number;
        if (m2 >= 0 && m2 !== mi && !(this.mentions[m2] as Mention).poss) return this.speakerOf(m2);
      }
      return this.npAfter(j, end) ?? this.speakerOf(mi);
    }
    const g = this.pronounGender(t);
    if (g !== undefined) return this.resolvePronoun(j, g);
    if (DESCRIBERS.has(t.lower)) {
      const np = this.npAfter(j, end, rightAfterQuote);
      if (np !== undefined || (this.toks[k] as Token).lower !== 'according') return np;
      // "according to the Daily Caller": whatever is named there is the source.
      let b = j + 1;
      while (b < end && b - j < 8 && (this.toks[b] as Token).word && (this.toks[b] as Token).quote < 0) b++;
      return b - j >= 2 && (this.toks[b - 1] as Token).cap ? this.described(j, b) : undefined;
    }
    // "said undecided Republican voter Stephanie Hooton": lowercase words, then the name.
    for (let n = j; n < end && n - j < 5; n++) {
      const tn = this.toks[n] as Token;
      const mn = this.owner[n] as number;
      if (mn >= 0) return (this.mentions[mn] as Mention).poss ? undefined : this.speakerOf(mn);
      if (!tn.word || tn.cap || tn.quote >= 0 || isCueAt(this.toks, n) || NP_STOP.has(tn.lower)) break;
    }
    return undefined;
  }

  /** A noun phrase ending at the role head h, back to its determiner: "A Clinton campaign official". */
  private npBefore(h: number, lo: number, cue: number): Speaker | null | undefined {
    // Keep a complement up to the cue: "a spokesman for the city said".
    let b = h + 1;
    if (COMPLEMENT.has((this.toks[b] as Token | undefined)?.lower ?? '') && cue - b <= 6) {
      b = cue;
      while (b > h + 1 && SKIPPABLE_AFTER_CUE.has((this.toks[b - 1] as Token).lower)) b--;
    }
    let a = h;
    let determined = false;
    while (a > lo && h - a < 6) {
      const t = this.toks[a - 1] as Token;
      if (!t.word || t.quote >= 0) break;
      a--;
      if (DESCRIBERS.has(t.lower) || t.poss) {
        determined = true;
        break;
      }
    }
    // Without a determiner this is no noun phrase of its own ("waylaid by voter mistrust").
    if (!determined && a > lo) return undefined;
    return this.described(a, b);
  }

  /**
   * The subject of the cue at k, scanning left inside [lo, k): the nearest name that is not a
   * prepositional object, a pronoun, or a described source ("a spokesman for Trump said").
   */
  private beforeCue(k: number, lo: number): Speaker | null | undefined {
    const cue = this.toks[k] as Token;
    // "…, saying" / "and called": a participle or a coordinated verb takes the sentence's subject.
    const before = this.toks[k - 1];
    const participle = cue.lower.endsWith('ing') && !!before && (before.text === ',' || PARTICIPLE_LEAD.has(before.lower));
    const conj = (t: Token | undefined) => !!t && (t.lower === 'and' || t.lower === 'but');
    // "… and said", "… and then said": a coordinated verb shares the sentence's subject.
    const coordinated = conj(before) || (!!before && SKIPPABLE_AFTER_CUE.has(before.lower) && conj(this.toks[k - 2]));
    if (participle || coordinated) {
      const s = this.sentenceSubject(k);
      if (s !== undefined) return s;
    }
    // "Trump, later alleging that Obama …, said": after an interrupting phrase the verb takes the subject.
    if (before?.text === ',' && !cue.lower.endsWith('ing')) {
      const subj = this.subjectMention(this.sentenceStart(k), k);
      if (subj >= 0 && (this.mentions[subj] as Mention).to < k - 1) return this.speakerOf(subj);
    }
    let relative = false;
    for (let j = k - 1; j >= lo && k - j <= 30; j--) {
      const t = this.toks[j] as Token;
      if (t.quote >= 0) return undefined;
      // ", who was among those polled, said": the speaker is the person the clause hangs on.
      if (t.lower === 'who' && this.toks[j - 1]?.text === ',') relative = true;
      // A parenthesis ("Sen. Elizabeth Warren (D-MA) said") is skipped whole.
      if (t.text === ')') {
        let p = j - 1;
        while (p > lo && p > 0 && (this.toks[p] as Token).text !== '(' && j - p < 12) p--;
        if (p >= 0 && this.toks[p]?.text === '(') {
          j = p;
          continue;
        }
      }
      const mi = this.owner[j] as number;
      if (mi >= 0) {
        const m = this.mentions[mi] as Mention;
        const before = this.toks[m.from - 1];
        const after = this.toks[m.last];
        const ent = this.entityOf[mi] as Entity;
        if (relative && ent.person !== 'yes' && !ent.name.includes(' ')) {
          j = m.from;
          continue;
        }
        if (m.poss) {
          if (after && COMM_NOUNS.has(after.lower)) return this.speakerOf(mi);
          j = m.from;
          continue;
        }
        // "with Sen. John McCain calling it …": the subject of an absolute phrase, not an object.
        const absolute = before?.lower === 'with' && cue.lower.endsWith('ing') && (m.to === k || this.adjacent(m.to, k));
        if (before && before.word && !before.cap && PREPOSITIONS.has(before.lower) && before.lower !== 'and' && !absolute) {
          j = m.from;
          continue;
        }
        // A place or organisation speaks only right before its verb ("the White House said").
        if ((this.entityOf[mi] as Entity).person === 'no' && !this.adjacent(m.to, k)) {
          j = m.from;
          continue;
        }
        if (after && m.to === m.last && after.word && !after.cap && (GROUP_NOUNS.has(after.lower) || PEOPLE.has(after.lower))) {
          // "the Clinton campaign said": the group speaks, not the person it is named after.
          let a = m.from;
          if (before && (before.lower === 'the' || before.lower === 'a')) a--;
          return { name: joinTokens(this.toks, a, m.last + 1) };
        }
        return this.speakerOf(mi);
      }
      if (!t.word) continue;
      const g = this.pronounGender(t);
      if (g !== undefined) return this.resolvePronoun(j, g);
      if (t.lower === 'they' || t.lower === 'we' || t.lower === 'i' || t.lower === 'it') return null;
      // "Critics say", "Legal observers note": a sentence-opening plural for people.
      if (t.cap && j === lo && personNoun(t.lower) && t.lower.endsWith('s')) return { name: joinTokens(this.toks, j, j + 1).toLowerCase() };
      if (!t.cap && (personNoun(t.lower) || GROUP_NOUNS.has(t.lower))) {
        const np = this.npBefore(j, lo, k);
        if (np !== undefined) return np;
      }
      // Any noun phrase right before the verb: "The department said", "The letter continues:".
      if (!t.cap && this.adjacent(j + 1, k) && !cue.lower.endsWith('ing')) {
        const article = (x: Token | undefined) => !!x && (x.lower === 'the' || x.lower === 'a' || x.lower === 'an');
        // …unless it is a prepositional object: "a spokesman for the city said", "a sign on the wall read".
        const free = (a: number) => !PREPOSITIONS.has(this.toks[a - 1]?.lower ?? '');
        const d = this.toks[j - 1];
        if (article(d) && free(j - 1)) return this.described(j - 1, j + 1);
        if (d?.word && !d.cap && article(this.toks[j - 2]) && free(j - 2)) return this.described(j - 2, j + 1);
      }
    }
    return undefined;
  }

  /** Whether only adverbs and auxiliaries stand between token a and token b ("the White House also said"). */
  private adjacent(a: number, b: number): boolean {
    for (let j = a; j < b; j++) {
      const t = this.toks[j] as Token;
      if (!t.word || (!SKIPPABLE_AFTER_CUE.has(t.lower) && !AUX.has(t.lower))) return false;
    }
    return b - a <= 3;
  }

  /**
   * A lone capitalised word used as an adjective ("Jewish leaders", "Republican claims"): not a
   * speaker. Names known as people ("Trump went") or as full names are never treated so.
   */
  private modifierUse(mi: number): boolean {
    const m = this.mentions[mi] as Mention;
    const e = this.entityOf[mi] as Entity;
    if (e.person === 'yes' || e.name.includes(' ') || m.last - m.first > 1 || m.to !== m.last) return false;
    const after = this.toks[m.last];
    return !!after && after.word && !after.cap && !AUX.has(after.lower) && !SKIPPABLE_AFTER_CUE.has(after.lower) && !isCueAt(this.toks, m.last) && !after.lower.endsWith('ed');
  }

  /** Start of the sentence holding token k, within its paragraph. */
  private sentenceStart(k: number): number {
    const para = (this.toks[k] as Token).para;
    const sent = this.sentOf[k];
    let lo = k;
    while (lo > 0 && (this.toks[lo - 1] as Token).para === para && this.sentOf[lo - 1] === sent) lo--;
    return lo;
  }

  /**
   * The grammatical subject of the sentence holding token k, approximated: after an opening
   * adverbial ("In a statement Tuesday, …"), the first name, pronoun or described source.
   */
  private sentenceSubject(k: number, loose = false): Speaker | null | undefined {
    const lo = this.sentenceStart(k);
    let strict = this.strictSubject(lo, k, loose);
    if (strict === undefined) {
      // "Early in his campaign, Trump attacked …": try again after a short opening phrase.
      let c = lo;
      while (c < k && c - lo < 10 && (this.toks[c] as Token).text !== ',') c++;
      if (c < k && c - lo < 10 && (this.toks[c] as Token).quote < 0) strict = this.strictSubject(c + 1, k, loose);
    }
    if (strict !== undefined || !loose) return strict;
    // Loosely: the first person named in the sentence who is no prepositional object or possessor.
    for (let j = lo; j < k; j++) {
      const t = this.toks[j] as Token;
      if (t.quote >= 0 || !t.word) continue;
      const mi = this.owner[j] as number;
      if (mi >= 0) {
        const m = this.mentions[mi] as Mention;
        const before = this.toks[m.from - 1];
        const e = this.entityOf[mi] as Entity;
        const object = !!before && before.word && !before.cap && PREPOSITIONS.has(before.lower);
        const known = e.person !== 'no';
        if (!m.poss && !object && known && !this.modifierUse(mi)) return this.speakerOf(mi);
        j = m.to - 1;
        continue;
      }
      const g = this.pronounGender(t);
      if (g !== undefined) return this.resolvePronoun(j, g);
    }
    return undefined;
  }

  private strictSubject(lo: number, k: number, possessor = false): Speaker | null | undefined {
    let j = lo;
    while (j < k && (this.toks[j] as Token).quote >= 0) j++;
    const first = this.toks[j];
    if (!first || j >= k) return undefined;
    if (ADVERBIAL_OPENERS.has(first.lower)) {
      while (j < k && (this.toks[j] as Token).text !== ',') j++;
      j++;
    }
    for (let n = 0; j < k && n < 3; j++, n++) {
      const t = this.toks[j] as Token;
      if (t.text === ',' && n > 0) continue; // "Meanwhile, Trump …"
      if (t.quote >= 0 || !t.word) return undefined;
      const mi = this.owner[j] as number;
      if (mi >= 0) {
        const m = this.mentions[mi] as Mention;
        const e = this.entityOf[mi] as Entity;
        // A place closing the opening adverbial: "Speaking in Salem, New Hampshire, Trump …".
        if (e.person === 'no' && this.toks[m.to] !== undefined && !(this.toks[m.to] as Token).word) {
          j = m.to;
          n = 0;
          continue;
        }
        if (m.poss) {
          // "Germany's Chancellor Angela Merkel …": the name after the possessive.
          const next = this.owner[m.to] as number | undefined;
          if (next !== undefined && next >= 0 && !(this.mentions[next] as Mention).poss) return this.speakerOf(next);
          // "Trump's assertion that "thousands" …": the possessor makes the claim.
          return possessor && e.person !== 'no' ? this.speakerOf(mi) : undefined;
        }
        // "The Florida senator said": a described person whose name sits elsewhere.
        const after = this.toks[m.last];
        if (m.to === m.last && after && after.word && !after.cap && (ROLE_HEADS.has(after.lower) || PEOPLE.has(after.lower) || GROUP_NOUNS.has(after.lower))) {
          const from = j > lo && DESCRIBERS.has((this.toks[j - 1] as Token).lower) ? j - 1 : m.from;
          return this.described(from, m.last + 1);
        }
        return this.speakerOf(mi);
      }
      const g = this.pronounGender(t);
      if (g !== undefined) return this.resolvePronoun(j, g);
      // "The complaint alleged …", "A staffer emailed …": the subject is a noun phrase.
      const nt = this.toks[j + 1];
      if (DESCRIBERS.has(t.lower) && nt && nt.word && !nt.cap && nt.quote < 0 && !isCueAt(this.toks, j + 1)) {
        let b = j + 1;
        let time = false;
        while (b < k && b - j <= 5) {
          const w = this.toks[b] as Token;
          if (!w.word || w.cap || w.quote >= 0 || NP_STOP.has(w.lower) || AUX.has(w.lower) || isCueAt(this.toks, b) || (b > j + 1 && w.lower.endsWith('ed'))) break;
          if (TIME_NOUNS.has(w.lower)) time = true;
          b++;
        }
        // "a few days later, Trump …" is a time, not a subject; "the so-called "woke" agenda" runs into the quote.
        const intoQuote = b >= k || (this.toks[b] as Token).quote >= 0;
        return b > j + 1 && !time && !intoQuote ? this.described(j, b) : undefined;
      }
      if (!DESCRIBERS.has(t.lower) && !ROLE_MODIFIERS_LOOSE.has(t.lower)) return undefined;
    }
    return undefined;
  }

  /** Attribute the top-level quote span q, given the previous speech quote and its attribution. */
  attribute(q: MarkSpan, prev: Attribution | null, prevQuote: MarkSpan | null, kind: { scare: boolean; title: boolean } = { scare: false, title: false }): Attribution {
    const toks = this.toks;
    const openTok = this.tokAt(q.open);
    const closeTok = q.close >= 0 ? this.tokAt(q.close + q.markLen - 1) : this.tokAtOrAfter(q.end, openTok) - 1;
    const para = (toks[openTok] as Token).para;
    // Pre window: the quote's sentence up to its opening mark (other quotes inside are skipped).
    const lo = this.sentenceStart(openTok);
    let wordsBefore = false;
    for (let j = lo; j < openTok; j++) if ((toks[j] as Token).word && (toks[j] as Token).quote < 0) wordsBefore = true;
    // Post window: after the closing mark, to the end of the sentence holding the next word.
    const postStart = closeTok + 1;
    let hi = postStart;
    const postSent = this.sentOf[hi];
    while (hi < toks.length) {
      const t = toks[hi] as Token;
      if (t.para !== (toks[closeTok] as Token).para || t.quote >= 0 || this.sentOf[hi] !== postSent) break;
      hi++;
    }
    // A quote that ends its sentence is followed by a new statement, unless that is a bare tag ("Bolton said.").
    const newSentence = postSent !== this.sentOf[closeTok];
    const exclaims = /[?!]$/.test(this.text.slice(q.start, q.end));
    // `"…." He writes that "…"` runs into the next quote; `"…?" Sanders said. "…"` is a finished tag.
    const intoQuote = toks[hi] !== undefined && (toks[hi] as Token).quote >= 0 && !/^[.!?]$/.test((toks[hi - 1] as Token).text);
    const postUsable = !newSentence || ((exclaims || hi - postStart <= 5) && !intoQuote);

    // (0) A dash byline right after the closing mark: `"…" ― Pamela Padilla` (reader comments, epigraphs),
    // or opening the next paragraph: `"…"` ¶ `- Clinton.`
    const dash = toks[postStart];
    if (dash && q.close >= 0 && DASHES.has(dash.text) && (dash.para === para || dash.para === (toks[closeTok] as Token).para + 1)) {
      const mi = this.owner[postStart + 1] ?? -1;
      const m = mi >= 0 ? (this.mentions[mi] as Mention) : undefined;
      const after = m ? toks[m.last] : undefined;
      // The name ends the line or its clause: a byline, not the start of a new sentence.
      const ends = !after || after.para !== dash.para || !after.word || this.text.slice((toks[m!.last - 1] as Token).end, after.start).includes('\n');
      if (m && m.from === postStart + 1 && !m.poss && ends && (this.entityOf[mi] as Entity).person !== 'no') return { speaker: this.speakerOf(mi), how: 'post' };
    }
    // (a) Attribution right after the quote: `," Bolton said` / `," said Bolton` / `," he said`.
    let k = postStart;
    while (k < hi && !(toks[k] as Token).word) k++;
    if (postUsable && k < hi && k - postStart <= 2) {
      if (isCueAt(toks, k)) {
        const s = this.afterCue(k, hi, true);
        if (s !== undefined) return { speaker: s, how: s ? 'post' : 'unnamed' };
      }
      const t = toks[k] as Token;
      const mi = this.owner[k] as number;
      let subjEnd = -1;
      if (mi >= 0 && (this.mentions[mi] as Mention).from === k && !(this.mentions[mi] as Mention).poss) subjEnd = (this.mentions[mi] as Mention).to;
      else if (this.pronounGender(t) !== undefined) subjEnd = k + 1;
      else if (DESCRIBERS.has(t.lower)) {
        // `," the Florida senator said`: step over the noun phrase to its verb.
        subjEnd = k + 1;
        while (subjEnd < hi && subjEnd - k < 6 && (toks[subjEnd] as Token).word && !isCueAt(toks, subjEnd)) subjEnd++;
      }
      if (subjEnd >= 0) {
        for (let c = subjEnd; c < hi && c - subjEnd <= 4; c++) {
          if (!isCueAt(toks, c)) continue;
          // Only time words and adverbs between subject and verb: `," Bolton said`, `," he later told`.
          if (!this.adjacent(subjEnd, c) && c !== subjEnd) break;
          const s = this.beforeCue(c, k);
          if (s !== undefined) return { speaker: s, how: s ? 'post' : 'unnamed' };
          break;
        }
      }
    }
    // (b) A cue before the quote in its sentence: `Bolton said that …"`, `According to X, "`.
    // After the last quote before this one, the outermost (leftmost) cue wins: `Obama said he
    // expected Americans will say "no"` is Obama's; before it, the nearest cue.
    let lastQuote = lo;
    for (let j = openTok - 1; j >= lo; j--) {
      const t = toks[j] as Token;
      // A quote or a clause break (", while Cruz said …", "; Trump said …") starts this clause.
      const clauseBreak = t.text === ';' || t.text === '\u2014' || (t.text === ',' && CLAUSE_LINKS.has((toks[j + 1] as Token | undefined)?.lower ?? ''));
      if (t.quote >= 0 || clauseBreak) {
        lastQuote = j + 1;
        break;
      }
    }
    const cueOrder: number[] = [];
    for (let c = lastQuote; c < openTok; c++) cueOrder.push(c);
    for (let c = lastQuote - 1; c >= lo; c--) cueOrder.push(c);
    // Cues inside an opening clause ("When asked by Ingraham …, Cruz said:") or passive ("asked by")
    // belong to someone else.
    let clauseEnd = lo;
    if (SUBORDINATORS.has((toks[lo] as Token | undefined)?.lower ?? '')) {
      let c = lo;
      while (c < openTok && (toks[c] as Token).text !== ',') c++;
      if (c < openTok) clauseEnd = c;
    }
    for (const c of cueOrder) {
      if ((toks[c] as Token).quote >= 0 || !isCueAt(toks, c)) continue;
      if (c < clauseEnd || (toks[c + 1] as Token | undefined)?.lower === 'by') continue;
      const after = (toks[c] as Token).lower === 'according' ? this.afterCue(c, openTok) : undefined;
      if (after !== undefined) return { speaker: after, how: after ? 'pre' : 'unnamed' };
      const s = this.beforeCue(c, lo);
      if (s !== undefined) return { speaker: s, how: s ? 'pre' : 'unnamed' };
      const s2 = this.afterCue(c, openTok);
      if (s2 !== undefined) return { speaker: s2, how: s2 ? 'pre' : 'unnamed' };
    }
    // (c) Colon introduction without a verb: `Trump on Twitter: "…"`.
    // The sentence's subject first: `Sanders delivered a snappy retort: "…"` is Sanders's.
    if (openTok - 1 >= lo && (toks[openTok - 1] as Token).text === ':') {
      const subject = this.sentenceSubject(openTok - 1);
      const s = (subject && /^\p{Lu}/u.test(subject.name) ? subject : undefined) ?? this.beforeCue(openTok - 1, lo);
      if (s) return { speaker: s, how: 'colon' };
    }
    // (d) A cue later in the post window: `"…" is how Bolton put it, he said.`
    if (postUsable) {
      for (let c = postStart; c < hi; c++) {
        if (!isCueAt(toks, c)) continue;
        // `"…" that Sanders can win, said Steve Elmendorf`: after a comma the verb comes before its subject.
        const inverted = (toks[c - 1] as Token | undefined)?.text === ',' ? this.afterCue(c, hi) : undefined;
        const s = inverted ?? this.beforeCue(c, postStart) ?? this.afterCue(c, hi);
        if (s !== undefined && s !== null) return { speaker: s, how: 'post' };
        // `"…," and donations began to pick up, Gilbert said`: a verb with no speaker is no cue; look on.
        if (s === null) break;
      }
    }
    // (e) No reporting verb, but the sentence has a subject: `Trump attacked Romney as a "failed candidate."`
    if (wordsBefore && !kind.title) {
      const s = this.sentenceSubject(openTok, true);
      if (s) return { speaker: s, how: 'subject' };
    }
    // (f) The previous sentence of the paragraph introduces it: `Bolton added. "…"` / `… he said:`.
    // Across a paragraph break only when the previous paragraph hands over: `Cruz continued:` ¶ `"…"`.
    if (!wordsBefore && lo > 0 && !kind.scare) {
      const pt = lo - 1;
      const pTok = toks[pt] as Token;
      const colon = pTok.text === ':';
      if ((pTok.para === para || (pTok.para === para - 1 && lo === openTok)) && pTok.quote < 0) {
        const plo = this.sentenceStart(pt);
        let hasQuote = false;
        for (let c = plo; c <= pt; c++) if ((toks[c] as Token).quote >= 0) hasQuote = true;
        if (pTok.para === para || colon || !hasQuote) {
          for (let c = pt; c >= plo; c--) {
            if ((toks[c] as Token).quote >= 0 || !isCueAt(toks, c)) continue;
            const s = this.beforeCue(c, plo) ?? this.afterCue(c, pt + 1);
            if (s) return { speaker: s, how: 'prev' };
            break;
          }
          if (colon) {
            const s = this.sentenceSubject(pt) ?? this.beforeCue(pt, plo);
            if (s) return { speaker: s, how: 'prev' };
          }
        }
      }
    }
    // (g) Carry forward: a later quote in the same paragraph, or a paragraph that opens with a quote.
    if (prev?.speaker && prevQuote && !kind.scare && !wordsBefore) {
      const prevPara = (toks[this.tokAt(prevQuote.open)] as Token).para;
      let opensPara = true;
      for (let j = openTok - 1; j >= 0 && (toks[j] as Token).para === para; j--) {
        if ((toks[j] as Token).word && (toks[j] as Token).quote < 0) opensPara = false;
      }
      if (prevPara === para || (opensPara && para - prevPara === 1)) return { speaker: prev.speaker, how: 'carry' };
    }
    return { speaker: null, how: 'none' };
  }
}
