import { charsetOfContentType } from '../article/html/charset.ts';
import { parseHtmlArticle } from '../article/html/parse.ts';
import { FetchError } from './errors.ts';
import type { Fetcher } from './fetch.ts';

/**
 * Pages linked from feed items, and URLs a CMS sends: fetched under the fetch policy, then turned
 * into article fields by the HTML extractor behind the PageExtractor port (the article parsers'
 * HTML reader, lambda/shared/article/html).
 */

/** What the extractor finds on a page. */
export interface ExtractedPage {
  readonly title?: string | undefined;
  /** ISO 8601, or null/undefined when the page gives no date. */
  readonly publishedAt?: string | null | undefined;
  readonly paragraphs: readonly string[];
  /** `<link rel=canonical>` / og:url, absolute. */
  readonly canonicalUrl?: string | undefined;
  readonly siteName?: string | undefined;
}

/** A fetched page as the extractor gets it: raw bytes (it decodes by the declared charset), its final URL and Content-Type. */
export interface FetchedPage {
  readonly body: Uint8Array;
  readonly url: string;
  readonly contentType?: string | undefined;
}

/** The HTML extraction port: a fetched page to article fields. Throws when the page has no article. */
export type PageExtractor = (page: FetchedPage) => ExtractedPage;

/** The page is not an HTML article (wrong media type, nothing extractable). */
export class PageExtractionError extends FetchError {
  override readonly name = 'PageExtractionError';
}

/** The article parsers' HTML reader (lambda/shared/article/html): decoded by the declared charset, extracted with Readability. */
export const htmlPageExtractor: PageExtractor = (page) => {
  const charset = charsetOfContentType(page.contentType);
  const article = parseHtmlArticle(page.body, page.url, { url: page.url, ...(charset !== undefined && { charset }) });
  return {
    title: article.title,
    publishedAt: article.publishedAt,
    paragraphs: article.paragraphs,
    canonicalUrl: article.url,
    siteName: article.source,
  };
};

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)\b/i;

/** Fetch `url` and extract its article; FetchError (or PageExtractionError) names what failed. */
export async function fetchPage(fetcher: Fetcher, extract: PageExtractor, url: string): Promise<{ url: string; page: ExtractedPage }> {
  const result = await fetcher.fetch({ url, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1' });
  if (result.status !== 'ok') throw new PageExtractionError(url, 'unexpected 304 for an unconditional request');
  if (result.contentType !== undefined && !HTML_TYPES.test(result.contentType)) {
    throw new PageExtractionError(result.url, `not an HTML page (${result.contentType.split(';')[0]})`);
  }
  let page: ExtractedPage;
  try {
    page = extract({ body: result.body, url: result.url, contentType: result.contentType });
  } catch (error) {
    throw new PageExtractionError(result.url, `no article found on the page (${(error as Error)?.message ?? String(error)})`, { cause: error });
  }
  if (page.paragraphs.length === 0) throw new PageExtractionError(result.url, 'no article text found on the page');
  return { url: result.url, page };
}
