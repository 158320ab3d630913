/**
 * Page furniture, by general rules (never by site): what is removed from the page before
 * Readability looks for the body, and which blocks of the body are dropped after it.
 *
 * Before: navigation, dialogs, captions, hidden and screen-reader-only text, and elements whose
 * class or id names them as furniture (share bars, related lists, newsletter boxes, ads, bylines,
 * comments…). A class name can mislead (`<div class="post share-enabled">` wraps the whole story),
 * so a named element goes only when it is small or mostly links, and never when it holds most of
 * the page's paragraph text.
 *
 * After: boilerplate phrases ("Related: …", "Sign up for our newsletter"), runs of short link-only
 * blocks (a "related" list), and short non-sentences at either end of the body (kickers, dates,
 * "Tell us what you think").
 */
import { elements, type DomDocument, type DomElement } from './dom.ts';
import type { Block } from './blocks.ts';

/** Class or id words that name furniture. Matched against whole words of the name (`related-posts`, `shareBar`). */
const FURNITURE_WORDS = new Set([
  'share', 'shares', 'sharing', 'sharebar', 'sharetools', 'sharedaddy', 'addthis', 'addtoany', 'social', 'socials',
  'related', 'relatedposts', 'recommended', 'recommendations', 'recirc', 'recirculation', 'outbrain', 'taboola', 'trending',
  'newsletter', 'newsletters', 'subscribe', 'subscription', 'signup', 'optin', 'promo', 'promos', 'promotion', 'cta',
  'ad', 'ads', 'advert', 'adverts', 'advertisement', 'advertising', 'adsbygoogle', 'adslot', 'sponsored', 'sponsor',
  'caption', 'captions', 'credit', 'credits', 'breadcrumb', 'breadcrumbs', 'byline', 'bio', 'author', 'authors', 'tags', 'tagcloud',
  'comment', 'comments', 'disqus', 'sidebar', 'widget', 'widgets', 'footer', 'masthead', 'toolbar',
  'cookie', 'cookies', 'consent', 'gdpr', 'modal', 'popup', 'overlay', 'print', 'noscript', 'pagination', 'pager',
]);
/** Furniture named by two or more words (`read-more`, `most_popular`, `aboutTheAuthor`). */
const FURNITURE_PHRASES = /(?:^|-)(?:read-more|more-stories|more-from|also-read|see-also|you-may-like|you-might-like|most-read|most-popular|author-bio|about-the-author|author-info|sign-up|mailing-list|jump-link|skip-link|sr-only|screen-reader|visually-hidden|off-screen|article-meta|post-meta|entry-meta)(?:-|$)/;

/** The words of an element's class and id, lower case: `relatedPosts story-share` → related, posts, story, share. */
function nameWords(el: DomElement): string[] {
  const raw = `${typeof el.className === 'string' ? el.className : ''} ${el.id ?? ''}`;
  return raw.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

/** Whether an element's class or id names it as furniture. */
export function namedAsFurniture(el: DomElement): boolean {
  const words = nameWords(el);
  if (words.some((w) => FURNITURE_WORDS.has(w))) return true;
  return FURNITURE_PHRASES.test(words.join('-'));
}

/** Elements that are never article text. */
const FURNITURE_SELECTOR = [
  'nav', 'dialog', 'figcaption', 'form', 'button', 'select', 'textarea', 'template',
  '[role="navigation"]', '[role="dialog"]', '[role="alertdialog"]', '[role="search"]', '[role="menu"]', '[role="menubar"]',
  '[hidden]', '[aria-hidden="true"]',
].join(',');

/** Elements a class name never removes: the page and its main landmarks (WordPress puts `tag-…`/`category-…` on `<article>`). */
const LANDMARK = new Set(['html', 'body', 'main', 'article']);

const words = (s: string | null): number => (s ?? '').match(/[\p{L}\p{N}]+/gu)?.length ?? 0;

function linkDensity(el: DomElement): number {
  const total = (el.textContent ?? '').replace(/\s+/g, '').length;
  if (total === 0) return 0;
  let inLinks = 0;
  for (const a of elements(el.getElementsByTagName('a'))) inLinks += (a.textContent ?? '').replace(/\s+/g, '').length;
  return Math.min(1, inLinks / total);
}

function paragraphChars(el: DomElement): number {
  let n = 0;
  for (const p of elements(el.getElementsByTagName('p'))) n += (p.textContent ?? '').length;
  return n;
}

const HIDDEN_STYLE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important)?\s*(?:;|$)/i;

function contains(outer: DomElement, inner: DomElement): boolean {
  for (let n: DomElement | null = inner; n; n = n.parentNode) if (n === outer) return true;
  return false;
}

/**
 * Teasers of other stories (cards in a rail, "up next", comments) are often `<article>` elements
 * too. When one `<article>` holds most of the page's paragraph text, the others, outside it and
 * much smaller, are removed.
 */
function removeOtherArticles(root: DomElement): void {
  const articles = elements(root.getElementsByTagName('article'));
  if (articles.length < 2) return;
  const sized = articles.map((el) => ({ el, chars: paragraphChars(el) })).sort((a, b) => b.chars - a.chars);
  const main = sized[0] as { el: DomElement; chars: number };
  for (const { el, chars } of sized.slice(1)) {
    if (chars < main.chars * 0.3 && !contains(el, main.el) && !contains(main.el, el)) el.remove();
  }
}

/** Remove page furniture from the document in place, before the body is looked for. */
export function removeBoilerplate(doc: DomDocument): void {
  const root = doc.body ?? doc.documentElement;
  if (!root) return;
  const total = paragraphChars(root);
  // An element holding most of the page's paragraphs is the story, whatever its name says.
  const holdsStory = (el: DomElement): boolean => total > 0 && paragraphChars(el) > total * 0.4;
  for (const el of elements(root.querySelectorAll(FURNITURE_SELECTOR))) {
    if (el.parentNode && !holdsStory(el)) el.remove();
  }
  for (const el of elements(root.querySelectorAll('[style]'))) {
    if (el.parentNode && HIDDEN_STYLE.test(el.getAttribute('style') ?? '') && !holdsStory(el)) el.remove();
  }
  removeOtherArticles(root);
  for (const el of elements(root.querySelectorAll('[class],[id]'))) {
    if (!el.parentNode || LANDMARK.has(el.localName) || !namedAsFurniture(el)) continue;
    const n = words(el.textContent);
    if ((n <= 150 || linkDensity(el) >= 0.5) && !holdsStory(el)) el.remove();
  }
}

// ---------- blocks of the extracted body ----------

/** Short lines that are site furniture wherever they appear. */
const BOILERPLATE_LINE = new RegExp(
  [
    '^(?:advertisement|advert|ad|sponsored(?: content)?|story continues below(?: advertisement)?|continue reading(?: below)?)$',
    '^(?:related|recommended|more|read more|read also|also read|see also|watch|listen|more on this|trending|popular)(?: [\\w-]+){0,2}\\s*[:|–—-]',
    '^(?:you (?:may|might|will|\'ll)|we think you\'?ll) (?:also )?(?:like|love|enjoy|be interested)',
    '^(?:\\(?(?:reporting|writing|editing|additional reporting|compiled|translated) by\\b)',
    '^(?:image|photo|picture|photograph|video|graphic)(?: credit| caption| copyright)?\\s*[:|]',
    '^(?:image|photo) (?:copyright|caption|credit)\\b',
    '^(?:tap here|sign up|subscribe|follow (?:us|@)|share (?:this|on)|like us on|join (?:us|our))\\b',
    '^follow\\b[^.]{0,60}\\b(?:on|at) (?:twitter|facebook|instagram|youtube|linkedin|tiktok|threads)\\b',
    '^(?:posted|updated|published|last updated|first published)\\s*:?\\s*(?:on\\s+)?[^.]{0,40}\\d',
    '\\b(?:sign up for|subscribe to) (?:our|the) [\\w\\s]*newsletters?\\b',
    '^this (?:slideshow|video|content|feature) requires javascript',
    '\\bclick here\\b',
    '^(?:like|enjoyed|enjoy) this (?:story|article|post)\\b',
    '\\bshare (?:it|this(?: story| article| post)?) with (?:a|your) friends?\\b',
  ].join('|'),
  'i',
);

const HEADING = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const DATE_LINE = /^(?:(?:published|updated|posted|last updated|modified)\b[\s:]*)?(?:on\s+)?(?:\w+day,?\s+)?(?:\d{1,2}\s+\w+\.?\s+\d{4}|\w+\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})\b.{0,30}$/i;
const BYLINE = /^(?:by|written by|words by|reporting by)\s+\p{Lu}[^.!?]{0,60}$/iu;

/** A block that is not article text when it closes the body: a heading with nothing under it, a link, a lone word. */
function weakEnd(b: Block): boolean {
  return (linkRatio(b) >= 0.5 && words(b.text) <= 30) || HEADING.has(b.element.localName) || words(b.text) <= 1;
}

/** A block that is not article text when it opens the body: as at the end, or a kicker, a date, a byline. */
function weakStart(b: Block): boolean {
  return weakEnd(b) || words(b.text) <= 3 || DATE_LINE.test(b.text) || BYLINE.test(b.text);
}

/** A short heading for other stories: "More great stories", "Related articles", "Most read". */
const MORE_STORIES = /^(?:related|recommended|read next|up next|further reading|see also|also on|more from|more in|more on|most popular|most read|trending|popular)\b|\b(?:stories|articles|reads|posts|headlines|coverage|reading|links|videos)\s*:?$/i;

function linkRatio(b: Block): number {
  return b.text.length ? b.linkChars / b.text.length : 0;
}

/** Short and mostly links: a list item of a "related" list, a tag, a breadcrumb. */
function linkItem(b: Block): boolean {
  return linkRatio(b) >= 0.7 && words(b.text) <= 15;
}

/** Which blocks of an extracted body are article text. */
export function articleBlocks(blocks: readonly Block[], headline?: string): Block[] {
  const keep = blocks.map((b) => words(b.text) > 40 || !BOILERPLATE_LINE.test(b.text));
  // Runs of link items: three or more in a row, or two list items.
  for (let i = 0; i < blocks.length; ) {
    let j = i;
    while (j < blocks.length && linkItem(blocks[j] as Block)) j++;
    const run = j - i;
    if (run >= 3 || (run === 2 && blocks.slice(i, j).every((b) => b.element.localName === 'li'))) for (let k = i; k < j; k++) keep[k] = false;
    i = Math.max(j, i + 1);
  }
  // A heading that announces other stories, with the list that follows it.
  blocks.forEach((b, i) => {
    if (!MORE_STORIES.test(b.text) || words(b.text) > 8 || /[.!?]$/.test(b.text)) return;
    const list = blocks[i + 1]?.element.parentNode;
    if (blocks[i + 1]?.element.localName !== 'li' || !list) return;
    keep[i] = false;
    for (let k = i + 1; k < blocks.length && blocks[k]?.element.localName === 'li' && blocks[k]?.element.parentNode === list; k++) keep[k] = false;
  });
  // The headline again; then weak blocks at either end (kickers, dates, bylines, "Comments").
  const norm = (t: string): string => t.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  const title = headline ? norm(headline) : undefined;
  blocks.forEach((b, i) => {
    if (title && norm(b.text) === title) keep[i] = false;
  });
  for (let i = 0; i < blocks.length && (!keep[i] || weakStart(blocks[i] as Block)); i++) keep[i] = false;
  for (let i = blocks.length - 1; i >= 0 && (!keep[i] || weakEnd(blocks[i] as Block)); i--) keep[i] = false;
  return blocks.filter((_, i) => keep[i]);
}
