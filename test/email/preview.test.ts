/** `npm run preview`: the emails as the sender builds them, their web versions and the archive index. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runPreview } from '../../scripts/preview.ts';
import { parseMessage } from './mime-helpers.ts';

const out = path.join(mkdtempSync(path.join(tmpdir(), 'newsbrief-preview-')), 'preview');
afterAll(() => rmSync(path.dirname(out), { recursive: true, force: true }));
const read = (name: string) => readFileSync(path.join(out, name), 'utf8');

beforeAll(async () => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  expect(await runPreview(['examples/articles'], out)).toBe(0);
  vi.restoreAllMocks();
}, 120_000);

describe('npm run preview', () => {
  it('writes each email as the sender builds it: the .html and .txt are the parts of the .eml', () => {
    for (const name of ['digest', 'alert', 'confirm']) {
      const { parts } = parseMessage(read(`${name}.eml`));
      expect(parts.map((p) => p.body)).toEqual([read(`${name}.txt`), read(`${name}.html`)].map((b) => b.replace(/\n/g, '\r\n')));
    }
    // Real mail has no greeting, so neither has the preview.
    expect(read('digest.txt')).not.toMatch(/^Hello/m);
    expect(read('digest.txt')).toMatch(/^newsbrief\nDaily digest · /m);
  });

  it('writes the web versions and the archive index, and the emails link to those pages', () => {
    for (const name of ['digest', 'alert']) {
      const url = /View in your browser: (\S+)/.exec(read(`${name}.txt`))?.[1] as string;
      const id = url.split('/').pop() as string;
      expect(existsSync(path.join(out, 'bucket', 'archive', 'pages', `${id}.html`))).toBe(true);
      expect(read(`${name}.web.html`)).toBe(read(path.join('bucket', 'archive', 'pages', `${id}.html`)));
      expect(read('archive.html')).toContain(`href="${url}"`);
      expect(read('feed.xml')).toContain(`<id>${url}</id>`);
    }
  });

  it('keeps the subscriber out of the web versions and the index: no address, no id, no token', () => {
    const eml = read('digest.eml');
    const token = /unsubscribe\?token=([^\s"]+)/.exec(eml)?.[1] as string;
    expect(token).toMatch(/^preview\.preview-subscriber\.unsubscribe\./);
    for (const name of ['digest.web.html', 'alert.web.html', 'archive.html', 'feed.xml']) {
      const page = read(name);
      expect(page).not.toContain('reader@example.com');
      expect(page).not.toContain('preview-subscriber');
      expect(page).not.toContain(token);
      expect(page).not.toMatch(/token=|NBSLOT_|Unsubscribe|Manage preferences/);
    }
    expect(read('digest.web.html')).toContain('This is the web version of the newsbrief daily digest');
  });
});
