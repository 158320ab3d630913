/**
 * `extractArticle(html, {url})`: a web page to the article model's fields. Pure (no I/O): the
 * ingest handler, the CLI and the feed poller share it.
 *
 * 1. Read what the page says about itself: JSON-LD, Open Graph, meta tags, canonical link.
 * 2. Remove page furniture by general rules: captions, share bars, related lists, newsletter boxes,
 *    navigation, hidden text, other stories' teasers (boilerplate.ts).
 * 3. Find the body with Mozilla's Readability (Firefox Reader View) over linkedom.
 * 4. Split it into paragraphs at block boundaries and drop the furniture left inside it.
 * 5. Reconcile with JSON-LD `articleBody` where the page has one (structured.ts).
 */
import { Readability } from '@mozilla/readability';
import { parseDate } from '../dateline.ts';
import { ArticleParseError } from '../errors.ts';
import type { Article } from '../model.ts';
import { blocksOf } from './blocks.ts';
import { articleBlocks, removeBoilerplate } from './boilerplate.ts';
import { parseDocument, type DomDocument, type DomElement } from './dom.ts';
import { readMetadata, type PageMetadata } from './metadata.ts';
import { reconcile } from './structured.ts';

export interface ExtractOptions {
  /** Where the page came from (its fetch URL): resolves a relative canonical link, and is the fallback `url`. */
  readonly url?: string;
  /** Names the page in errors (a file path or object key); defaults to `url`, then "page". */
  readonly origin?: string;
}

/** The article model's fields a page yields; `parseHtmlArticle` adds `format` and `origin`. */
export type ExtractedArticle = Pick<Article, 'title' | 'publishedAt' | 'dateProblem' | 'author' | 'source' | 'url' | 'paragraphs'> & {
  /** The page's own summary (og:description), for callers that want a teaser; never the automatic summary. */
  readonly description?: string;
};

/** Fewer words than this after extraction is a page without an article (an index, an error page). */
export const MIN_ARTICLE_WORDS = 25;

type ReadabilityDocument = ConstructorParameters<typeof Readability>[0];

interface Body {
  readonly paragraphs: string[];
  readonly title?: string;
}

function readBody(doc: DomDocument, metadata: PageMetadata): Body {
  removeBoilerplate(doc);
  const result = new Readability<DomElement>(doc as unknown as ReadabilityDocument, {
    keepClasses: true,
    serializer: (el) => el as unknown as DomElement,
  }).parse();
  const title = result?.title?.trim() || undefined;
  const blocks = result?.content ? blocksOf(result.content) : [];
  const paragraphs = reconcile(articleBlocks(blocks, metadata.headline ?? title), metadata.articleBody);
  return { paragraphs, ...(title !== undefined && { title }) };
}

/** A date as pages write it: ISO 8601, news-style, or RFC 2822 with an explicit zone (`Tue, 19 Nov 2019 10:00:00 +0000`). */
function dateFields(raw: string | undefined): Pick<Article, 'publishedAt' | 'dateProblem'> {
  if (!raw) return { publishedAt: null, dateProblem: 'the page gives no publication date' };
  const r = parseDate(raw.replace(/^[a-z]{3,9}\.?,\s*/i, ''));
  if ('iso' in r) return { publishedAt: r.iso };
  // A time with an explicit zone is unambiguous whatever its spelling; without one it would depend on this machine's zone.
  if (/(?:\bGMT|\bUTC|Z|[+-]\d{2}:?\d{2})\s*$/.test(raw.trim())) {
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) return { publishedAt: new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00') };
  }
  return { publishedAt: null, dateProblem: r.problem };
}

const wordCount = (paragraphs: readonly string[]): number => paragraphs.reduce((n, p) => n + (p.match(/[\p{L}\p{N}]+/gu)?.length ?? 0), 0);

/**
 * Extract the article from a page's HTML. Throws ArticleParseError (naming `origin`) when the page
 * has no headline or no article text.
 */
export function extractArticle(html: string, options: ExtractOptions = {}): ExtractedArticle {
  const origin = options.origin ?? options.url ?? 'page';
  const doc = parseDocument(html);
  const metadata = readMetadata(doc, options.url);
  const h1 = doc.querySelector('h1')?.textContent?.replace(/\s+/g, ' ').trim() || undefined;
  const body = readBody(doc, metadata);
  const title = metadata.headline ?? h1 ?? body.title;
  if (!title) throw new ArticleParseError(origin, 'no headline (no JSON-LD headline, og:title, <h1> or <title>)');
  if (title.length > 300) throw new ArticleParseError(origin, `no headline (the page's title is ${title.length} characters, a paragraph rather than a headline)`);
  const words = wordCount(body.paragraphs);
  if (words < MIN_ARTICLE_WORDS) {
    throw new ArticleParseError(origin, words === 0 ? 'no article text found in the page' : `no article found (only ${words} words of text outside the page furniture)`);
  }
  const url = metadata.canonicalUrl ?? options.url;
  return {
    title,
    ...dateFields(metadata.published),
    paragraphs: body.paragraphs,
    ...(metadata.author !== undefined && { author: metadata.author }),
    ...(metadata.siteName !== undefined && { source: metadata.siteName }),
    ...(url !== undefined && { url }),
    ...(metadata.description !== undefined && { description: metadata.description }),
  };
}
