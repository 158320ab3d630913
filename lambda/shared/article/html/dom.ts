/**
 * The few DOM shapes the extractor uses, typed narrowly: the project compiles without the DOM lib,
 * and linkedom's own typings lean on it. `parseDocument` is the one place linkedom is called.
 */
import { DOMParser } from 'linkedom';

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;

export interface DomNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly parentNode: DomElement | null;
  readonly childNodes: ArrayLike<DomNode>;
  readonly nextSibling: DomNode | null;
  readonly previousSibling: DomNode | null;
  readonly textContent: string | null;
  remove(): void;
}

export interface DomElement extends DomNode {
  /** Lower case (`p`, `div`). */
  readonly localName: string;
  readonly children: ArrayLike<DomElement>;
  readonly className: string;
  readonly id: string;
  readonly ownerDocument: DomDocument;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  setAttribute(name: string, value: string): void;
  querySelectorAll(selectors: string): ArrayLike<DomElement>;
  querySelector(selectors: string): DomElement | null;
  getElementsByTagName(name: string): ArrayLike<DomElement>;
  replaceWith(...nodes: DomNode[]): void;
  append(...nodes: (DomNode | string)[]): void;
}

export interface DomDocument {
  readonly documentElement: DomElement | null;
  readonly body: DomElement | null;
  readonly head: DomElement | null;
  readonly title: string;
  querySelectorAll(selectors: string): ArrayLike<DomElement>;
  querySelector(selectors: string): DomElement | null;
  getElementsByTagName(name: string): ArrayLike<DomElement>;
  createElement(name: string): DomElement;
  createTextNode(text: string): DomNode;
}

export function isElement(node: DomNode): node is DomElement {
  return node.nodeType === ELEMENT_NODE;
}

/** Parse an HTML page into a document (linkedom: a fast, spec-leaning DOM without layout). */
export function parseDocument(html: string): DomDocument {
  return new DOMParser().parseFromString(html, 'text/html') as unknown as DomDocument;
}

/** Elements of a live or static list, as an array (safe to mutate the tree while iterating). */
export function elements(list: ArrayLike<DomElement>): DomElement[] {
  return Array.from(list);
}
