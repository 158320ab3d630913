/**
 * `npm run analyze -- FILE|DIR…` prints each article's brief for a human reader.
 * `npm run analyze -- --jsonl IN.jsonl [--out OUT.jsonl]` analyses `{id, text}` lines and writes the
 * eval scorer's PRED lines `{id, summary, quotes:[{start,end,text,speaker}]}`.
 *
 * A bad file or line is reported on stderr (naming it and the reason) and the run goes on with the
 * rest; the exit code is 1 when anything failed, 2 on a usage error.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { analyze, analyzeText } from '../lambda/shared/analysis/analyze.ts';
import type { TextAnalysis } from '../lambda/shared/analysis/analyze.ts';
import { quotesForEval } from '../lambda/shared/analysis/quotes/index.ts';
import { splitSentences } from '../lambda/shared/text/sentences.ts';
import { bodyStartOf, summarize } from '../lambda/shared/analysis/summary.ts';
import { ArticleParseError } from '../lambda/shared/article/errors.ts';
import type { Analysis, Article, Quote } from '../lambda/shared/article/model.ts';
import { FORMAT_BY_EXTENSION, formatOf, MAX_ARTICLE_BYTES } from '../lambda/shared/article/parse.ts';
import { readArticleFile } from '../lambda/shared/article/read.ts';

/** Where the CLI writes; injected so tests can capture output without spawning a process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is an interactive terminal (progress then redraws one line). */
  readonly errIsTty?: boolean;
}

const USAGE = `usage:
  npm run analyze -- FILE|DIR...                       print each article's brief
  npm run analyze -- --explain FILE|DIR...             …and, for every quote, which sieve decided its speaker and how sure it is
  npm run analyze -- --jsonl IN.jsonl [--out OUT.jsonl]  write eval PRED lines ({id, summary, quotes})
Article files: .txt (headline, dateline, paragraphs), .md/.markdown (YAML front matter), .json, .html/.htm (web pages).`;

/** One PRED line for the eval scorer (see the shared eval README). */
export interface PredLine {
  readonly id: string | number;
  readonly summary: string[];
  readonly quotes: { start: number; end: number; text: string; speaker: string | null }[];
}

/** The scorer's PRED record for one analysed text. */
export function predLine(id: string | number, text: string, analysis: TextAnalysis): PredLine {
  return {
    id,
    summary: analysis.summary,
    quotes: quotesForEval(text, analysis.quotes).map((q) => ({ start: q.start, end: q.end, text: q.text, speaker: q.speaker?.name ?? null })),
  };
}

function attribution(q: Quote): string {
  if (!q.speaker) return '— unattributed';
  return `— ${q.speaker.name}${q.speaker.role ? `, ${q.speaker.role}` : ''}`;
}

/** Every quote with the sieve that decided its speaker: the trace behind `--explain`. */
export function formatExplanation(analysis: TextAnalysis): string {
  const out = ['', 'Attribution (each quote, the sieve that decided, confidence):'];
  if (analysis.quotes.length === 0) out.push('  (no quotes)');
  for (const q of analysis.quotes) {
    const words = q.text.replace(/\s+/g, ' ');
    out.push(`  “${words.length > 70 ? `${words.slice(0, 69)}…` : words}” [${q.kind}]`, `      ${attribution(q)}`, `      ${q.trace}`);
  }
  return `${out.join('\n')}\n`;
}

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

/** The human-readable brief of one article. */
export function formatBrief(article: Article, analysis: Analysis): string {
  const out: string[] = [article.title, '='.repeat(Math.min(article.title.length, 78))];
  out.push(article.publishedAt ? `Published: ${article.publishedAt}` : `Published: date unknown${article.dateProblem ? ` (${article.dateProblem})` : ''}`);
  if (article.author) out.push(`By: ${article.author}`);
  if (article.source) out.push(`Source: ${article.source}`);
  if (article.url) out.push(`URL: ${article.url}`);
  if (article.topics?.length) out.push(`Topics: ${article.topics.join(', ')}`);
  out.push('', article.summary?.length ? 'Summary (editor):' : 'Summary:');
  if (analysis.summary.length === 0) out.push('  (none)');
  for (const s of analysis.summary) out.push(wrap(s, 76, '  ').replace(/^ {2}/, '  • ').replace(/\n {2}/g, '\n    '));
  out.push('', article.quotes?.length ? 'Key quotes (editor):' : 'Key quotes:');
  if (analysis.keyQuotes.length === 0) out.push('  (none)');
  for (const q of analysis.keyQuotes) {
    out.push(wrap(`“${q.text}”`, 74, '  '), `      ${attribution(q)}`);
  }
  return `${out.join('\n')}\n`;
}

/** Expand directory arguments into their article files (sorted, one level deep). */
async function expand(paths: readonly string[], io: Io): Promise<{ files: string[]; failed: number }> {
  const files: string[] = [];
  let failed = 0;
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      // Not there: readArticleFile reports it with the file name.
    }
    if (!isDir) {
      files.push(p);
      continue;
    }
    const entries = (await readdir(p, { withFileTypes: true }))
      .filter((e) => e.isFile() && formatOf(e.name) !== undefined)
      .map((e) => join(p, e.name))
      .sort();
    if (entries.length === 0) {
      io.err(`${p}: no article files (${Object.keys(FORMAT_BY_EXTENSION).join(', ')}) in this directory\n`);
      failed++;
    }
    files.push(...entries);
  }
  return { files, failed };
}

async function briefFiles(paths: readonly string[], io: Io, explain = false): Promise<number> {
  const { files, failed: dirFailures } = await expand(paths, io);
  let failed = dirFailures;
  let first = true;
  for (const file of files) {
    try {
      const article = await readArticleFile(file);
      const analysis = analyze(article);
      const text = formatBrief(article, analysis) + (explain ? formatExplanation(analysis) : '');
      io.out(`${first ? '' : '\n'}${file}\n${text}`);
      first = false;
    } catch (e) {
      failed++;
      if (e instanceof ArticleParseError) io.err(`error: ${e.file}: ${e.reason}\n`);
      else io.err(`error: ${file}: analysis failed (${e instanceof Error ? e.message : String(e)})\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

/** Validate one JSONL record; returns the reason when it is not `{id, text}`. */
function readRecord(line: string): { id: string | number; text: string } | string {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not a JSON object';
  const { id, text } = raw as { id?: unknown; text?: unknown };
  if (typeof id !== 'string' && typeof id !== 'number') return '"id" is missing or not a string/number';
  if (typeof text !== 'string') return `"text" is missing or not a string (id ${String(id)})`;
  if (Buffer.byteLength(text) > MAX_ARTICLE_BYTES) return `"text" is larger than 1 MB (id ${String(id)})`;
  return { id, text };
}

const MAX_REPORTED = 20;

/** A summary without quote analysis: the fallback when the quote finder fails on an article. */
function summaryOnly(text: string): string[] {
  try {
    return summarize({ text, sentences: splitSentences(text), bodyStart: bodyStartOf(text), exclude: [] });
  } catch {
    return [];
  }
}

/** Analyse a JSONL file of `{id, text}` into PRED lines. Returns the exit code. */
export async function jsonlMode(inPath: string, outPath: string | undefined, io: Io): Promise<number> {
  try {
    if (!(await stat(inPath)).isFile()) {
      io.err(`error: ${inPath}: not a regular file\n`);
      return 1;
    }
  } catch {
    io.err(`error: ${inPath}: no such file\n`);
    return 1;
  }
  let sink: FileHandle | undefined;
  if (outPath !== undefined) {
    try {
      sink = await open(outPath, 'w');
    } catch (e) {
      io.err(`error: ${outPath}: cannot write (${(e as Error).message})\n`);
      return 1;
    }
  }
  const lines = createInterface({ input: createReadStream(inPath, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  let done = 0;
  let bad = 0;
  const started = Date.now();
  let lastProgress = started;
  let pending: string[] = [];
  let reported = 0;
  // Report the first problems in full; a file where every line fails should not flood the terminal.
  const report = (message: string): void => {
    if (++reported <= MAX_REPORTED) io.err(`error: ${message}\n`);
    else if (reported === MAX_REPORTED + 1) io.err('error: further bad lines are counted but not shown\n');
  };
  const flush = async (): Promise<void> => {
    const chunk = pending.join('');
    pending = [];
    if (sink) await sink.write(chunk);
    else io.out(chunk);
  };
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      const rec = readRecord(lineNo === 1 ? line.replace(/^\uFEFF/, '') : line);
      if (typeof rec === 'string') {
        bad++;
        report(`${inPath}:${lineNo}: ${rec}; line skipped`);
        continue;
      }
      let pred: PredLine;
      try {
        pred = predLine(rec.id, rec.text, analyzeText(rec.text));
      } catch (e) {
        // Keep going: one article that trips the quote finder must not cost its summary or the run.
        bad++;
        report(`${inPath}:${lineNo}: analysis failed for id ${String(rec.id)} (${e instanceof Error ? e.message : String(e)}); summary only`);
        pred = { id: rec.id, summary: summaryOnly(rec.text), quotes: [] };
      }
      pending.push(`${JSON.stringify(pred)}\n`);
      done++;
      if (pending.length >= 100) await flush();
      const now = Date.now();
      if (now - lastProgress >= 1000) {
        lastProgress = now;
        io.err(io.errIsTty ? `\ranalyzed ${done} articles…` : `analyzed ${done} articles…\n`);
      }
    }
    await flush();
  } catch (e) {
    io.err(`error: ${inPath}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await sink?.close();
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  io.err(`${io.errIsTty ? '\r' : ''}analyzed ${done} articles in ${secs} s${bad ? `; ${bad} bad line(s) reported` : ''}${outPath ? ` → ${outPath}` : ''}\n`);
  return bad > 0 ? 1 : 0;
}

/** CLI entry point; returns the process exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { jsonl: { type: 'string' }, out: { type: 'string' }, explain: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
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
  if (values.jsonl !== undefined) {
    if (positionals.length > 0) {
      io.err(`--jsonl takes no file arguments (got ${positionals.join(' ')})\n${USAGE}\n`);
      return 2;
    }
    return jsonlMode(values.jsonl, values.out, io);
  }
  if (values.out !== undefined) {
    io.err(`--out needs --jsonl\n${USAGE}\n`);
    return 2;
  }
  if (positionals.length === 0) {
    io.err(`${USAGE}\n`);
    return 2;
  }
  return briefFiles(positionals, io, values.explain === true);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const io: Io = {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    errIsTty: process.stderr.isTTY === true,
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
