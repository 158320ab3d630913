/**
 * `npm run extract -- PAGE.html… [--url URL] [--json]` prints what newsbrief extracts from web pages:
 * headline, date, author, site, canonical URL and the body paragraphs (`--json`: the fields as JSON).
 *
 * `npm run extract -- --bench DIR --out PRED.json` extracts every `DIR/<id>.html.gz` (or `.html`)
 * and writes `{"<id>": {"articleBody": "…"}}`, the extraction benchmark's PRED format (paragraphs
 * separated by blank lines), then the median milliseconds per page. A page that fails is reported
 * on stderr and written with an empty body, so the scorer counts it as missed.
 *
 * Exit codes: 0, 1 when a page failed, 2 on a usage error.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { ArticleParseError } from '../lambda/shared/article/errors.ts';
import type { Article } from '../lambda/shared/article/model.ts';
import { parseHtmlArticle } from '../lambda/shared/article/html/parse.ts';
import { readArticleFile } from '../lambda/shared/article/read.ts';
import type { Io } from './analyze.ts';
import { median } from './stats.ts';

const USAGE = `usage:
  npm run extract -- PAGE.html... [--url URL] [--json]   print the article extracted from each page
  npm run extract -- --bench DIR --out PRED.json         extract DIR/<id>.html[.gz] into benchmark PRED JSON`;

/** The extracted article for a human reader. */
export function formatExtraction(a: Article): string {
  const out = [a.title, '='.repeat(Math.min(a.title.length, 78))];
  out.push(a.publishedAt ? `Published: ${a.publishedAt}` : `Published: date unknown${a.dateProblem ? ` (${a.dateProblem})` : ''}`);
  if (a.author) out.push(`By: ${a.author}`);
  if (a.source) out.push(`Source: ${a.source}`);
  if (a.url) out.push(`URL: ${a.url}`);
  const words = a.paragraphs.join(' ').split(/\s+/).filter(Boolean).length;
  out.push(`Body: ${a.paragraphs.length} paragraphs, ${words} words`, '', a.paragraphs.join('\n\n'));
  return `${out.join('\n')}\n`;
}

/** The page id of a benchmark file (`<id>.html.gz` or `<id>.html`), or undefined for other files. */
export function benchId(file: string): string | undefined {
  return /^(.+)\.html?(?:\.gz)?$/i.exec(file)?.[1];
}

/** Extract every page of a benchmark folder into PRED JSON. Returns the exit code. */
export async function benchMode(dir: string, outPath: string, io: Io): Promise<number> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => benchId(f) !== undefined).sort();
  } catch (e) {
    io.err(`error: ${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}\n`);
    return 1;
  }
  if (files.length === 0) {
    io.err(`error: ${dir}: no <id>.html or <id>.html.gz pages\n`);
    return 1;
  }
  const pred: Record<string, { articleBody: string }> = {};
  const times: number[] = [];
  let failed = 0;
  for (const file of files) {
    const id = benchId(file) as string;
    const path = join(dir, file);
    let articleBody = '';
    try {
      const raw = await readFile(path);
      const bytes = file.endsWith('.gz') ? gunzipSync(raw) : raw;
      const started = performance.now();
      try {
        articleBody = parseHtmlArticle(bytes, path).paragraphs.join('\n\n');
      } finally {
        times.push(performance.now() - started);
      }
    } catch (e) {
      failed++;
      io.err(`error: ${e instanceof ArticleParseError ? `${e.file}: ${e.reason}` : `${path}: ${(e as Error).message}`}\n`);
    }
    pred[id] = { articleBody };
  }
  try {
    await writeFile(outPath, `${JSON.stringify(pred)}\n`);
  } catch (e) {
    io.err(`error: ${outPath}: cannot write (${(e as Error).message})\n`);
    return 1;
  }
  io.err(`extracted ${files.length - failed} of ${files.length} pages → ${outPath}; median ${median(times).toFixed(1)} ms per page (decode + extract, first run)\n`);
  return failed > 0 ? 1 : 0;
}

async function pagesMode(paths: readonly string[], url: string | undefined, json: boolean, io: Io): Promise<number> {
  let failed = 0;
  const results: Article[] = [];
  for (const path of paths) {
    try {
      const article = url === undefined
        ? await readArticleFile(path)
        : parseHtmlArticle(await readFile(path), path, { url });
      if (article.format !== 'html') throw new ArticleParseError(path, 'not an HTML page (expected .html or .htm)');
      results.push(article);
      if (!json) io.out(`${results.length > 1 ? '\n' : ''}${path}\n${formatExtraction(article)}`);
    } catch (e) {
      failed++;
      io.err(`error: ${e instanceof ArticleParseError ? `${e.file}: ${e.reason}` : `${path}: ${(e as Error).message}`}\n`);
    }
  }
  if (json) io.out(`${JSON.stringify(results.length === 1 && paths.length === 1 ? results[0] : results, null, 2)}\n`);
  return failed > 0 ? 1 : 0;
}

/** CLI entry point; returns the process exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        bench: { type: 'string' },
        out: { type: 'string' },
        url: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (values.bench !== undefined) {
    if (values.out === undefined || positionals.length > 0) {
      io.err(`--bench needs --out PRED.json and no page arguments\n${USAGE}\n`);
      return 2;
    }
    return benchMode(values.bench, values.out, io);
  }
  if (values.out !== undefined || positionals.length === 0 || (values.url !== undefined && positionals.length > 1)) {
    io.err(`${values.url !== undefined && positionals.length > 1 ? '--url applies to one page\n' : ''}${USAGE}\n`);
    return 2;
  }
  return pagesMode(positionals, values.url, values.json === true, io);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const io: Io = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };
  process.exitCode = await main(process.argv.slice(2), io);
}
