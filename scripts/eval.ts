/**
 * `npm run eval -- quotes|summaries [EVAL_DIR] [--gold FILE]`: run the analyzer over an eval set
 * exactly as the judged command does (`npm run analyze -- --jsonl IN --out OUT`), then the set's own
 * scorer (EVAL_DIR/score.mjs), and print the scorer's output. EVAL_DIR defaults to ../shared/eval;
 * the sets stay outside the repository and `npm test` never needs them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jsonlMode } from './analyze.ts';

const DEV_SETS = { quotes: 'quotes/polnear-dev.jsonl', summaries: 'summaries/cnndm-dev.jsonl' } as const;
const USAGE = 'usage: npm run eval -- quotes|summaries [EVAL_DIR (default ../shared/eval)] [--gold FILE.jsonl] [--keep]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { gold: { type: 'string' }, keep: { type: 'boolean' } },
});
const kind = positionals[0];
if (kind !== 'quotes' && kind !== 'summaries') {
  console.error(USAGE);
  process.exit(2);
}
const dir = resolve(positionals[1] ?? '../shared/eval');
const scorer = join(dir, 'score.mjs');
const gold = resolve(values.gold ?? join(dir, DEV_SETS[kind]));
for (const [what, p] of [['scorer', scorer], ['gold set', gold]] as const) {
  if (!existsSync(p)) {
    console.error(`error: ${what} not found at ${p}\n${USAGE}`);
    process.exit(1);
  }
}

const work = mkdtempSync(join(tmpdir(), 'newsbrief-eval-'));
const pred = join(work, `${kind}-pred.jsonl`);
console.error(`analyzing ${gold}`);
const code = await jsonlMode(gold, pred, {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  errIsTty: process.stderr.isTTY === true,
});
if (code !== 0) console.error('warning: some lines failed (see above); scoring what was written');
const scored = spawnSync(process.execPath, [scorer, kind, gold, pred], { stdio: 'inherit' });
if (values.keep) console.error(`predictions kept in ${pred}`);
else rmSync(work, { recursive: true, force: true });
process.exitCode = scored.status ?? 1;
