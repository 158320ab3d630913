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

/** The HTML extraction port: a page's HTML and its URL to article fields. Throws when the page has no article. */
export type PageExtractor = (html: string, options: { readonly url: string }) => ExtractedPage;

/** The page is not an HTML article (wrong media type, nothing extractable). */
export class PageExtractionError extends FetchError {
  override readonly name = 'PageExtractionError';
}

/** Stands in until an HTML extractor is wired: every page fails, so items wait for one (or use their summary). */
export const noPageExtractor: PageExtractor = () => {
  throw new Error('no HTML extractor is configured');
};

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)\b/i;

/** Fetch `url` and extract its article; FetchError (or PageExtractionError) names what failed. */
export async function fetchPage(fetcher: Fetcher, extract: PageExtractor, url: string): Promise<{ url: string; page: ExtractedPage }> {
  const result = await fetcher.fetch({ url, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1' });
  if (result.status !== 'ok') throw new PageExtractionError(url, 'unexpected 304 for an unconditional request');
  if (result.contentType !== undefined && !HTML_TYPES.test(result.contentType)) {
    throw new PageExtractionError(result.url, `not an HTML page (${result.contentType.split(';')[0]})`);
  }
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(result.contentType ?? '')?.[1] ?? 'utf-8';
  let html: string;
  try {
    html = new TextDecoder(charset.toLowerCase()).decode(result.body);
  } catch {
    html = new TextDecoder('utf-8').decode(result.body);
  }
  let page: ExtractedPage;
  try {
    page = extract(html, { url: result.url });
  } catch (error) {
    throw new PageExtractionError(result.url, `no article found on the page (${(error as Error)?.message ?? String(error)})`, { cause: error });
  }
  if (page.paragraphs.length === 0) throw new PageExtractionError(result.url, 'no article text found on the page');
  return { url: result.url, page };
}
