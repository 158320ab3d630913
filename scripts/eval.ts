/**
 * `npm run eval -- quotes|summaries [EVAL_DIR] [--gold FILE] [--pred FILE]`: run the analyzer over an
 * eval set exactly as the judged command does (`npm run analyze -- --jsonl IN --out OUT`), then the
 * set's own scorer (EVAL_DIR/score.mjs), and print the scorer's output. For summaries it adds the
 * head-to-head with Lead-3 (wins, ties, losses) and the furniture check (summary-report.ts); the
 * last line stays one JSON object with every figure. `--pred` scores an earlier PRED file instead of
 * analysing (e.g. another branch's, kept with `--keep`). EVAL_DIR defaults to ../shared/eval; the
 * sets stay outside the repository and `npm test` never needs them.
 * `npm run eval -- extraction [EVAL_DIR] [--split]` scores web-page extraction (eval-extraction.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jsonlMode } from './analyze.ts';
import { evalExtraction } from './eval-extraction.ts';
import { type GoldSummary, type Offence, type PredSummary, furnitureCheck, headToHead } from './summary-report.ts';

const DEV_SETS = { quotes: 'quotes/polnear-dev.jsonl', summaries: 'summaries/cnndm-dev.jsonl' } as const;
const USAGE =
  'usage: npm run eval -- quotes|summaries [EVAL_DIR (default ../shared/eval)] [--gold FILE.jsonl] [--pred FILE.jsonl] [--keep]\n' +
  '       npm run eval -- extraction [EVAL_DIR] [--gold FILE.json] [--split] [--keep]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { gold: { type: 'string' }, pred: { type: 'string' }, keep: { type: 'boolean' }, split: { type: 'boolean' } },
});
const kind = positionals[0];
if (kind === 'extraction') {
  const io = { out: (t: string) => void process.stdout.write(t), err: (t: string) => void process.stderr.write(t) };
  const options = { ...(values.gold !== undefined && { gold: values.gold }), split: values.split === true, keep: values.keep === true };
  process.exit(await evalExtraction(resolve(positionals[1] ?? '../shared/eval'), options, io));
}
if (kind !== 'quotes' && kind !== 'summaries') {
  console.error(USAGE);
  process.exit(2);
}
const dir = resolve(positionals[1] ?? '../shared/eval');
const scorer = join(dir, 'score.mjs');
const gold = resolve(values.gold ?? join(dir, DEV_SETS[kind]));
const given = values.pred === undefined ? undefined : resolve(values.pred);
for (const [what, p] of [['scorer', scorer], ['gold set', gold], ['PRED file', given]] as const) {
  if (p !== undefined && !existsSync(p)) {
    console.error(`error: ${what} not found at ${p}\n${USAGE}`);
    process.exit(1);
  }
}

const work = mkdtempSync(join(tmpdir(), 'newsbrief-eval-'));
const pred = given ?? join(work, `${kind}-pred.jsonl`);
if (!given) {
  console.error(`analyzing ${gold}`);
  const code = await jsonlMode(gold, pred, {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    errIsTty: process.stderr.isTTY === true,
  });
  if (code !== 0) console.error('warning: some lines failed (see above); scoring what was written');
}
const scored = spawnSync(process.execPath, [scorer, kind, gold, pred], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const lines = (scored.stdout ?? '').trimEnd().split('\n');
const last = lines.pop() ?? '';
process.stdout.write(lines.map((l) => `${l}\n`).join(''));
let figures: Record<string, unknown> | null = null;
try {
  figures = JSON.parse(last) as Record<string, unknown>;
} catch {
  process.stdout.write(`${last}\n`);
}
if (figures && kind === 'summaries') Object.assign(figures, summaryReport(gold, pred));
if (figures) process.stdout.write(`${JSON.stringify(figures)}\n`);
if (values.keep && !given) console.error(`predictions kept in ${pred}`);
else rmSync(work, { recursive: true, force: true });
process.exitCode = scored.status ?? 1;

/** Print the head-to-head with Lead-3 and the furniture check; return their figures. */
function summaryReport(goldPath: string, predPath: string): Record<string, number> {
  const readJsonl = <T>(p: string): T[] =>
    readFileSync(p, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as T);
  const goldSet = readJsonl<GoldSummary>(goldPath).map((g) => ({ ...g, id: String(g.id) }));
  const predictions = new Map(readJsonl<PredSummary>(predPath).map((p) => [String(p.id), p]));
  const h = headToHead(goldSet, predictions);
  const sign = h.meanDiff >= 0 ? '+' : '';
  console.log(
    `vs lead-3 per article (R1): ${h.wins} wins, ${h.ties} ties, ${h.losses} losses of ${h.articles}; ` +
      `mean ${sign}${h.meanDiff.toFixed(2)}, sign test p = ${h.signP.toFixed(3)}`,
  );
  const offences = furnitureCheck(goldSet, predictions);
  const count = (k: Offence['kind']): number => offences.filter((o) => o.kind === k).length;
  console.log(
    `furniture check: ${offences.length} summary line(s) flagged: ${count('caption')} caption, ` +
      `${count('boilerplate')} boilerplate, ${count('unfinished')} without closing punctuation (caption line or broken sentence)`,
  );
  for (const o of offences) console.log(`  ${o.kind} (${o.rule}) ${o.id}: ${o.line}`);
  const lead3 = new Map(goldSet.map((g) => [g.id, { id: g.id, summary: g.lead3 ?? [] }]));
  const inLead3 = furnitureCheck(goldSet, lead3);
  console.log(`furniture check on lead-3 itself, for comparison: ${inLead3.length} line(s) flagged`);
  return {
    lead3_wins: h.wins,
    lead3_ties: h.ties,
    lead3_losses: h.losses,
    lead3_sign_p: +h.signP.toFixed(4),
    caption_lines: count('caption'),
    boilerplate_lines: count('boilerplate'),
    unfinished_lines: count('unfinished'),
  };
}
