import { splitSentences } from '../text/sentences.ts';
import { articleText, type Article, type BriefQuote, type Quote } from './model.ts';

/**
 * Lead-ins for fragment quotes. A key quote that is only part of a sentence ("further indication
 * of the progress that we hope to continue to make") misleads when set apart as if it were a whole
 * statement; the words of the article that introduce it ("Sanders said that while the note is")
 * give it back its sense. The email shows the fragment inside them, or with ellipses when the
 * lead-in is too long or itself quotes someone.
 */

/** Longer lead-ins turn the quote card into a paragraph of the article; the email uses ellipses instead. */
const MAX_LEAD_IN_WORDS = 20;
const QUOTE_MARK = /["“”„‘’«»]|(^|\s)'|'(\s|$)/;

/** A quote that reads as a sentence of its own: it starts with a capital or a digit. */
export function isSentenceQuote(text: string): boolean {
  return /^\s*["'“‘]?[\p{Lu}\d]/u.test(text);
}

/**
 * The key quotes of `article` as a brief carries them: each fragment with its lead-in (the words of
 * its sentence before the opening mark, when short and free of other quotes) and whether its
 * sentence ends at the closing mark. Whole-sentence quotes are returned as they are.
 */
export function withLeadIns(article: Pick<Article, 'title' | 'paragraphs'>, quotes: readonly Quote[]): BriefQuote[] {
  if (quotes.every((q) => isSentenceQuote(q.text))) return [...quotes];
  const text = articleText(article);
  const sentences = splitSentences(text);
  return quotes.map((q): BriefQuote => {
    if (isSentenceQuote(q.text)) return q;
    // Editor quotes and quotes from other sources may carry no offsets into this text.
    if (q.start < 1 || q.end > text.length || text.slice(q.start, q.end) !== q.text) return q;
    const sentence = sentences.find((s) => s.start <= q.start && q.start < s.end);
    if (sentence === undefined) return q;
    const before = text
      .slice(sentence.start, q.start)
      .replace(/["“„‘'«]\s*$/, '')
      .replace(/\s+/g, ' ')
      .trim();
    // What follows the closing mark up to the end of the sentence: nothing but punctuation means it ends there.
    const after = q.end <= sentence.end ? text.slice(q.end, sentence.end) : 'x';
    const sentenceEnds = /^[\s,.;:!?"”’'»]*$/.test(after);
    const words = before === '' ? 0 : before.split(' ').length;
    if (words === 0 || words > MAX_LEAD_IN_WORDS || QUOTE_MARK.test(before)) return { ...q, sentenceEnds };
    return { ...q, leadIn: before, sentenceEnds };
  });
}
