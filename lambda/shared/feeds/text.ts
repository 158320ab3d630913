import { convert, type HtmlToTextOptions } from 'html-to-text';

/**
 * Feed content to article text. A feed item's content is an HTML fragment the publisher chose to
 * syndicate (content:encoded, Atom content, JSON Feed content_html), not a whole page, so it needs
 * no boilerplate removal, only HTML to paragraphs: html-to-text does the parsing and entity
 * decoding; figures, images, sub-headings, scripts and embedded media are dropped, links keep their text.
 */

const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  preserveNewlines: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'figure', format: 'skip' },
    { selector: 'figcaption', format: 'skip' },
    { selector: 'picture', format: 'skip' },
    { selector: 'video', format: 'skip' },
    { selector: 'audio', format: 'skip' },
    { selector: 'iframe', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'noscript', format: 'skip' },
    { selector: 'table', format: 'block' },
    { selector: 'blockquote', format: 'block' },
    { selector: 'ul', format: 'block' },
    { selector: 'ol', format: 'block' },
    { selector: 'li', format: 'block' },
    // Sub-headings are not prose (the Markdown parser drops them too).
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => ({ selector: h, format: 'skip' })),
  ],
};

/** An HTML fragment's text as paragraphs (blocks), whitespace folded; empty blocks dropped. */
export function htmlToParagraphs(html: string): string[] {
  return convert(html, OPTIONS)
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p !== '');
}

/** Plain text of a short field (a title that may carry markup or entities), on one line. */
export function plainText(value: string): string {
  const text = /[<&]/.test(value) ? htmlToParagraphs(value).join(' ') : value;
  return text.replace(/\s+/g, ' ').trim();
}

/** Plain-text content (JSON Feed content_text) as paragraphs: blank lines separate them. */
export function textToParagraphs(text: string): string[] {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p !== '');
}
