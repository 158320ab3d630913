/**
 * Speaker attribution for quotation spans: the sieves in sieves/index.ts are tried in order for each
 * quote, and the first that decides names the speaker (or says the source cannot be named). A
 * speaker whose confidence falls below MIN_CONFIDENCE is dropped: no name is better than a wrong one.
 */
import type { Speaker } from '../../article/model.ts';
import { Doc } from './document.ts';
import { type MarkSpan, type Paragraph } from './marks.ts';
import { SIEVES, type Decision, type QuoteContext } from './sieves/index.ts';
import { Speakers } from './speakers.ts';

/** Below this confidence a speaker is not named. */
export const MIN_CONFIDENCE = 0.5;

/** What attribution decided for one top-level quote. */
export interface Attribution {
  readonly speaker: (Speaker & { readonly confidence: number }) | null;
  /**
   * 'speaker': named; 'unnamed': the text gives a source who cannot be named ("they said", "a
   * sign read"); 'abstained': a candidate was found but too weakly; 'none': no sieve decided.
   */
  readonly outcome: 'speaker' | 'unnamed' | 'abstained' | 'none';
  /** The sieve that decided, and how the speaker was resolved, for `--explain`. */
  readonly trace: string;
  readonly decision: Decision | null;
}

/** Per-article attribution: the document model is built once, then each quote goes through the sieves. */
export class Attributor {
  private readonly doc: Doc;
  private readonly speakers: Speakers;

  constructor(text: string, spans: readonly MarkSpan[], paras: readonly Paragraph[]) {
    this.doc = new Doc(text, spans, paras);
    this.speakers = new Speakers(this.doc);
  }

  /** What the sieves see of quote q: its tokens, sentence and the windows around it. */
  contextOf(q: MarkSpan, previous: QuoteContext['previous'], kind: { scare: boolean; title: boolean }): QuoteContext {
    const { doc } = this;
    const openTok = doc.tokAt(q.open);
    const closeTok = q.close >= 0 ? doc.tokAt(q.close + q.markLen - 1) : doc.tokAtOrAfter(q.end, openTok) - 1;
    const para = doc.tok(openTok).para;
    const lo = doc.sentenceStart(openTok);
    let wordsBefore = false;
    for (let j = lo; j < openTok; j++) if (doc.tok(j).word && doc.tok(j).quote < 0) wordsBefore = true;
    // Post window: after the closing mark, to the end of the sentence holding the next word.
    const postStart = closeTok + 1;
    let hi = postStart;
    const postSent = doc.sentOf[hi];
    while (hi < doc.toks.length) {
      const t = doc.tok(hi);
      if (t.para !== doc.tok(closeTok).para || t.quote >= 0 || doc.sentOf[hi] !== postSent) break;
      hi++;
    }
    // A quote that ends its sentence is followed by a new statement, unless that is a bare tag ("Bolton said.").
    const newSentence = postSent !== doc.sentOf[closeTok];
    const exclaims = /[?!]$/.test(doc.text.slice(q.start, q.end));
    // `"…." He writes that "…"` runs into the next quote; `"…?" Sanders said. "…"` is a finished tag.
    const intoQuote = doc.toks[hi] !== undefined && doc.tok(hi).quote >= 0 && !/^[.!?]$/.test(doc.tok(hi - 1).text);
    const postUsable = !newSentence || ((exclaims || hi - postStart <= 5) && !intoQuote);
    return { doc, speakers: this.speakers, span: q, openTok, closeTok, para, lo, wordsBefore, postStart, hi, postUsable, scare: kind.scare, title: kind.title, previous };
  }

  /** Attribute the top-level quote span q, given the previous speech quote and its decision. */
  attribute(q: MarkSpan, previous: QuoteContext['previous'], kind: { scare: boolean; title: boolean } = { scare: false, title: false }): Attribution {
    const ctx = this.contextOf(q, previous, kind);
    for (const sieve of SIEVES) {
      const found = sieve.decide(ctx);
      if (found === undefined) continue;
      const decision: Decision = { sieve: sieve.name, found };
      if (found === null) return { speaker: null, outcome: 'unnamed', trace: `${sieve.name}: the source cannot be named`, decision };
      const confidence = Math.round(sieve.reliability * found.confidence * 100) / 100;
      const trace = `${sieve.name} (${found.via}) → ${found.speaker.name}, confidence ${confidence.toFixed(2)}`;
      if (confidence < MIN_CONFIDENCE) return { speaker: null, outcome: 'abstained', trace: `${trace}: too weak, no name given`, decision };
      return { speaker: { ...found.speaker, confidence }, outcome: 'speaker', trace, decision };
    }
    return { speaker: null, outcome: 'none', trace: 'no sieve found a speaker', decision: null };
  }
}
