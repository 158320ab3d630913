/**
 * `npm run compile:templates [-- --check]`: renders templates/confirm.mjml with MJML (strict
 * validation) into templates/confirm.compiled.json, the precompiled confirmation email the
 * subscribe Lambda fills without carrying mjml (lambda/shared/email/compiled.ts, issue 6).
 * Run it after editing confirm.mjml or a partial it uses (head, header, footer); `npm test` fails
 * while the committed file is stale. `--check` only reports whether it is up to date (exit 1 if not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EmailError } from '../lambda/shared/email/errors.ts';
import { compileConfirm } from '../lambda/shared/email/render.ts';

const FILE = fileURLToPath(new URL('../templates/confirm.compiled.json', import.meta.url));
const NAME = 'templates/confirm.compiled.json';

async function main(): Promise<number> {
  const compiled = await compileConfirm();
  const json = `${JSON.stringify(
    { $comment: 'Generated from templates/confirm.mjml by `npm run compile:templates`; do not edit.', ...compiled },
    null,
    2,
  )}\n`;
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(FILE, 'utf8');
    } catch {
      // a missing file is simply stale
    }
    if (current === json) {
      console.log(`${NAME} is up to date`);
      return 0;
    }
    console.error(`${NAME} is stale: run npm run compile:templates`);
    return 1;
  }
  writeFileSync(FILE, json);
  console.log(`wrote ${NAME} (${Buffer.byteLength(compiled.html, 'utf8')} bytes of HTML)`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A template error (invalid MJML, a missing partial) is reported without a stack trace.
    console.error(`compile:templates: ${error instanceof EmailError ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
