/**
 * Cross-checks between the extracted body and the page's JSON-LD `articleBody`, the publisher's
 * own statement of the article text. It is preferred where it proves complete, but it is often
 * truncated to a teaser, stripped of paragraph breaks, or padded, so it is compared with the body
 * first, by shared word 4-grams.
 */
import type { Block } from './blocks.ts';

const tokens = (s: string): string[] => s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

function shingles(words: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 3 < words.length; i++) out.add(`${words[i]} ${words[i + 1]} ${words[i + 2]} ${words[i + 3]}`);
  return out;
}

/** The share of `text`'s word 4-grams found in `reference` (1 for texts under four words). */
function coveredBy(text: string, reference: ReadonlySet<string>): number {
  const own = shingles(tokens(text));
  if (own.size === 0) return 1;
  let hit = 0;
  for (const s of own) if (reference.has(s)) hit++;
  return hit / own.size;
}

/** articleBody as paragraphs: its own line breaks when it has them. */
export function structuredParagraphs(articleBody: string): string[] {
  return articleBody.split(/\n+/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/**
 * Reconcile the extracted blocks with articleBody:
 * - when articleBody holds (nearly) all of the extracted text, blocks of five words or more that it
 *   lacks are captions, promos or teasers the page put inside the story: they go;
 * - when the extraction found little and articleBody much more of the same story, the extraction
 *   caught a fragment (or nothing), and articleBody's paragraphs are the body.
 * Otherwise (a teaser, a different text) the extraction stands.
 */
export function reconcile(blocks: readonly Block[], articleBody: string | undefined): string[] {
  const extracted = blocks.map((b) => b.text);
  if (!articleBody) return extracted;
  const ldWords = tokens(articleBody);
  const ld = shingles(ldWords);
  if (ld.size < 20) return extracted;
  const all = extracted.join('\n');
  const allWords = tokens(all).length;
  const covered = coveredBy(all, ld);
  if (allWords < 50 || (ldWords.length > 2 * allWords && covered > 0.8)) return structuredParagraphs(articleBody);
  if (covered < 0.8) return extracted;
  return extracted.filter((t) => tokens(t).length < 5 || coveredBy(t, ld) >= 0.2);
}
