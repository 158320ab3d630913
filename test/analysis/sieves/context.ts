/**
 * Runs one sieve alone on one quotation of a short article: the context is built exactly as the
 * attributor builds it, so a sieve test sees what the sieve sees in the pipeline.
 */
import { Attributor } from '../../../lambda/shared/analysis/quotes/attribute.ts';
import { findQuotes } from '../../../lambda/shared/analysis/quotes/index.ts';
import { findMarkSpans, paragraphs } from '../../../lambda/shared/analysis/quotes/marks.ts';
import type { Decision, QuoteContext, Sieve } from '../../../lambda/shared/analysis/quotes/sieves/index.ts';

export const article = (...paras: string[]): string => paras.join('\n\n');

/** The context of the top-level quotation containing `words`; `previous` is the quote before it and what decided it. */
export function contextFor(text: string, words: string, previous: { words: string; decision: Decision } | null = null): QuoteContext {
  const spans = findMarkSpans(text);
  const span = (w: string) => {
    const s = spans.find((x) => x.depth === 0 && text.slice(x.start, x.end).includes(w));
    if (!s) throw new Error(`no quote containing ${JSON.stringify(w)}`);
    return s;
  };
  const q = span(words);
  const kind = findQuotes(text).find((f) => f.start === q.start)?.kind ?? 'speech';
  const att = new Attributor(text, spans, paragraphs(text));
  const prev = previous ? { span: span(previous.words), decision: previous.decision } : null;
  return att.contextOf(q, prev, { scare: kind === 'scare', title: false });
}

/** What the sieve decides alone: the speaker's name, null ("the source cannot be named"), or undefined (it passes). */
export function decide(sieve: Sieve, text: string, words: string, previous: { words: string; decision: Decision } | null = null): string | null | undefined {
  const found = sieve.decide(contextFor(text, words, previous));
  return found === undefined || found === null ? found : found.speaker.name;
}
