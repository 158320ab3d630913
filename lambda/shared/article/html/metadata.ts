/**
 * What a page says about itself, before any body extraction: schema.org JSON-LD (the article node
 * with its headline, datePublished, author, publisher and articleBody), Open Graph and `article:`
 * meta tags, other common meta names, and `<link rel=canonical>`. Structured data is preferred where
 * the page has it; each field falls back independently.
 */
import { elements, type DomDocument } from './dom.ts';

export interface PageMetadata {
  readonly headline?: string;
  /** The date as the page wrote it (normalised later by the article's date rules). */
  readonly published?: string;
  readonly author?: string;
  readonly siteName?: string;
  /** Absolute http(s) URL: canonical link, then og:url, then JSON-LD url. */
  readonly canonicalUrl?: string;
  readonly description?: string;
  /** JSON-LD `articleBody`, as plain text, when the page carries one. */
  readonly articleBody?: string;
  readonly lang?: string;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** schema.org Article and its subtypes (NewsArticle, ReportageNewsArticle, BlogPosting, LiveBlogPosting, …). */
const ARTICLE_TYPE = /(?:^|[/:])(?:\w*Article|BlogPosting|LiveBlogPosting|SocialMediaPosting|DiscussionForumPosting|Report)$/;

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function typesOf(node: JsonObject): string[] {
  const t = node['@type'];
  return (Array.isArray(t) ? t : [t]).filter((x): x is string => typeof x === 'string');
}

/** Every object in a JSON-LD value: top-level arrays, `@graph`, and nested `mainEntity` nodes. */
function collect(value: Json | undefined, out: JsonObject[], depth = 0): void {
  if (depth > 4 || value === undefined) return;
  if (Array.isArray(value)) {
    for (const v of value) collect(v, out, depth + 1);
    return;
  }
  if (!isObject(value)) return;
  out.push(value);
  collect(value['@graph'], out, depth + 1);
  collect(value['mainEntity'], out, depth + 1);
}

function parseJsonLd(text: string): Json | undefined {
  const body = text.replace(/^\s*(?:<!--|<!\[CDATA\[)/, '').replace(/(?:-->|\]\]>)\s*$/, '');
  try {
    return JSON.parse(body) as Json;
  } catch {
    // A common CMS fault: raw line breaks and tabs inside strings. Retry with them as spaces.
    try {
      // eslint-disable-next-line no-control-regex -- control characters are exactly what JSON forbids in strings
      return JSON.parse(body.replace(/[\u0000-\u001f]+/g, ' ')) as Json;
    } catch {
      return undefined;
    }
  }
}

const str = (v: Json | undefined): string | undefined => {
  if (typeof v === 'string') return v.trim() || undefined;
  if (Array.isArray(v)) return str(v[0]);
  return undefined;
};

function nameOf(v: Json | undefined): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (isObject(v)) {
    const name = str(v['name']) ?? [str(v['givenName']), str(v['familyName'])].filter(Boolean).join(' ');
    return name || undefined;
  }
  return undefined;
}

function authorsOf(v: Json | undefined): string | undefined {
  const list = (Array.isArray(v) ? v : [v]).map(nameOf).filter((n): n is string => n !== undefined && !/^https?:/i.test(n));
  return list.length ? [...new Set(list)].join(', ') : undefined;
}

/** Plain text from a string that may hold markup or character references (`&#8217;`, `<p>…</p>`). */
function plainText(doc: DomDocument, value: string): string {
  if (!/[<&]/.test(value)) return value;
  const el = doc.createElement('div');
  // Block tags become line breaks, so articleBody paragraphs survive.
  (el as unknown as { innerHTML: string }).innerHTML = value.replace(/<\/(?:p|div|h[1-6]|li|blockquote)>|<br\s*\/?>/gi, '$&\n\n');
  return el.textContent ?? '';
}

/** The page's article node: the one whose url matches the canonical URL, else the one with the longest body. */
function articleNode(doc: DomDocument, canonical: string | undefined): JsonObject | undefined {
  const nodes: JsonObject[] = [];
  for (const script of elements(doc.querySelectorAll('script'))) {
    if (!/^\s*application\/ld\+json\b/i.test(script.getAttribute('type') ?? '')) continue;
    collect(parseJsonLd(script.textContent ?? ''), nodes);
  }
  const articles = nodes.filter((n) => typesOf(n).some((t) => ARTICLE_TYPE.test(t)));
  if (articles.length <= 1) return articles[0];
  const urlOf = (n: JsonObject): string | undefined => str(n['url']) ?? (isObject(n['mainEntityOfPage']) ? str(n['mainEntityOfPage']['@id']) : str(n['mainEntityOfPage']));
  const same = canonical ? articles.find((n) => urlOf(n) === canonical) : undefined;
  if (same) return same;
  const bodyLength = (n: JsonObject): number => str(n['articleBody'])?.length ?? 0;
  return [...articles].sort((a, b) => bodyLength(b) - bodyLength(a) || Number(!!str(b['headline'])) - Number(!!str(a['headline'])))[0];
}

/** `<meta property|name|itemprop=KEY content>` values by lower-case key; the first occurrence wins. */
function metaTags(doc: DomDocument): Map<string, string> {
  const meta = new Map<string, string>();
  for (const el of elements(doc.querySelectorAll('meta[content]'))) {
    const content = (el.getAttribute('content') ?? '').trim();
    if (!content) continue;
    for (const attr of ['property', 'name', 'itemprop']) {
      const key = el.getAttribute(attr)?.trim().toLowerCase();
      if (key && !meta.has(key)) meta.set(key, content);
    }
  }
  return meta;
}

/** An absolute http(s) URL, resolved against `base`; undefined for anything else. */
export function absoluteUrl(href: string | undefined, base: string | undefined): string | undefined {
  if (!href) return undefined;
  try {
    const u = new URL(href.trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

const first = <T>(...values: (T | undefined)[]): T | undefined => values.find((v) => v !== undefined);

/** Read the page's own metadata. `pageUrl` (where it was fetched from) resolves relative links. */
export function readMetadata(doc: DomDocument, pageUrl?: string): PageMetadata {
  const meta = metaTags(doc);
  const base = absoluteUrl(doc.querySelector('base[href]')?.getAttribute('href') ?? undefined, pageUrl) ?? pageUrl;
  const canonicalLink = absoluteUrl(doc.querySelector('link[rel~="canonical" i][href]')?.getAttribute('href') ?? undefined, base);
  const ogUrl = absoluteUrl(meta.get('og:url'), base);
  const node = articleNode(doc, canonicalLink ?? ogUrl);
  const ld = node ?? {};
  const ldUrl = absoluteUrl(str(ld['url']) ?? (isObject(ld['mainEntityOfPage']) ? str(ld['mainEntityOfPage']['@id']) : undefined), base);
  const publisher = isObject(ld['publisher']) ? nameOf(ld['publisher']) : undefined;
  const itemDate = doc.querySelector('[itemprop~="datePublished" i]');
  const text = (v: string | undefined): string | undefined => {
    const t = v === undefined ? undefined : plainText(doc, v).replace(/\s+/g, ' ').trim();
    return t || undefined;
  };
  const body = str(ld['articleBody']);
  // One paragraph per line of the body, blank-line separated like every article text.
  const articleBody = body
    ? plainText(doc, body).split('\n').map((line) => line.replace(/\s+/g, ' ').trim()).filter(Boolean).join('\n\n')
    : undefined;
  const result: { -readonly [K in keyof PageMetadata]: PageMetadata[K] } = {};
  const set = <K extends keyof PageMetadata>(key: K, value: PageMetadata[K] | undefined): void => {
    if (value !== undefined) result[key] = value;
  };
  set('headline', text(first(str(ld['headline']), str(ld['name']), meta.get('og:title'), meta.get('twitter:title'))));
  set('published', first(
    str(ld['datePublished']), str(ld['dateCreated']), meta.get('article:published_time'), meta.get('og:article:published_time'),
    meta.get('datepublished'), meta.get('parsely-pub-date'), meta.get('sailthru.date'), meta.get('dc.date.issued'), meta.get('dc.date'),
    meta.get('dcterms.created'), meta.get('pubdate'), meta.get('publishdate'), meta.get('date'),
    itemDate?.getAttribute('datetime') ?? itemDate?.getAttribute('content') ?? undefined,
  )?.trim());
  set('author', text(first(authorsOf(ld['author']), authorsOf(ld['creator']), meta.get('author'), meta.get('parsely-author'), meta.get('dc.creator'), meta.get('sailthru.author'),
    /^https?:/i.test(meta.get('article:author') ?? 'http:') ? undefined : meta.get('article:author'))));
  set('siteName', text(first(meta.get('og:site_name'), publisher, meta.get('application-name'))));
  set('canonicalUrl', first(canonicalLink, ogUrl, ldUrl));
  set('description', text(first(str(ld['description']), meta.get('og:description'), meta.get('description'))));
  set('articleBody', articleBody || undefined);
  set('lang', text(first(doc.documentElement?.getAttribute('lang') ?? undefined, str(ld['inLanguage']), meta.get('og:locale'))));
  return result;
}
