/**
 * Who "I" is outside quotes: the article's author, when the text names one. Three places name an
 * author: a byline near the top ("By Ana Ruiz"), a closing note ("Ana Ruiz is a reporter at …"),
 * and on a letters page the signature paragraph after each letter ("Chris Smith."). A piece whose
 * author is not named gets no name for "I".
 */
import type { Doc } from './document.ts';

export interface Author {
  readonly name: string;
  readonly confidence: number;
  readonly how: string;
}

const NAME = String.raw`\p{Lu}[\p{L}.'’-]*(?: (?:\p{Lu}[\p{L}.'’-]*|de|van|von|al|bin))*`;
const BYLINE = new RegExp(String.raw`^By (${NAME})\s*$`, 'u');
const SIGNATURE = new RegExp(String.raw`^(${NAME})\.?$`, 'u');
const CLOSING_NOTE = new RegExp(String.raw`^(${NAME}) (?:is|was|writes|teaches|works|serves)\b`, 'u');

/** The article's author(s), by paragraph. */
export class Authors {
  private readonly byline: Author | null;
  /** Signature paragraphs (letters pages): paragraph index → name. */
  private readonly signatures: { para: number; name: string }[] = [];

  constructor(doc: Doc) {
    const paras = doc.paras.map((p) => doc.text.slice(p.start, p.end).trim());
    let byline: Author | null = null;
    for (let i = 1; i < Math.min(4, paras.length); i++) {
      const m = BYLINE.exec(paras[i] as string);
      if (m && words(m[1] as string) >= 2) byline = { name: m[1] as string, confidence: 0.85, how: 'byline' };
    }
    const last = paras[paras.length - 1];
    const note = last ? CLOSING_NOTE.exec(last) : null;
    if (!byline && note && words(note[1] as string) >= 2 && words(note[1] as string) <= 4) byline = { name: note[1] as string, confidence: 0.8, how: 'closing note' };
    this.byline = byline;
    paras.forEach((p, i) => {
      const m = i > 0 ? SIGNATURE.exec(p) : null;
      if (m && words(m[1] as string) >= 2 && words(m[1] as string) <= 4 && p.length <= 60) this.signatures.push({ para: i, name: (m[1] as string).replace(/\.$/, '') });
    });
  }

  /** The author of paragraph `para`: the signature that closes it (letters), else the byline or closing note. */
  authorAt(para: number): Author | null {
    if (this.signatures.length >= 2 || (this.signatures.length === 1 && !this.byline)) {
      const sig = this.signatures.find((s) => s.para > para);
      // The letter runs on to its signature: no other signature in between.
      if (sig && sig.para - para <= 8) return { name: sig.name, confidence: 0.8, how: 'signature' };
    }
    return this.byline;
  }
}

function words(s: string): number {
  return s.split(' ').length;
}
