import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../scripts/analyze.ts';

function capture(): { io: { out(t: string): void; err(t: string): void }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => void (out += t), err: (t) => void (err += t) }, out: () => out, err: () => err };
}

const dir = mkdtempSync(join(tmpdir(), 'newsbrief-cli-'));
const SAMPLE = 'examples/articles/2018-09-11-second-trump-kim-meet.txt';

describe('npm run analyze -- FILE…', () => {
  it('prints title, date, summary and key quotes with speaker and role', async () => {
    const c = capture();
    expect(await main([SAMPLE], c.io)).toBe(0);
    const out = c.out();
    expect(out).toContain('US Coordinating 2nd Meet Of Trump And Kim Jong-Un At Request Of North Korea: WH');
    expect(out).toContain('Published: 2018-09-11T14:06:00+05:30');
    expect(out).toMatch(/Summary:\n {2}• Around 3 months/);
    expect(out).toMatch(/Key quotes:\n {2}“/);
    expect(out).toMatch(/— [A-Z][a-z]+ [A-Z][a-z]+, /);
    expect(c.err()).toBe('');
  });

  it('prints "date unknown" with the reason when the date cannot be read', async () => {
    const p = join(dir, 'undated.txt');
    writeFileSync(p, 'Headline here\n\n| Someday , 14:06 IST\n\nThe council met on Monday and agreed the budget.');
    const c = capture();
    expect(await main([p], c.io)).toBe(0);
    expect(c.out()).toMatch(/Published: date unknown \(unrecognised date/);
  });

  it('reads a directory, reports bad files by name and reason on stderr, and exits non-zero', async () => {
    const d = join(dir, 'mixed');
    mkdirSync(d);
    writeFileSync(join(d, 'a-good.md'), '---\ntitle: Good one\ndate: 2026-01-01\n---\n\nA fine body sentence about the harbour.');
    writeFileSync(join(d, 'b-empty.txt'), '');
    writeFileSync(join(d, 'c-binary.json'), Buffer.from([0, 1, 2, 3]));
    writeFileSync(join(d, 'notes.csv'), 'ignored,because,not,an,article');
    const c = capture();
    expect(await main([d, join(dir, 'missing.txt')], c.io)).toBe(1);
    expect(c.out()).toContain('Good one');
    expect(c.err()).toContain(`${join(d, 'b-empty.txt')}: file is empty`);
    expect(c.err()).toMatch(/c-binary\.json: binary file/);
    expect(c.err()).toContain(`${join(dir, 'missing.txt')}: no such file`);
    expect(c.err()).not.toContain('notes.csv');
    expect(c.err()).not.toMatch(/\n\s+at /); // no stack traces
  });

  it('prints usage and exits 2 without arguments or with a bad option', async () => {
    const c = capture();
    expect(await main([], c.io)).toBe(2);
    expect(c.err()).toMatch(/usage:/);
    expect(await main(['--bogus'], capture().io)).toBe(2);
    expect(await main(['--out', 'x.jsonl'], capture().io)).toBe(2);
  });
});

describe('npm run analyze -- --jsonl IN --out OUT', () => {
  it('writes one PRED line per good record and reports bad lines without stopping', async () => {
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    const text = 'Harbour reopens\n\nThe harbour reopened on Monday. "We are back in business," said harbour master Tom Reid.\n\nBoats queued all day.';
    writeFileSync(
      input,
      [
        JSON.stringify({ id: 'a', text }),
        '{not json',
        JSON.stringify({ id: 'b' }),
        '',
        JSON.stringify({ id: 7, text: 'Second record.\n\nIt has a body sentence.' }),
      ].join('\n'),
    );
    const c = capture();
    expect(await main(['--jsonl', input, '--out', output], c.io)).toBe(1);
    expect(c.err()).toContain(`${input}:2: not JSON`);
    expect(c.err()).toContain(`${input}:3: "text" is missing`);
    expect(c.err()).toMatch(/analyzed 2 articles/);
    const lines = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string | number; summary: string[]; quotes: { start: number; end: number; text: string; speaker: string | null }[] });
    expect(lines.map((l) => l.id)).toEqual(['a', 7]);
    const a = lines[0];
    expect(a?.summary[0]).toBe('The harbour reopened on Monday.');
    for (const q of a?.quotes ?? []) {
      expect(text.slice(q.start, q.end)).toContain(q.text.slice(0, 10));
      expect(q.speaker === null || typeof q.speaker === 'string').toBe(true);
    }
  });

  it('exits 0 on a clean input and 1 on a missing one', async () => {
    const input = join(dir, 'clean.jsonl');
    // A byte-order mark and CRLF line ends (files saved on Windows) are not errors.
    writeFileSync(input, `\uFEFF${JSON.stringify({ id: 'x', text: 'One sentence here.' })}\r\n`);
    const c = capture();
    expect(await main(['--jsonl', input, '--out', join(dir, 'clean-out.jsonl')], c.io)).toBe(0);
    const m = capture();
    expect(await main(['--jsonl', join(dir, 'nope.jsonl')], m.io)).toBe(1);
    expect(m.err()).toContain('nope.jsonl: no such file');
  });

  it('writes to stdout without --out', async () => {
    const input = join(dir, 'stdout.jsonl');
    writeFileSync(input, `${JSON.stringify({ id: 's', text: 'A short article body.' })}\n`);
    const c = capture();
    expect(await main(['--jsonl', input], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ id: 's', summary: ['A short article body.'] });
  });
});

describe('the analyze entry point as a process', () => {
  it('runs under tsx, prints the brief, and sets the exit code', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/analyze.ts', ...args], { encoding: 'utf8' });
    const ok = run([SAMPLE]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('Published: 2018-09-11T14:06:00+05:30');
    const bad = run([join(dir, 'does-not-exist.md')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('does-not-exist.md: no such file');
  });
});
