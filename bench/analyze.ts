/**
 * `npm run bench:analyze -- PATH/cnndm-dev.jsonl [--rounds N]`: time analyzeText() per article.
 *
 * Warm figures: every article is analysed once as warm-up (JIT, lazy regex compilation), then N
 * timed rounds; an article's time is its median over the rounds. Prints the median and p95 over
 * articles, the per-stage medians (sentences, quotes, summary), and peak RSS. Single-threaded, so
 * the figures are per core. The target (issue 2) is a median of at most 5 ms per article.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyzeText } from '../lambda/shared/analysis/analyze.ts';
import { findQuotes, selectKeyQuotes } from '../lambda/shared/analysis/quotes/index.ts';
import { splitSentences } from '../lambda/shared/analysis/sentences.ts';
import { bodyStartOf, summarize } from '../lambda/shared/analysis/summary.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '5' } } });
const path = positionals[0];
if (!path) {
  console.error('usage: npm run bench:analyze -- PATH/cnndm-dev.jsonl [--rounds N]');
  process.exit(2);
}
const rounds = Math.max(1, Number(values.rounds) || 5);

let texts: string[];
try {
  texts = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text)
    .filter((t) => typeof t === 'string');
} catch (e) {
  console.error(`error: ${path}: ${(e as Error).message}`);
  process.exit(1);
}
if (texts.length === 0) {
  console.error(`error: ${path}: no {text} records`);
  process.exit(1);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
};

function time(fn: () => unknown): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const coldStart = time(() => analyzeText(texts[0] as string));
for (const t of texts) analyzeText(t); // warm-up

const perArticle: number[][] = texts.map(() => []);
const stages = { sentences: [] as number[], quotes: [] as number[], summary: [] as number[] };
for (let r = 0; r < rounds; r++) {
  texts.forEach((t, i) => perArticle[i]?.push(time(() => analyzeText(t))));
}
// Stage split, one round: where the time goes.
for (const t of texts) {
  let spans: ReturnType<typeof splitSentences> = [];
  stages.sentences.push(time(() => (spans = splitSentences(t))));
  let keys: ReturnType<typeof selectKeyQuotes> = [];
  stages.quotes.push(time(() => (keys = selectKeyQuotes(t, findQuotes(t)))));
  stages.summary.push(time(() => summarize({ text: t, sentences: spans, bodyStart: bodyStartOf(t), exclude: keys })));
}

const per = perArticle.map(median);
const words = texts.reduce((n, t) => n + (t.match(/\S+/g)?.length ?? 0), 0) / texts.length;
const fmt = (n: number): string => n.toFixed(3);
console.log(`articles ${texts.length} (mean ${words.toFixed(0)} words), ${rounds} timed rounds after warm-up`);
console.log(`analyzeText  median ${fmt(median(per))} ms/article  p95 ${fmt(quantile(per, 0.95))} ms  max ${fmt(Math.max(...per))} ms  mean ${fmt(per.reduce((a, b) => a + b, 0) / per.length)} ms`);
console.log(`stages (median ms): sentences ${fmt(median(stages.sentences))}  quotes ${fmt(median(stages.quotes))}  summary ${fmt(median(stages.summary))}`);
console.log(`first call (cold) ${fmt(coldStart)} ms; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
console.log(JSON.stringify({ articles: texts.length, rounds, median_ms: +fmt(median(per)), p95_ms: +fmt(quantile(per, 0.95)), peak_rss_mb: +(process.resourceUsage().maxRSS / 1024).toFixed(1), target_ms: 5 }));
