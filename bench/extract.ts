/**
 * `npm run bench:extract -- DIR [--rounds N]`: time HTML extraction per page over every
 * `DIR/<id>.html[.gz]` (e.g. ../shared/eval/extraction/html).
 *
 * Warm figures: every page is extracted once as warm-up, then N timed rounds; a page's time is its
 * median over the rounds. Prints the median and p95 over pages for the whole path
 * (`parseHtmlArticle`: decode, parse, metadata, furniture, Readability, paragraphs), and for two
 * parts of it on the same pages: parsing alone (decode + linkedom) and bare Readability (parse +
 * `Readability.parse()`, what the extractor adds its rules to). Also the first page cold, and peak
 * RSS. Single-threaded: the figures are per core. Wall time and CPU time are both given, with the
 * load average: other work on the machine inflates wall time much more than CPU time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { Readability } from '@mozilla/readability';
import { decodeHtml } from '../lambda/shared/article/html/charset.ts';
import { parseDocument } from '../lambda/shared/article/html/dom.ts';
import { parseHtmlArticle } from '../lambda/shared/article/html/parse.ts';
import { median, quantile, time } from '../scripts/stats.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '3' } } });
const dir = positionals[0];
if (!dir) {
  console.error('usage: npm run bench:extract -- DIR [--rounds N]   (DIR holds <id>.html or <id>.html.gz pages)');
  process.exit(2);
}
const rounds = Math.max(1, Number(values.rounds) || 3);

let pages: { id: string; bytes: Buffer }[];
try {
  pages = readdirSync(dir)
    .filter((f) => /\.html?(?:\.gz)?$/i.test(f))
    .sort()
    .map((f) => {
      const raw = readFileSync(join(dir, f));
      return { id: f, bytes: f.endsWith('.gz') ? gunzipSync(raw) : raw };
    });
} catch (e) {
  console.error(`error: ${dir}: ${(e as Error).message}`);
  process.exit(1);
}
if (pages.length === 0) {
  console.error(`error: ${dir}: no .html or .html.gz pages`);
  process.exit(1);
}

/** CPU milliseconds (user + system) of this process: steadier than wall time when other work shares the cores. */
function cpu(fn: () => unknown): number {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

type ReadabilityDocument = ConstructorParameters<typeof Readability>[0];
const paths = {
  'extract (whole path)': (b: Buffer) => {
    try {
      parseHtmlArticle(b, 'page.html');
    } catch {
      // A page without an article still costs its time; the error itself is not the point here.
    }
  },
  'parse only (decode + linkedom)': (b: Buffer) => parseDocument(decodeHtml(b).text),
  'bare Readability (parse + parse())': (b: Buffer) => new Readability(parseDocument(decodeHtml(b).text) as unknown as ReadabilityDocument).parse(),
};

const cold = time(() => paths['extract (whole path)'](pages[0]!.bytes));
const mb = pages.reduce((n, p) => n + p.bytes.length, 0) / pages.length / 1024;
console.log(`${pages.length} pages (mean ${mb.toFixed(0)} KiB), ${rounds} rounds after a warm-up; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`first page cold (module JIT included): ${cold.toFixed(1)} ms`);
for (const [name, fn] of Object.entries(paths)) {
  for (const p of pages) fn(p.bytes); // warm-up
  const per: number[][] = pages.map(() => []);
  const perCpu: number[][] = pages.map(() => []);
  for (let r = 0; r < rounds; r++) {
    pages.forEach((p, i) => {
      let wall = 0;
      perCpu[i]!.push(cpu(() => (wall = time(() => fn(p.bytes)))));
      per[i]!.push(wall);
    });
  }
  const med = per.map(median);
  const medCpu = perCpu.map(median);
  console.log(
    `${name.padEnd(36)} median ${median(med).toFixed(1)} ms per page, p95 ${quantile(med, 0.95).toFixed(1)} ms, max ${Math.max(...med).toFixed(1)} ms; CPU median ${median(medCpu).toFixed(1)} ms, p95 ${quantile(medCpu, 0.95).toFixed(1)} ms`,
  );
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
