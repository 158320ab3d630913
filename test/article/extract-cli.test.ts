import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main as analyze } from '../../scripts/analyze.ts';
import { main } from '../../scripts/extract.ts';

function capture() {
  let out = '';
  let err = '';
  return { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) }, out: () => out, err: () => err };
}

const dir = mkdtempSync(join(tmpdir(), 'newsbrief-extract-'));
const EXAMPLE = 'examples/articles/2026-10-14-seoul-tokyo-shuttle-talks.html';
const BODY = ['The ferry service to the islands resumes on Friday after a month of repairs to the harbour wall.', 'Tickets bought for cancelled crossings will be honoured until the end of the year, the operator said.'];
const story = (title: string) =>
  `<html><head><title>${title}</title></head><body><nav><a href="/">Home</a></nav><article><h1>${title}</h1>${BODY.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`;

describe('npm run extract -- PAGE.html', () => {
  it('prints the headline, date, author, site, canonical URL and the body without its furniture', async () => {
    const c = capture();
    expect(await main([EXAMPLE], c.io)).toBe(0);
    const out = c.out();
    expect(out).toContain('Seoul and Tokyo agree to restart shuttle diplomacy\n===');
    expect(out).toContain('Published: 2026-10-14T09:30:00+09:00\nBy: Hana Yoon\nSource: The Harbour Courier\nURL: https://courier.example.com/asia/2026/10/14/seoul-tokyo-shuttle-talks\n');
    expect(out).toMatch(/^South Korea and Japan will hold talks/m);
    for (const furniture of ['Share on Facebook', 'Photo: Courier staff', 'Sign up for our free newsletter', 'Related:', 'Typhoon season', 'All rights reserved']) {
      expect(out).not.toContain(furniture);
    }
    expect(c.err()).toBe('');
  });

  it('--json gives the article fields; --url resolves a page without a canonical link', async () => {
    const p = join(dir, 'ferry.html');
    writeFileSync(p, story('Ferry service resumes'));
    const c = capture();
    expect(await main([p, '--json', '--url', 'https://news.example.org/ferry'], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ title: 'Ferry service resumes', url: 'https://news.example.org/ferry', paragraphs: BODY, format: 'html' });
  });

  it('reports a bad page by name and reason, and exits 1', async () => {
    const p = join(dir, 'notes.html');
    writeFileSync(p, 'only text, no markup');
    const c = capture();
    expect(await main([p], c.io)).toBe(1);
    expect(c.err()).toBe(`error: ${p}: not an HTML page (no <html>, <head>, <body> or block tags in the first 64 KB)\n`);
  });
});

describe('npm run extract -- --bench DIR --out PRED.json', () => {
  it('writes {id: {articleBody}} for every page, paragraphs separated by blank lines; a failed page is empty and reported', async () => {
    const bench = join(dir, 'bench');
    mkdirSync(bench);
    writeFileSync(join(bench, 'aaa.html.gz'), gzipSync(story('Ferry service resumes')));
    writeFileSync(join(bench, 'bbb.html'), story('Harbour wall repaired'));
    writeFileSync(join(bench, 'ccc.html.gz'), gzipSync('<html><body><nav><a href="/">Home</a></nav></body></html>'));
    writeFileSync(join(bench, 'README.md'), 'not a page');
    const out = join(dir, 'pred.json');
    const c = capture();
    expect(await main(['--bench', bench, '--out', out], c.io)).toBe(1);
    const pred = JSON.parse(readFileSync(out, 'utf8')) as Record<string, { articleBody: string }>;
    expect(Object.keys(pred).sort()).toEqual(['aaa', 'bbb', 'ccc']);
    expect(pred.aaa?.articleBody).toBe(BODY.join('\n\n'));
    expect(pred.bbb?.articleBody).toBe(BODY.join('\n\n'));
    expect(pred.ccc?.articleBody).toBe('');
    expect(c.err()).toMatch(new RegExp(`^error: ${join(bench, 'ccc.html.gz')}: no (?:headline|article)`, 'm'));
    expect(c.err()).toMatch(/extracted 2 of 3 pages → .*pred\.json; median \d+\.\d ms per page/);
  });

  it('is a usage error (exit 2) without --out, or with page arguments', async () => {
    for (const argv of [['--bench', dir], ['--bench', dir, '--out', 'x.json', 'page.html'], []]) {
      const c = capture();
      expect(await main(argv, c.io)).toBe(2);
      expect(c.err()).toContain('usage:');
    }
  });
});

describe('npm run analyze -- PAGE.html', () => {
  it('briefs a web page like any article, with its byline', async () => {
    const c = capture();
    expect(await analyze([EXAMPLE], c.io)).toBe(0);
    expect(c.out()).toContain('By: Hana Yoon');
    expect(c.out()).toMatch(/— Park Ji-won, South Korean Foreign Minister/);
  });
});
