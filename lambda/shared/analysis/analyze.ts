/**
 * The article → brief analysis: sentences, quotes with speakers, key quotes and the summary. Pure,
 * synchronous and free of I/O, so the CLI, the eval, the benchmark and the ingest Lambda share it.
 */
import { articleText } from '../article/model.ts';
import type { Analysis, Article, EditorQuote, Quote } from '../article/model.ts';
import { findQuotes, selectKeyQuotes } from './quotes/index.ts';
import type { FoundQuote } from './quotes/index.ts';
import { splitSentences } from '../text/sentences.ts';
import { bodyStartOf, summarize } from './summary.ts';

interface Options {
  /** Offset where the body starts; everything before it is the headline. */
  readonly bodyStart: number;
  readonly editorSummary?: readonly string[] | undefined;
  readonly editorQuotes?: readonly EditorQuote[] | undefined;
}

/** An Analysis whose quotes keep their kind (speech or scare quote), for callers that need it. */
export interface TextAnalysis extends Analysis {
  readonly quotes: FoundQuote[];
}

function analyzeWith(text: string, opts: Options): TextAnalysis {
  const quotes = findQuotes(text);
  const keyQuotes = opts.editorQuotes?.length ? opts.editorQuotes.map((q) => locateEditorQuote(text, q)) : selectKeyQuotes(text, quotes);
  const summary = opts.editorSummary?.length
    ? [...opts.editorSummary]
    : summarize({
        text,
        sentences: splitSentences(text),
        bodyStart: opts.bodyStart,
        exclude: keyQuotes.filter((q) => q.start >= 0),
      });
  return { summary, quotes, keyQuotes };
}

const fold = (s: string): string => s.replace(/[“”]/g, '"').replace(/[‘’]/g, "'");

/**
 * An editor's key quote as a Quote: located in the article text when it appears there (so the
 * summary can avoid its sentence), otherwise with start = end = -1.
 */
function locateEditorQuote(text: string, q: EditorQuote): Quote {
  const words = fold(q.text.trim()).replace(/^["']+|["']+$/g, '');
  const at = words ? fold(text).indexOf(words) : -1;
  const speaker = q.speaker ? { name: q.speaker, ...(q.role !== undefined && { role: q.role }) } : null;
  return at >= 0 ? { text: text.slice(at, at + words.length), start: at, end: at + words.length, speaker } : { text: q.text, start: -1, end: -1, speaker };
}

/** Analyse a parsed article; editor-supplied summary and key quotes override the automatic ones. */
export function analyze(article: Article): TextAnalysis {
  const text = articleText(article);
  return analyzeWith(text, {
    bodyStart: article.title.length + 2,
    editorSummary: article.summary,
    editorQuotes: article.quotes,
  });
}

/** Analyse raw text (headline line optional, blank-line paragraphs); offsets point into `text` itself. */
export function analyzeText(text: string): TextAnalysis {
  return analyzeWith(text, { bodyStart: bodyStartOf(text) });
}
