/**
 * Article parsing: plain text like the sample, Markdown with YAML front matter, JSON, and HTML pages
 * (html/parse.ts). Pure (no fs), so the CLI and the ingest Lambda (content from S3) share it. Every bad input becomes an
 * ArticleParseError naming the origin and the reason; an unreadable date keeps the article.
 */
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { splitSentences } from '../text/sentences.ts';
import { looksLikeDateline, parseDate } from './dateline.ts';
import { ArticleParseError } from './errors.ts';
import { MAX_HTML_BYTES, parseHtmlArticle } from './html/parse.ts';
import type { Article, ArticleFormat, EditorQuote } from './model.ts';

/** Larger inputs are refused before parsing: no news article is 1 MiB of text. */
export const MAX_ARTICLE_BYTES = 1024 * 1024;

/** The size limit for a format: web pages carry scripts and styles, so they may be larger (html/parse.ts). */
export function maxBytesOf(format: ArticleFormat): number {
  return format === 'html' ? MAX_HTML_BYTES : MAX_ARTICLE_BYTES;
}

/** File extensions read, and the format each means. */
export const FORMAT_BY_EXTENSION: Readonly<Record<string, ArticleFormat>> = {
  '.txt': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.json': 'json',
  '.html': 'html',
  '.htm': 'html',
};

/** The format an origin's extension names, or undefined when it is not one we read. */
export function formatOf(origin: string): ArticleFormat | undefined {
  const m = /\.[a-z]+$/i.exec(origin);
  return m ? FORMAT_BY_EXTENSION[m[0].toLowerCase()] : undefined;
}

/** Cross-promotion lines ("ALSO READ: …") are site furniture, not article text. */
const CROSS_PROMO = /^(?:also read|read also|read more|also see|see also|related|recommended|watch|listen|more on this)\s*[:|–—-]/i;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode and sanity-check raw content: size, binary, encoding, emptiness. */
function decode(content: string | Uint8Array, origin: string): string {
  const bytes = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
  if (bytes > MAX_ARTICLE_BYTES) {
    throw new ArticleParseError(origin, `file is too large (${bytes} bytes; the limit is ${MAX_ARTICLE_BYTES} bytes, 1 MB)`);
  }
  let text: string;
  if (typeof content === 'string') {
    text = content;
  } else {
    if (content.includes(0)) throw new ArticleParseError(origin, 'binary file (contains NUL bytes), not an article');
    try {
      text = utf8.decode(content);
    } catch (cause) {
      throw new ArticleParseError(origin, 'binary file or not UTF-8 text (invalid UTF-8 sequence)', { cause });
    }
  }
  if (text.includes('\u0000')) throw new ArticleParseError(origin, 'binary file (contains NUL characters), not an article');
  text = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new ArticleParseError(origin, 'file is empty');
  return text;
}

/** Blank-line separated blocks, each with its soft line breaks folded to spaces. */
function blocks(body: string): string[] {
  return body
    .split(/\n[ \t]*\n/)
    .map((b) => b.split('\n').map((l) => l.trim()).filter(Boolean).join(' '))
    .filter((b) => b !== '');
}

function bodyParagraphs(raw: string[], origin: string): string[] {
  const paragraphs = raw.map((p) => p.replace(/\s+/g, ' ').trim()).filter((p) => p !== '' && !CROSS_PROMO.test(p));
  if (paragraphs.length === 0) throw new ArticleParseError(origin, 'no body text after the headline');
  return paragraphs;
}

function checkHeadline(title: string | undefined, origin: string, why: string): string {
  const t = (title ?? '').replace(/\s+/g, ' ').trim();
  if (t === '') throw new ArticleParseError(origin, `no headline (${why})`);
  if (t.length > 300) throw new ArticleParseError(origin, `no headline (the first line is ${t.length} characters, a paragraph rather than a headline)`);
  return t;
}

type DateFields = Pick<Article, 'publishedAt'> & { dateProblem?: string };

function dateFields(value: unknown): DateFields {
  if (value === undefined || value === null || value === '') return { publishedAt: null, dateProblem: 'no date given' };
  if (value instanceof Date) {
    return Number.isNaN(value.getTime())
      ? { publishedAt: null, dateProblem: 'invalid date' }
      : { publishedAt: value.toISOString().replace(/\.\d{3}Z$/, '+00:00') };
  }
  if (typeof value !== 'string') return { publishedAt: null, dateProblem: `date is not text (${typeof value})` };
  const r = parseDate(value);
  return 'iso' in r ? { publishedAt: r.iso } : { publishedAt: null, dateProblem: r.problem };
}

function sentencesOf(summary: string | readonly string[] | undefined): string[] | undefined {
  if (summary === undefined) return undefined;
  if (typeof summary !== 'string') {
    const list = summary.map((s) => s.trim()).filter(Boolean);
    return list.length ? list : undefined;
  }
  const flat = summary.replace(/\s+/g, ' ').trim();
  const list = splitSentences(flat).map((s) => flat.slice(s.start, s.end));
  return list.length ? list : undefined;
}

// ---------- plain text ----------

const HEADER_FIELD = /^(source|url|by|topics)\s*:\s*(.+)$/i;

function parseText(text: string, origin: string): Article {
  const parts = blocks(text);
  const title = checkHeadline(parts[0], origin, 'the file has no first line');
  if (looksLikeDateline(title)) throw new ArticleParseError(origin, 'no headline (the first line is a dateline)');
  if (CROSS_PROMO.test(title)) throw new ArticleParseError(origin, 'no headline (the first line is a cross-promotion line)');
  let i = 1;
  let date: DateFields = { publishedAt: null, dateProblem: 'no dateline' };
  let source: string | undefined;
  let url: string | undefined;
  let topics: string[] | undefined;
  // Header lines between headline and body: the dateline, and optional `Source:`/`URL:`/`Topics:` lines.
  for (; i < parts.length && i <= 4; i++) {
    const line = parts[i] as string;
    const field = HEADER_FIELD.exec(line);
    if (field && line.length < 200) {
      const key = (field[1] as string).toLowerCase();
      const value = (field[2] as string).trim();
      if (key === 'url') url = value;
      else if (key === 'topics') topics = value.split(/[,\s]+/).map((t) => t.toLowerCase()).filter(Boolean);
      else source = value;
      continue;
    }
    if (looksLikeDateline(line)) {
      // `| September 11 , 2018 , 14:06 IST`, possibly with a byline segment: `By A. Writer | Sept. 11, 2018`.
      const segments = line.split('|').map((s) => s.trim()).filter(Boolean);
      const tried = segments.map((s) => parseDate(s));
      const ok = tried.find((r) => 'iso' in r);
      date = ok && 'iso' in ok ? { publishedAt: ok.iso } : { publishedAt: null, dateProblem: tried.map((r) => ('problem' in r ? r.problem : '')).join('; ') || 'empty dateline' };
      continue;
    }
    break;
  }
  const paragraphs = bodyParagraphs(parts.slice(i), origin);
  return {
    title, ...date, paragraphs, format: 'text', origin,
    ...(source !== undefined && { source }), ...(url !== undefined && { url }), ...(topics !== undefined && { topics }),
  };
}

// ---------- Markdown with YAML front matter ----------

const quoteSchema = z.union([
  z.string().min(1).transform((text): EditorQuote => ({ text, speaker: null })),
  z.object({ text: z.string().min(1), speaker: z.string().min(1).nullish(), role: z.string().min(1).optional() })
    .transform((q): EditorQuote => ({ text: q.text, speaker: q.speaker ?? null, ...(q.role !== undefined && { role: q.role }) })),
]);
const topicsSchema = z.union([z.string(), z.array(z.string())]).transform((t) =>
  (typeof t === 'string' ? t.split(',') : t).map((s) => s.trim().toLowerCase()).filter(Boolean));

/** Front matter and JSON share these optional fields. */
const metaFields = {
  publishedAt: z.union([z.string(), z.date(), z.null()]).optional(),
  date: z.union([z.string(), z.date(), z.null()]).optional(),
  url: z.url().optional(),
  source: z.string().min(1).optional(),
  topics: topicsSchema.optional(),
  summary: z.union([z.string(), z.array(z.string())]).optional(),
  quotes: z.array(quoteSchema).optional(),
};

const frontMatterSchema = z.looseObject({ title: z.string().optional(), ...metaFields });

/** Simple inline Markdown to plain text: links, emphasis, code, images; list and quote markers. */
export function stripMarkdown(block: string): string {
  return block
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>\s][^>]*>/g, '')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/(\*\*|__)(?=\S)([^*_]*?\S)\1/g, '$2')
    .replace(/(^|[\s(])([*_])(?=\S)([^*_]*?\S)\2(?=$|[\s).,;:!?'"”’])/g, '$1$3')
    .replace(/~~(\S[^~]*?)~~/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!"'])/g, '$1');
}

function summaryFields(meta: { summary?: string | string[] | undefined; quotes?: EditorQuote[] | undefined }): Pick<Article, 'summary' | 'quotes'> {
  const summary = sentencesOf(meta.summary);
  return { ...(summary !== undefined && { summary }), ...(meta.quotes !== undefined && meta.quotes.length > 0 && { quotes: meta.quotes }) };
}

function schemaProblem(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

function parseMarkdown(text: string, origin: string): Article {
  let body = text;
  let rawMeta: unknown = {};
  const fm = /^---[ \t]*\n([\s\S]*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)/.exec(text);
  if (fm) {
    try {
      rawMeta = parseYaml(fm[1] as string) ?? {};
    } catch (cause) {
      throw new ArticleParseError(origin, `front matter is not valid YAML (${(cause as Error).message.split('\n')[0]})`, { cause });
    }
    body = text.slice(fm[0].length);
  } else if (/^---[ \t]*\n/.test(text)) {
    throw new ArticleParseError(origin, 'front matter is not closed (no second "---" line)');
  }
  const parsed = frontMatterSchema.safeParse(rawMeta);
  if (!parsed.success) throw new ArticleParseError(origin, `front matter: ${schemaProblem(parsed.error)}`, { cause: parsed.error });
  const meta = parsed.data;
  let title = meta.title;
  const raw: string[] = [];
  for (const block of blocks(body)) {
    const heading = /^(#{1,6})\s+(.*?)\s*#*$/.exec(block);
    if (heading) {
      // The first top-level heading is the headline when front matter has none; sub-headings are not prose.
      if (title === undefined && heading[1] === '#') title = heading[2];
      continue;
    }
    if (/^(?:[-*_]\s*){3,}$/.test(block) || /^```/.test(block)) continue;
    raw.push(stripMarkdown(block.replace(/^>\s?/, '').replace(/(^|\s)>\s/g, '$1').replace(/^(?:[-*+]|\d+[.)])\s+/, '')));
  }
  const headline = checkHeadline(title !== undefined ? stripMarkdown(title) : undefined, origin, 'no "title" in front matter and no "# " heading');
  return {
    title: headline,
    ...dateFields(meta.publishedAt ?? meta.date),
    paragraphs: bodyParagraphs(raw, origin),
    format: 'markdown',
    origin,
    ...(meta.source !== undefined && { source: meta.source }),
    ...(meta.url !== undefined && { url: meta.url }),
    ...(meta.topics !== undefined && { topics: meta.topics }),
    ...summaryFields(meta),
  };
}

// ---------- JSON ----------

/** The JSON article format: `{title, publishedAt, url?, source?, topics?, body, summary?, quotes?}`. */
export const jsonArticleSchema = z.object({
  title: z.string().optional(),
  ...metaFields,
  body: z.union([z.string(), z.array(z.string())], {
    error: (issue) => (issue.input === undefined ? 'is missing (the article text, a string or a list of paragraphs)' : 'must be a string or a list of paragraph strings'),
  }),
});

function parseJson(text: string, origin: string): Article {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ArticleParseError(origin, `not valid JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ArticleParseError(origin, 'JSON must be an object with title and body');
  const parsed = jsonArticleSchema.safeParse(raw);
  if (!parsed.success) throw new ArticleParseError(origin, `JSON does not match the article schema: ${schemaProblem(parsed.error)}`, { cause: parsed.error });
  const a = parsed.data;
  const title = checkHeadline(a.title, origin, '"title" is missing or empty');
  const raw2 = typeof a.body === 'string' ? blocks(a.body) : a.body;
  return {
    title,
    ...dateFields(a.publishedAt ?? a.date),
    paragraphs: bodyParagraphs(raw2, origin),
    format: 'json',
    origin,
    ...(a.source !== undefined && { source: a.source }),
    ...(a.url !== undefined && { url: a.url }),
    ...(a.topics !== undefined && { topics: a.topics }),
    ...summaryFields(a),
  };
}

/**
 * Parse one article. `origin` (a path or object key) names it in errors and picks the format by
 * extension unless `format` is given. Throws ArticleParseError for unusable input.
 */
export function parseArticle(content: string | Uint8Array, origin: string, format?: ArticleFormat): Article {
  const fmt = format ?? formatOf(origin);
  if (fmt === undefined) {
    throw new ArticleParseError(origin, `unsupported file type; expected one of ${Object.keys(FORMAT_BY_EXTENSION).join(', ')}`);
  }
  // A page declares its own charset, and is decoded by it rather than as UTF-8.
  if (fmt === 'html') return parseHtmlArticle(content, origin);
  const text = decode(content, origin);
  switch (fmt) {
    case 'text':
      return parseText(text, origin);
    case 'markdown':
      return parseMarkdown(text, origin);
    case 'json':
      return parseJson(text, origin);
  }
}
