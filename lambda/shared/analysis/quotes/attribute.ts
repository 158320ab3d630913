/**
 * Speaker attribution for quotation spans: reporting-verb cues in the quote's sentence (both
 * "X said" and "said X" orders, colon introductions), then the previous or next sentence, then
 * carry-forward from the previous quote. Names resolve through a per-article entity table, so
 * "Sanders said" maps to the "Sarah Sanders" introduced earlier and "he" to the last compatible person.
 */
import type { Speaker } from '../../article/model.ts';
import { splitSentences } from '../sentences.ts';
import { COMM_NOUNS, CUE_VERBS, FEMALE_PRONOUNS, MALE_PRONOUNS, ROLE_HEADS } from './lexicon.ts';
import { type MarkSpan, type Paragraph } from './marks.ts';
import { type Gender, type Mention, type Token, findMentions, tokenize } from './tokens.ts';

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
  readonly how: 'post' | 'pre' | 'colon' | 'prev' | 'carry' | 'unnamed' | 'none';
}

/** Words before a noun that show a cue word is used as a noun ("the note", "a statement"). */
const DETERMINERS = new Set(['the', 'a', 'an', 'this', 'that', 'his', 'her', 'their', 'its', 'our', 'my', 'your', 'whose', 'no', 'any', 'every', 'each', 'to']);
const PREPOSITIONS = new Set(['for', 'to', 'of', 'with', 'by', 'about', 'at', 'on', 'in', 'from', 'against', 'than', 'like', 'into', 'toward', 'towards', 'over', 'under', 'between', 'among', 'and']);
const SKIPPABLE_AFTER_CUE = new Set(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'today', 'yesterday', 'recently', 'later', 'also', 'then', 'once', 'again', 'simply', 'only', 'flatly']);

function isCueAt(toks: readonly Token[], k: number): boolean {
  const t = toks[k];
  if (!t || !t.word || t.cap || t.quote >= 0) return t?.lower === 'according' && toks[k + 1]?.lower === 'to';
  if (t.lower === 'according') return toks[k + 1]?.lower === 'to';
  if (!CUE_VERBS.has(t.lower)) return false;
  const prev = toks[k - 1];
  if (prev && prev.word && (DETERMINERS.has(prev.lower) || prev.poss)) return false;
  return true;
}

export class Attributor {
  readonly toks: Token[];
  readonly mentions: Mention[];
  /** Mention index for each token covered by a mention (role and appositive included), else -1. */
  private readonly owner: Int32Array;
  private readonly entityOf: Entity[];
  private readonly sentOf: Int32Array;
  private readonly tokOfOffset: Map<number, number>;

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
    this.tokOfOffset = new Map(toks.map((t, i) => [t.start, i]));
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

  private tokAt(offset: number): number {
    const k = this.tokOfOffset.get(offset);
    if (k !== undefined) return k;
    return this.tokAtOrAfter(offset, 0);
  }

  private speakerOf(mi: number): Speaker {
    const e = this.entityOf[mi] as Entity;
    return e.role ? { name: e.name, role: e.role } : { name: e.name };
  }

  /** The last compatible named person before token k ("he" → the last man named). */
  private resolvePronoun(k: number, gender: Gender): Speaker | null {
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

  private pronounGender(t: Token): Gender | undefined {
    if (t.cap && t.lower !== 'he' && t.lower !== 'she') return undefined;
    if (MALE_PRONOUNS.has(t.lower) && t.lower !== 'his' && t.lower !== 'him') return 'm';
    if (FEMALE_PRONOUNS.has(t.lower) && t.lower !== 'her' && t.lower !== 'hers') return 'f';
    return undefined;
  }

  /**
   * The speaker named right after a cue ("said Bolton", "according to Sen. Rubio"), or
   * `null` for an unnamed one ("said a spokesman"), or undefined when nothing follows.
   */
  private afterCue(k: number, end: number): Speaker | null | undefined {
    let j = k + 1;
    if ((this.toks[k] as Token).lower === 'according') j++;
    while (j < end && SKIPPABLE_AFTER_CUE.has((this.toks[j] as Token).lower)) j++;
    const t = this.toks[j];
    if (!t || j >= end || !t.word || t.quote >= 0) return undefined;
    const mi = this.owner[j] as number;
    if (mi >= 0 && (this.mentions[mi] as Mention).from === j) return this.speakerOf(mi);
    const g = this.pronounGender(t);
    if (g !== undefined) return this.resolvePronoun(j, g);
    if (t.lower === 'the' || t.lower === 'a' || t.lower === 'an' || t.lower === 'one' || t.lower === 'another') {
      // "said the senator": an unnamed or role-only speaker; resolve "the <role>" only by role match.
      return null;
    }
    return undefined;
  }

  /**
   * The subject of the cue at k, scanning left inside [lo, k): the nearest name that is not a
   * prepositional object, a pronoun, or an unnamed role ("a spokesman for Trump said" → null).
   */
  private beforeCue(k: number, lo: number): Speaker | null | undefined {
    for (let j = k - 1; j >= lo && k - j <= 30; j--) {
      const t = this.toks[j] as Token;
      if (t.quote >= 0) return undefined;
      const mi = this.owner[j] as number;
      if (mi >= 0) {
        const m = this.mentions[mi] as Mention;
        const before = this.toks[m.from - 1];
        const after = this.toks[m.last];
        if (m.poss) {
          if (after && COMM_NOUNS.has(after.lower)) return this.speakerOf(mi);
          if (after && ROLE_HEADS.has(after.lower)) return null;
          j = m.from;
          continue;
        }
        if (before && before.word && !before.cap && PREPOSITIONS.has(before.lower) && before.lower !== 'and') {
          j = m.from;
          continue;
        }
        return this.speakerOf(mi);
      }
      if (!t.word) continue;
      const g = this.pronounGender(t);
      if (g !== undefined) return this.resolvePronoun(j, g);
      if (t.lower === 'they' || t.lower === 'we' || t.lower === 'i' || t.lower === 'it') return null;
      if (!t.cap && ROLE_HEADS.has(t.lower)) {
        // "the spokesman said", "a Trump aide said": someone the text does not name.
        return null;
      }
    }
    return undefined;
  }

  /** Attribute the top-level quote span q, given the previous speech quote and its attribution. */
  attribute(q: MarkSpan, prev: Attribution | null, prevQuote: MarkSpan | null): Attribution {
    const toks = this.toks;
    const openTok = this.tokAt(q.open);
    const closeTok = q.close >= 0 ? this.tokAt(q.close + q.markLen - 1) : this.tokAtOrAfter(q.end, openTok) - 1;
    const para = (toks[openTok] as Token).para;
    const sent = this.sentOf[openTok] as number;
    // Pre window: same sentence and paragraph, back to the previous quote.
    let lo = openTok;
    while (lo > 0) {
      const t = toks[lo - 1] as Token;
      if (t.para !== para || t.quote >= 0 || this.sentOf[lo - 1] !== sent) break;
      lo--;
    }
    // Post window: after the closing mark, to the end of the sentence holding the next word.
    let hi = closeTok + 1;
    const postSent = this.sentOf[hi];
    while (hi < toks.length) {
      const t = toks[hi] as Token;
      if (t.para !== (toks[closeTok] as Token).para || t.quote >= 0 || this.sentOf[hi] !== postSent) break;
      hi++;
    }
    const postStart = closeTok + 1;

    // (a) Attribution right after the quote: `," Bolton said` / `," said Bolton` / `," he said`.
    let k = postStart;
    while (k < hi && !(toks[k] as Token).word) k++;
    if (k < hi && k - postStart <= 2) {
      if (isCueAt(toks, k)) {
        const s = this.afterCue(k, hi);
        if (s !== undefined) return { speaker: s, how: s ? 'post' : 'unnamed' };
      }
      const t = toks[k] as Token;
      const mi = this.owner[k] as number;
      let subjEnd = -1;
      if (mi >= 0 && (this.mentions[mi] as Mention).from === k && !(this.mentions[mi] as Mention).poss) subjEnd = (this.mentions[mi] as Mention).to;
      else if (this.pronounGender(t) !== undefined) subjEnd = k + 1;
      else if (t.lower === 'the' || t.lower === 'a' || t.lower === 'an') subjEnd = k + 1;
      if (subjEnd >= 0) {
        for (let c = subjEnd; c < hi && c - subjEnd <= 6; c++) {
          if (!isCueAt(toks, c)) continue;
          const s = this.beforeCue(c, k);
          if (s !== undefined) return { speaker: s, how: s ? 'post' : 'unnamed' };
          break;
        }
      }
    }
    // (b) A cue before the quote in its sentence: `Bolton said that …"`, `According to X, "`.
    for (let c = openTok - 1; c >= lo; c--) {
      if (!isCueAt(toks, c)) continue;
      const after = (toks[c] as Token).lower === 'according' ? this.afterCue(c, openTok) : undefined;
      if (after !== undefined) return { speaker: after, how: after ? 'pre' : 'unnamed' };
      const s = this.beforeCue(c, lo);
      if (s !== undefined) return { speaker: s, how: s ? 'pre' : 'unnamed' };
      const s2 = this.afterCue(c, openTok);
      if (s2 !== undefined) return { speaker: s2, how: s2 ? 'pre' : 'unnamed' };
    }
    // (c) Colon introduction without a verb: `Trump on Twitter: "…"`.
    if (openTok - 1 >= lo && (toks[openTok - 1] as Token).text === ':') {
      const s = this.beforeCue(openTok - 1, lo);
      if (s) return { speaker: s, how: 'colon' };
    }
    // (d) A cue later in the post window: `"…" is how Bolton put it, he said.`
    for (let c = postStart; c < hi; c++) {
      if (!isCueAt(toks, c)) continue;
      const s = this.beforeCue(c, postStart) ?? this.afterCue(c, hi);
      if (s !== undefined && s !== null) return { speaker: s, how: 'post' };
      break;
    }
    // (e) The previous sentence of the paragraph introduces it: `Bolton added. "…"` / `… he said:`.
    const quoteOpensSentence = lo === openTok;
    if (quoteOpensSentence && openTok > 0) {
      const pt = openTok - 1;
      const pTok = toks[pt] as Token;
      if (pTok.para === para && pTok.quote < 0) {
        let plo = pt;
        while (plo > 0 && (toks[plo - 1] as Token).para === para && (toks[plo - 1] as Token).quote < 0 && this.sentOf[plo - 1] === this.sentOf[pt]) plo--;
        for (let c = pt; c >= plo; c--) {
          if (!isCueAt(toks, c)) continue;
          const s = this.beforeCue(c, plo) ?? this.afterCue(c, pt + 1);
          if (s) return { speaker: s, how: 'prev' };
          break;
        }
      }
    }
    // (f) Carry forward: a later quote in the same paragraph, or a paragraph that opens with a quote.
    if (prev?.speaker && prevQuote) {
      const prevPara = (toks[this.tokAt(prevQuote.open)] as Token).para;
      let opensPara = true;
      for (let j = openTok - 1; j >= 0 && (toks[j] as Token).para === para; j--) {
        if ((toks[j] as Token).word && (toks[j] as Token).quote < 0) opensPara = false;
      }
      if (prevPara === para || (opensPara && para - prevPara === 1)) return { speaker: prev.speaker, how: 'carry' };
    }
    return { speaker: null, how: 'none' };
  }

  /** How many times the entity behind `name` is mentioned (outside quotes). */
  mentionCount(name: string): number {
    let n = 0;
    this.entityOf.forEach((e) => {
      if (e.name === name) n++;
    });
    return n;
  }
}
