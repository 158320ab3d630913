import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'newsbrief-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The template lookup must work where esbuild's output runs: one file at the task root, with
// templates/ copied beside it (what the CDK's afterBundling hook does), not the source tree.
describe('rendering from an esbuild bundle', () => {
  it('finds templates copied next to the bundle and renders', { timeout: 120_000 }, async () => {
    const entry = join(work, 'entry.ts');
    writeFileSync(
      entry,
      [
        `import { renderConfirm } from ${JSON.stringify(join(root, 'lambda/shared/email/render.ts'))};`,
        `import { personalise } from ${JSON.stringify(join(root, 'lambda/shared/email/personalise.ts'))};`,
        'const rendered = await renderConfirm({ newsletterName: "Bundled Brief", postalAddress: "1 Main St" });',
        'const out = personalise(rendered, { confirmUrl: "https://a.example/confirm?token=t" });',
        'console.log(JSON.stringify({ subject: out.subject, html: out.html.length, link: out.html.includes("https://a.example/confirm?token=t") }));',
      ].join('\n'),
    );
    const task = join(work, 'task');
    await build({
      entryPoints: [entry],
      outfile: join(task, 'index.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      // CommonJS dependencies need a real require inside an ESM bundle; typescript is only a lazy,
      // never-taken branch of cosmiconfig (via htmlnano) and would add ~9 MB.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      external: ['typescript'],
      logLevel: 'silent',
    });
    cpSync(join(root, 'templates'), join(task, 'templates'), { recursive: true });
    const { stdout } = await promisify(execFile)(process.execPath, [join(task, 'index.mjs')], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', LAMBDA_TASK_ROOT: task },
    });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { subject: string; html: number; link: boolean };
    expect(result).toEqual({ subject: 'Confirm your subscription to Bundled Brief', html: expect.any(Number), link: true });
    expect(result.html).toBeGreaterThan(1000);
  });
});
