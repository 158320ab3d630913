/**
 * One article as the sieves see it: tokens, name mentions, the people and organisations they
 * name (one identity per person), and sentence boundaries that ignore breaks inside quotes.
 */
import type { Speaker } from '../../article/model.ts';
import { splitSentences } from '../../text/sentences.ts';
import { BODY_NOUNS, GROUP_NOUNS, PEOPLE, isCueAt } from './cues.ts';
import { ROLE_HEADS } from './lexicon.ts';
import { type MarkSpan, type Paragraph } from './marks.ts';
import { type Entity, buildEntities, speakerFor } from './entities.ts';
import { type Mention, type Token, findMentions, tokenize } from './tokens.ts';

export type { Entity } from './entities.ts';

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
    this.entityOf = buildEntities(this.mentions, toks, (k) => isCueAt(toks, k));
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

  /**
   * A group named for the person or body at mention mi ("the Clinton campaign", "Trump's camp", "the
   * Clinton aides"): the token of its head noun, and whether the group is a body ("it" and "they" can
   * stand for it, "he" never) rather than its members. Not when the noun only modifies a role or a
   * name ("Trump's campaign manager Kellyanne Conway"), nor after an appositive.
   */
  groupNamedFor(mi: number): { readonly head: number; readonly body: boolean } | undefined {
    const m = this.mention(mi);
    if (m.to !== m.last) return undefined;
    const head = this.toks[m.last];
    if (!head || !head.word || head.cap || head.quote >= 0 || !(GROUP_NOUNS.has(head.lower) || PEOPLE.has(head.lower))) return undefined;
    const after = this.toks[m.last + 1];
    if (after && after.word && (after.cap || ROLE_HEADS.has(after.lower) || (this.owner[m.last + 1] ?? -1) >= 0)) return undefined;
    return { head: m.last, body: BODY_NOUNS.has(head.lower) };
  }

  /** The speaker a name mention stands for: the entity's full name and role. */
  speakerOf(mi: number): Speaker {
    return speakerFor(this.entity(mi));
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
