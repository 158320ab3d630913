/**
 * The extraction part of `npm run eval -- extraction [EVAL_DIR] [--gold FILE] [--split] [--keep]`:
 * the judged command, `npm run extract -- --bench DIR/extraction/html --out PRED.json`, then the
 * benchmark's own scorer, `extraction/score.mjs GROUND_TRUTH PRED PEERS`, which puts the peers'
 * published outputs beside ours in the same run. `--split` also scores two fixed halves of the
 * pages, ids starting 0–7 and 8–f (the ids are SHA-256 hex, so the halves are a random split): one
 * to develop rules on, one held out.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Io } from './analyze.ts';
import { benchMode } from './extract.ts';

export interface ExtractionEvalOptions {
  readonly gold?: string;
  readonly split?: boolean;
  readonly keep?: boolean;
}

/** The two halves `--split` scores, by the first character of the page id. */
export const HALVES = [
  ['ids 0-7 (development half)', /^[0-7]/],
  ['ids 8-f (held-out half)', /^[89a-f]/i],
] as const;

/** Run the extraction eval over `dir` (the eval folder); returns the exit code. */
export async function evalExtraction(dir: string, options: ExtractionEvalOptions, io: Io): Promise<number> {
  const scorer = join(dir, 'extraction', 'score.mjs');
  const gold = resolve(options.gold ?? join(dir, 'extraction', 'ground-truth.json'));
  const peers = join(dir, 'extraction', 'peers.json');
  const pages = join(dir, 'extraction', 'html');
  for (const [what, p] of [['scorer', scorer], ['ground truth', gold], ['peers', peers], ['pages', pages]] as const) {
    if (!existsSync(p)) {
      io.err(`error: ${what} not found at ${p}\n`);
      return 1;
    }
  }
  const work = mkdtempSync(join(tmpdir(), 'newsbrief-eval-'));
  const pred = join(work, 'extraction-pred.json');
  if ((await benchMode(pages, pred, io)) !== 0) io.err('warning: some pages failed (see above); scoring what was written\n');
  let status = spawnSync(process.execPath, [scorer, gold, pred, peers], { stdio: 'inherit' }).status ?? 1;
  if (options.split) {
    const all = JSON.parse(readFileSync(gold, 'utf8')) as Record<string, unknown>;
    HALVES.forEach(([name, test], i) => {
      const half = join(work, `gold-half-${i}.json`);
      writeFileSync(half, JSON.stringify(Object.fromEntries(Object.entries(all).filter(([id]) => test.test(id)))));
      io.out(`\n${name}:\n`);
      status ||= spawnSync(process.execPath, [scorer, half, pred, peers], { stdio: 'inherit' }).status ?? 1;
    });
  }
  if (options.keep) io.err(`predictions kept in ${pred}\n`);
  else rmSync(work, { recursive: true, force: true });
  return status;
}
