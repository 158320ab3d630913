/**
 * `npm run screenshots`: phone-sized (375 px) screenshots of what a subscriber sees, light and dark,
 * for the digest, the alert and the archive index, with Debian's Chromium
 * (`apt-get install -y --no-install-recommends chromium`). Runs `npm run preview` first and writes
 * out/screenshots/<page>-<light|dark>.png, plus <page>-gmail-dark.png: Gmail's apps ignore our
 * dark-mode styles and invert colours themselves, which Chromium's automatic dark mode imitates on a
 * copy with those styles removed. Not part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPreview } from './preview.ts';

const OUT = 'out/screenshots';
const PREVIEW = 'out/preview';
const BROWSER = process.env.CHROMIUM ?? 'chromium';

/** Pages and the window height that shows each down to its footer. */
const PAGES: readonly { readonly name: string; readonly file: string; readonly height: number }[] = [
  { name: 'digest', file: 'digest.html', height: 5600 },
  { name: 'alert', file: 'alert.html', height: 2300 },
  { name: 'archive', file: 'archive.html', height: 1500 },
  { name: 'digest-web', file: 'digest.web.html', height: 5400 },
];

const MODES = {
  light: [],
  // prefers-color-scheme: dark, as Apple Mail and iOS Mail report it.
  dark: ['--force-dark-mode', '--blink-settings=preferredColorScheme=0'],
  // Chromium's automatic darkening of a page that has no dark styles: what Gmail's apps do.
  'gmail-dark': ['--enable-features=WebContentsForceDark'],
} as const;

function shoot(file: string, png: string, height: number, flags: readonly string[]): void {
  execFileSync(
    BROWSER,
    [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${mkdtempSync(path.join(tmpdir(), 'nb-chromium-'))}`,
      '--hide-scrollbars', `--window-size=375,${height}`, ...flags, `--screenshot=${png}`, `file://${path.resolve(file)}`,
    ],
    { stdio: 'ignore', timeout: 60_000 },
  );
}

/** A copy of an email as Gmail keeps it: no colour-scheme declaration, no dark-mode media query. */
function withoutDarkStyles(html: string): string {
  return html
    .replace(/<meta name="(?:color-scheme|supported-color-schemes)"[^>]*>/g, '')
    .replace(/:root \{[^}]*\}/, '')
    .replace(/@media \(prefers-color-scheme: ?dark\) ?\{[\s\S]*?\n {2}\}/, '')
    .replace(/@media \(prefers-color-scheme:dark\)\{[\s\S]*?\}\n\}/, '');
}

async function main(): Promise<number> {
  if ((await runPreview([], PREVIEW)) !== 0) return 1;
  mkdirSync(OUT, { recursive: true });
  for (const page of PAGES) {
    const source = path.join(PREVIEW, page.file);
    const gmailCopy = path.join(PREVIEW, `${page.name}.gmail.html`);
    writeFileSync(gmailCopy, withoutDarkStyles(readFileSync(source, 'utf8')));
    for (const [mode, flags] of Object.entries(MODES)) {
      if (mode === 'gmail-dark' && (page.name === 'archive' || page.name === 'digest-web')) continue; // web pages, not in Gmail
      const png = path.join(OUT, `${page.name}-${mode}.png`);
      shoot(mode === 'gmail-dark' ? gmailCopy : source, png, page.height, flags);
      console.log(png);
    }
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`screenshots: ${(error as Error).message} (is Chromium installed? apt-get install -y --no-install-recommends chromium)`);
    process.exitCode = 1;
  },
);
