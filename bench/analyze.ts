/**
 * `npm run bench:analyze -- PATH/cnndm-dev.jsonl [--rounds N]`: time analyzeText() per article.
 *
 * Warm figures: every article is analysed once as warm-up (JIT, lazy regex compilation), then N
 * timed rounds; an article's time is its median over the rounds. Prints the median and p95 over
 * articles, the per-stage medians (sentences, quotes, summary), and peak RSS. Single-threaded, so
 * the figures are per core. The target (issue 2) is a median of at most 5 ms per article.
 * `--compare-wink` also times wink-nlp's sentence boundary detection on the same texts (the
 * measurement behind choosing the rule-based splitter) and counts paragraphs where both agree.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyzeText } from '../lambda/shared/analysis/analyze.ts';
import { findQuotes, selectKeyQuotes } from '../lambda/shared/analysis/quotes/index.ts';
import { splitSentences } from '../lambda/shared/text/sentences.ts';
import { bodyStartOf, summarize } from '../lambda/shared/analysis/summary.ts';
import { median, quantile, time } from '../scripts/stats.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '5' }, 'compare-wink': { type: 'boolean' } },
});
const path = positionals[0];
if (!path) {
  console.error('usage: npm run bench:analyze -- PATH/cnndm-dev.jsonl [--rounds N] [--compare-wink]');
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
const figures: Record<string, number> = {
  articles: texts.length,
  rounds,
  median_ms: +fmt(median(per)),
  p95_ms: +fmt(quantile(per, 0.95)),
  target_ms: 5,
};

if (values['compare-wink']) {
  // Loaded only on request: the library's model takes a few hundred milliseconds to load.
  const loadStart = process.hrtime.bigint();
  const { default: winkNLP } = await import('wink-nlp');
  const { default: model } = await import('wink-eng-lite-web-model');
  const nlp = winkNLP(model, ['sbd']);
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  const winkSentences = (t: string): string[] => nlp.readDoc(t).sentences().out() as string[];
  for (const t of texts) winkSentences(t); // warm-up
  const winkTimes = texts.map((t) => time(() => winkSentences(t)));
  const ownTimes = texts.map((t) => time(() => splitSentences(t)));
  let same = 0;
  let paragraphs = 0;
  for (const t of texts) {
    for (const para of t.split(/\n[ \t\r]*\n/)) {
      paragraphs++;
      const w = winkSentences(para).map((s) => s.trim()).filter((s) => /[\p{L}\p{N}]/u.test(s));
      const o = splitSentences(para).map((s) => para.slice(s.start, s.end));
      if (JSON.stringify(w) === JSON.stringify(o)) same++;
    }
  }
  console.log(`sentence splitting (median ms/article): wink-nlp ${fmt(median(winkTimes))} (model load ${loadMs.toFixed(0)} ms)  rule-based ${fmt(median(ownTimes))}`);
  console.log(`paragraphs split identically: ${same} of ${paragraphs}`);
  figures.wink_sentences_ms = +fmt(median(winkTimes));
  figures.rule_sentences_ms = +fmt(median(ownTimes));
}
figures.peak_rss_mb = +(process.resourceUsage().maxRSS / 1024).toFixed(1);
console.log(JSON.stringify(figures));
