/**
 * The HTML input format: a saved or fetched web page, as bytes or text, to an Article. Checks what
 * the other formats check (size, binary, encoding, emptiness), decoding by the page's declared
 * charset (charset.ts), then extracts the article (extract.ts).
 */
import { ArticleParseError } from '../errors.ts';
import type { Article } from '../model.ts';
import { CharsetError, decodeHtml } from './charset.ts';
import { extractArticle } from './extract.ts';

/** Pages are larger than article files (inline scripts, styles, JSON state): 5 MB, the same cap as a fetch. */
export const MAX_HTML_BYTES = 5 * 1024 * 1024;

export interface HtmlParseOptions {
  /** Where the page was fetched from; resolves relative links and is the fallback URL. */
  readonly url?: string;
  /** The charset the transport declared (HTTP or S3 Content-Type), if any. */
  readonly charset?: string;
}

/** Something in the first 64 KB that only HTML has: a doctype or an html, head, body, meta, title or block tag. */
const HTML_MARKUP = /<(?:!doctype\s+html|html|head|body|meta|title|article|main|div|p|h1)\b/i;

/** Decode, check and extract one page. Throws ArticleParseError naming `origin` and the reason. */
export function parseHtmlArticle(content: string | Uint8Array, origin: string, options: HtmlParseOptions = {}): Article {
  const bytes = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
  if (bytes > MAX_HTML_BYTES) {
    throw new ArticleParseError(origin, `file is too large (${bytes} bytes; the limit for HTML pages is ${MAX_HTML_BYTES} bytes, 5 MB)`);
  }
  let html: string;
  if (typeof content === 'string') {
    html = content;
  } else {
    try {
      html = decodeHtml(content, options.charset).text;
    } catch (cause) {
      if (!(cause instanceof CharsetError)) throw cause;
      if (content.includes(0)) throw new ArticleParseError(origin, 'binary file (contains NUL bytes), not an HTML page', { cause });
      throw new ArticleParseError(origin, `the page ${cause.message}`, { cause });
    }
  }
  if (html.includes('\u0000')) throw new ArticleParseError(origin, 'binary file (contains NUL bytes), not an HTML page');
  if (html.trim() === '') throw new ArticleParseError(origin, 'file is empty');
  if (!HTML_MARKUP.test(html.slice(0, 65_536))) throw new ArticleParseError(origin, 'not an HTML page (no <html>, <head>, <body> or block tags in the first 64 KB)');
  const extracted = extractArticle(html, { origin, ...(options.url !== undefined && { url: options.url }) });
  const { description: _teaser, ...fields } = extracted;
  return { ...fields, format: 'html', origin };
}
