/**
 * The article model and the brief derived from it. Everything downstream (email, delivery) speaks
 * these types; the parsers in this folder produce `Article`, `analyze()` produces `Analysis`.
 */

/** A speaker as the article names them: full name, and a role when the text gives one. */
export interface Speaker {
  readonly name: string;
  readonly role?: string;
  /**
   * How sure the automatic attribution is that this is who said the words, in [0, 1]; absent for
   * an editor's attribution. Speakers below 0.5 are never named, and key quotes need 0.75.
   */
  readonly confidence?: number;
}

/**
 * A direct quotation. `start`/`end` are JavaScript string offsets into `articleText(article)`
 * (end exclusive) and cover the quoted words, without the quotation marks.
 */
export interface Quote {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly speaker: Speaker | null;
}

/** An editor-supplied key quote (JSON or front matter), which overrides the automatic choice. */
export interface EditorQuote {
  readonly text: string;
  readonly speaker: string | null;
  readonly role?: string;
}

/** What `analyze()` returns for one article. */
export interface Analysis {
  /** At most 3 sentences, in article order. */
  readonly summary: string[];
  /** Every direct quotation found, in text order. */
  readonly quotes: Quote[];
  /** The 1–3 most newsworthy attributed quotes, ranked. */
  readonly keyQuotes: Quote[];
}

export type ArticleFormat = 'text' | 'markdown' | 'json' | 'html';

export interface Article {
  readonly title: string;
  /** ISO 8601 with offset (2018-09-11T14:06:00+05:30), or null when the source gave no usable date. */
  readonly publishedAt: string | null;
  /** Why `publishedAt` is null, when the source had a date we could not read. */
  readonly dateProblem?: string;
  /** The source's name: the publication or site. */
  readonly source?: string;
  /** The byline, as the source gives it ("Ann Lee, Bo Chen"); HTML pages carry one. */
  readonly author?: string;
  readonly url?: string;
  /** Topics from the article's own metadata (front matter or JSON); keyword rules may add more at ingest. */
  readonly topics?: string[];
  readonly paragraphs: string[];
  /** Editor-supplied summary sentences; when present they replace the automatic summary. */
  readonly summary?: string[];
  /** Editor-supplied key quotes; when present they replace the automatic key quotes. */
  readonly quotes?: EditorQuote[];
  /** Where the article came from (file path or object key), for error messages and logs. */
  readonly origin?: string;
  readonly format?: ArticleFormat;
}

/** The text that quote offsets point into: the headline line, then the paragraphs, blank-line separated. */
export function articleText(article: Pick<Article, 'title' | 'paragraphs'>): string {
  return [article.title, ...article.paragraphs].join('\n\n');
}

/**
 * A key quote as a brief carries it: a fragment ("further indication of the progress …") also
 * carries the article's words that introduce it, so the email can show it inside its sentence.
 */
export interface BriefQuote extends Quote {
  /** The sentence's words before the opening mark, when the quote is a fragment and they are short. */
  readonly leadIn?: string;
  /** True when the sentence ends at the closing mark (nothing but punctuation follows). */
  readonly sentenceEnds?: boolean;
}

/** An article together with its analysis: the unit the email templates render. */
export interface Brief {
  readonly title: string;
  readonly publishedAt: string | null;
  readonly source?: string;
  readonly url?: string;
  readonly topics: string[];
  readonly summary: string[];
  readonly keyQuotes: BriefQuote[];
}
