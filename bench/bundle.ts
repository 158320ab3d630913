/**
 * `npm run bench:bundle [-- --runs N]`: bundle every function exactly as the stack does
 * (lib/bundling.ts: esbuild, ESM, minified, source maps, AWS SDK external), then print per
 * function the bundle size, its gzip size (≈ the deployment zip), whether mjml is inside, the
 * largest packages, and the cold import time of the bundle in a fresh Node process (median of N).
 *
 * Goal (issue 6): ≤ 500 KB for subscribe and sender; no mjml in a function that does not render.
 * Rendering functions get templates/ copied beside the bundle, as the stack's afterBundling hook does.
 * Likewise the HTML extractor (linkedom, Readability) belongs only in functions that read articles.
 * Exit code 1 if mjml or the extractor leaks into a function that does not need it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_TARGET, ESM_BANNER, EXTERNAL_MODULES, HOUSE_BUNDLING } from '../lib/bundling.ts';
import { entriesUnder, FUNCTION_NAMES, type FunctionName } from '../lib/entries.ts';
import { RENDERING_FUNCTIONS } from '../lib/newsbrief-stack.ts';

/** Functions that read articles, and so carry the HTML extractor (a feed poller that fetches pages joins them). */
// poll reads the pages of summary-only feed items, articles the page of a {url} webhook request.
const EXTRACTING_FUNCTIONS: readonly FunctionName[] = ['ingest', 'poll', 'articles'];
const EXTRACTOR = /node_modules\/(?:linkedom|@mozilla\/readability)\//;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Number(values.runs) || 5);
const ROOT = new URL('../', import.meta.url).pathname;
const OUT = join(ROOT, 'out', 'bench-bundle');
const KB = 1024;

/** The package a bundled input path belongs to ("mjml-core", "@aws-lambda-powertools/logger", or "(project)"). */
function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m?.[1] ?? '(project)';
}

function largestPackages(meta: Metafile, outfile: string, top = 5): string {
  const output = Object.entries(meta.outputs).find(([path]) => path.endsWith(outfile))?.[1];
  const sizes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    sizes.set(packageOf(input), (sizes.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  return [...sizes.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, bytes]) => `${name} ${(bytes / KB).toFixed(0)}K`)
    .join(', ');
}

/** Median wall time (ms) of `import(file)` in fresh Node processes. */
function coldImportMs(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_REGION: 'eu-west-1' },
    });
    times.push(Number(out));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

rmSync(OUT, { recursive: true, force: true });
const entries = entriesUnder();
const rows: string[][] = [];
let leaks = 0;
console.log(`esbuild ${BUNDLE_TARGET} ESM, minify, source maps, external ${EXTERNAL_MODULES.join(' ')}; cold import = median of ${runs} fresh node processes\n`);
for (const fn of FUNCTION_NAMES as readonly FunctionName[]) {
  if (!existsSync(entries[fn])) {
    rows.push([fn, 'entry missing', '', '', '', '', '']);
    continue;
  }
  const dir = join(OUT, fn);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'index.mjs');
  const result = await build({
    entryPoints: [entries[fn]],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: HOUSE_BUNDLING.target ?? BUNDLE_TARGET,
    mainFields: [...(HOUSE_BUNDLING.mainFields ?? [])],
    minify: HOUSE_BUNDLING.minify ?? false,
    sourcemap: HOUSE_BUNDLING.sourceMap ? 'linked' : false,
    sourcesContent: HOUSE_BUNDLING.sourcesContent ?? true,
    banner: { js: ESM_BANNER },
    external: [...EXTERNAL_MODULES],
    metafile: true,
    logLevel: 'error',
  });
  const renders = RENDERING_FUNCTIONS.includes(fn);
  if (renders) cpSync(join(ROOT, 'templates'), join(dir, 'templates'), { recursive: true });
  const code = readFileSync(outfile);
  const meta = result.metafile!;
  const hasMjml = Object.keys(meta.inputs).some((input) => /node_modules\/mjml/.test(input));
  if (hasMjml && !renders) leaks++;
  const extracts = EXTRACTING_FUNCTIONS.includes(fn);
  const hasExtractor = Object.keys(meta.inputs).some((input) => EXTRACTOR.test(input));
  if (hasExtractor && !extracts) leaks++;
  rows.push([
    fn,
    `${(code.length / KB).toFixed(0)} KB`,
    `${(gzipSync(code).length / KB).toFixed(0)} KB`,
    hasMjml ? (renders ? 'yes (renders)' : 'YES, LEAKED') : 'no',
    hasExtractor ? (extracts ? 'yes (reads)' : 'YES, LEAKED') : 'no',
    `${coldImportMs(outfile).toFixed(0)} ms`,
    largestPackages(meta, 'index.mjs'),
  ]);
}

const header = ['function', 'bundle', 'gzip', 'mjml', 'extractor', 'cold import', 'largest packages'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
console.log(line(header));
for (const row of rows) console.log(line(row));
console.log(`\nbundles in ${OUT}`);
if (leaks > 0) {
  console.error(`mjml or the HTML extractor is bundled into ${leaks} function(s) that do not need it`);
  process.exit(1);
}
