/**
 * An extracted content element to paragraphs: each block element (p, li, h2, blockquote, td row,
 * <br>) ends a paragraph, inline text is joined with its spacing collapsed, so words from adjacent
 * blocks never run together ("433If") and the article keeps its paragraph breaks.
 */
import { isElement, TEXT_NODE, type DomElement, type DomNode } from './dom.ts';

/** Elements whose boundaries end a paragraph. */
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'center', 'dd', 'details', 'dialog', 'dir', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr',
  'li', 'main', 'menu', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'thead', 'tfoot', 'tr', 'ul',
  'br', 'caption', 'html',
]);

/** Never text: scripts, styles, embedded media and form controls. */
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'embed', 'video', 'audio', 'canvas', 'select', 'option', 'button', 'input', 'textarea', 'head', 'title', 'meta', 'link']);

/** A paragraph with the element it came from, so later filters can look at its markup. */
export interface Block {
  readonly text: string;
  /** The nearest block element holding the text. */
  readonly element: DomElement;
  /** Characters of the text that sit inside links. */
  readonly linkChars: number;
}

/** Collapse whitespace, including no-break and zero-width spaces. */
export function normalizeSpace(s: string): string {
  return s.replace(/\u200b|\u200c|\u200d|\u2060|\ufeff/g, '').replace(/[\s\u00a0]+/g, ' ').trim();
}

/** The blocks of an element, in document order. */
export function blocksOf(root: DomElement): Block[] {
  const out: Block[] = [];
  let buf = '';
  let links = 0;
  let owner: DomElement = root;
  const flush = (): void => {
    const text = normalizeSpace(buf);
    if (text) out.push({ text, element: owner, linkChars: Math.min(links, text.length) });
    buf = '';
    links = 0;
  };
  const walk = (node: DomNode, inLink: boolean): void => {
    if (node.nodeType === TEXT_NODE) {
      const t = node.textContent ?? '';
      buf += t;
      if (inLink) links += normalizeSpace(t).length;
      return;
    }
    if (!isElement(node)) return;
    const tag = node.localName;
    if (SKIP.has(tag)) return;
    const block = BLOCK.has(tag);
    if (block) {
      flush();
      if (tag === 'br' || tag === 'hr') return;
      owner = node;
    } else if (tag === 'td' || tag === 'th') {
      buf += ' ';
    }
    const link = inLink || tag === 'a';
    const kids = node.childNodes;
    for (let i = 0; i < kids.length; i++) walk(kids[i] as DomNode, link);
    if (block) {
      flush();
      owner = (node.parentNode as DomElement | null) ?? root;
    } else if (tag === 'td' || tag === 'th') {
      buf += ' ';
    }
  };
  walk(root, false);
  flush();
  return out;
}
