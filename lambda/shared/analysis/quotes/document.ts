/**
 * One article as the sieves see it: tokens, name mentions, the people and organisations they
 * name (one identity per person), and sentence boundaries that ignore breaks inside quotes.
 */
import type { Speaker } from '../../article/model.ts';
import { splitSentences } from '../../text/sentences.ts';
import { isCueAt } from './cues.ts';
import { type MarkSpan, type Paragraph } from './marks.ts';
import { type Gender, type Mention, type Token, findMentions, tokenize } from './tokens.ts';

/** A person or organisation the article names, however often and however spelled. */
export interface Entity {
  readonly name: string;
  role: string | null;
  gender: Gender;
  person: Mention['person'];
  /** Two or more people taken together ("Tom Reed and Ann Lowe"), whom only "they" can stand for. */
  readonly plural?: true;
}

const key = (s: string): string => s.toLowerCase().replace(/[’]/g, "'").replace(/\s+[a-z]\.(?=\s)/g, '');

/** A surname misspelt by one letter ("McLenney" for "McClenney"): the one full name it can be, if exactly one. */
function fuzzySurname<T>(bySurname: ReadonlyMap<string, T[]>, k: string): T[] | undefined {
  if (k.length < 6 || k.includes(' ')) return undefined;
  let hit: T[] | undefined;
  for (const [sur, list] of bySurname) {
    if (Math.abs(sur.length - k.length) > 1 || !oneEdit(sur, k)) continue;
    if (hit) return undefined;
    hit = list;
  }
  return hit;
}

/** Whether a and b differ by exactly one inserted, deleted or replaced character. */
function oneEdit(a: string, b: string): boolean {
  if (a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}

/** Per-mention entity: full names first, then surnames and first names resolved to them. */
function buildEntities(mentions: readonly Mention[]): Entity[] {
  const full = new Map<string, Entity>();
  const bySurname = new Map<string, { at: number; e: Entity }[]>();
  const byFirst = new Map<string, Entity[]>();
  for (const m of mentions) {
    const parts = m.name.split(' ');
    if (parts.length < 2 || m.person === 'no') continue;
    // "Laurence H. Tribe" and "Laurence Tribe" are one person: the key drops middle initials.
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
    if (m.person === 'yes') e.person = 'yes';
  }
  const single = new Map<string, Entity>();
  return mentions.map((m) => {
    const k = key(m.name);
    const f = full.get(k);
    if (f) return f;
    let e: Entity | undefined;
    // "Mr. Obama" is not Michelle Obama: a surname resolves only to a full name of compatible gender.
    // Only a title says the gender of a surname: "Scott" alone is no man's first name here.
    const g = m.titleGender;
    const all = bySurname.get(k) ?? fuzzySurname(bySurname, k) ?? [];
    const exact = all.filter((c) => g !== null && c.e.gender === g);
    const cands = exact.length ? exact : all.filter((c) => g === null || c.e.gender === null || c.e.gender === g);
    if (cands.length) {
      // The latest full name introduced before this mention, else the first one after it.
      e = (cands.filter((c) => c.at <= m.first).pop() ?? cands[0])!.e;
      // A title settles an unknown gender, but only when the surname names one person.
      if (e.gender === null && all.length === 1) e.gender = g;
    } else {
      const byF = byFirst.get(k);
      if (byF && byF.length === 1) e = byF[0];
      if (e) e.gender ??= m.gender;
    }
    if (e) {
      e.role ??= m.role;
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

/** Per-article state shared by every sieve; built once per article. */
export class Doc {
  readonly toks: Token[];
  readonly mentions: Mention[];
  /** Mention index for each token covered by a mention (role and appositive included), else -1. */
  readonly owner: Int32Array;
  readonly entityOf: Entity[];
  /** Sentence id per token; breaks inside quotes do not count. */
  readonly sentOf: Int32Array;

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
    this.entityOf = buildEntities(this.mentions);
    this.sentOf = this.outerSentences();
  }

  tok(k: number): Token {
    return this.toks[k] as Token;
  }

  mention(mi: number): Mention {
    return this.mentions[mi] as Mention;
  }

  entity(mi: number): Entity {
    return this.entityOf[mi] as Entity;
  }

  /** The mention starting exactly at token k (role prefix included), or -1. */
  mentionAt(k: number): number {
    const mi = this.owner[k] ?? -1;
    return mi >= 0 && this.mention(mi).from === k ? mi : -1;
  }

  isCue(k: number): boolean {
    return isCueAt(this.toks, k);
  }

  /** The speaker a name mention stands for: the entity's full name and role. */
  speakerOf(mi: number): Speaker {
    const e = this.entity(mi);
    return e.role ? { name: e.name, role: e.role } : { name: e.name };
  }

  private outerSentences(): Int32Array {
    const sents = splitSentences(this.text);
    const out = new Int32Array(this.toks.length);
    let si = 0;
    let id = 0;
    for (let k = 0; k < this.toks.length; k++) {
      const t = this.tok(k);
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
      // A paragraph always starts a sentence.
      if (k > 0 && t.para !== this.tok(k - 1).para && out[k - 1] === id) id++;
      out[k] = id;
    }
    return out;
  }

  tokAtOrAfter(offset: number, from: number): number {
    let k = from;
    while (k < this.toks.length && this.tok(k).start < offset) k++;
    return k;
  }

  /** The first token starting at or after `offset` (binary search). */
  tokAt(offset: number): number {
    let lo = 0;
    let hi = this.toks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tok(mid).start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Start of the sentence holding token k. */
  sentenceStart(k: number): number {
    const sent = this.sentOf[k];
    let lo = k;
    while (lo > 0 && this.sentOf[lo - 1] === sent) lo--;
    return lo;
  }

  /** End (exclusive) of the sentence holding token k. */
  sentenceEnd(k: number): number {
    const sent = this.sentOf[k];
    let hi = k;
    while (hi < this.toks.length && this.sentOf[hi] === sent) hi++;
    return hi;
  }
}
