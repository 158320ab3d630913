import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseError } from './parse-error.ts';
import { articleText } from '../../lambda/shared/article/model.ts';
import { MAX_ARTICLE_BYTES, parseArticle, stripMarkdown } from '../../lambda/shared/article/parse.ts';
import { readArticleFile } from '../../lambda/shared/article/read.ts';

const SAMPLE = 'examples/articles/2018-09-11-second-trump-kim-meet.txt';


describe('plain text articles', () => {
  it('reads the sample: headline, IST dateline, paragraphs, without the ALSO READ line', async () => {
    const a = await readArticleFile(SAMPLE);
    expect(a.title).toBe('US Coordinating 2nd Meet Of Trump And Kim Jong-Un At Request Of North Korea: WH');
    expect(a.publishedAt).toBe('2018-09-11T14:06:00+05:30');
    expect(a.format).toBe('text');
    expect(a.paragraphs).toHaveLength(10);
    expect(a.paragraphs[0]).toMatch(/^Around 3 months after the historic summit/);
    expect(a.paragraphs.some((p) => p.includes('ALSO READ'))).toBe(false);
  });

  it('folds soft line breaks, reads Source/URL/Topics header lines, drops cross-promotion lines', () => {
    const a = parseArticle(
      'A headline\n\n| 1 May 2024, 08:00 GMT\n\nSource: Wire\n\nURL: https://example.com/a\n\nTopics: world, asia\n\nFirst line\ncontinues here.\n\nRead more: something else\n\nSecond.\n',
      'a.txt',
    );
    expect(a).toMatchObject({ title: 'A headline', publishedAt: '2024-05-01T08:00:00+00:00', source: 'Wire', url: 'https://example.com/a', topics: ['world', 'asia'] });
    expect(a.paragraphs).toEqual(['First line continues here.', 'Second.']);
    expect(articleText(a)).toBe('A headline\n\nFirst line continues here.\n\nSecond.');
  });

  it('keeps an article whose date cannot be read, with the reason', () => {
    const a = parseArticle('Headline\n\n| Sometime in spring , 14:06 IST\n\nBody text.', 'x.txt');
    expect(a.publishedAt).toBeNull();
    expect(a.dateProblem).toMatch(/unrecognised date/);
    expect(a.paragraphs).toEqual(['Body text.']);
  });

  it('has no date and says so when there is no dateline', () => {
    const a = parseArticle('Headline\n\nBody text.', 'x.txt');
    expect(a.publishedAt).toBeNull();
    expect(a.dateProblem).toBe('no dateline');
  });
});

describe('Markdown with front matter', () => {
  it('reads front matter and strips inline Markdown from paragraphs', () => {
    const md = [
      '---',
      'title: Rivers run low',
      'date: 2026-08-01T10:00:00+02:00',
      'source: Desk',
      'url: https://example.com/rivers',
      'topics: [climate, Europe]',
      'summary: Rivers are low. Barges are stuck.',
      'quotes:',
      '  - text: We have never seen this.',
      '    speaker: Ana Ruiz',
      '    role: hydrologist',
      '---',
      '',
      '## Background',
      '',
      'The **Rhine** is at a _record_ low, see [the data](https://example.com/d) and `gauge_7`.',
      '',
      '> "We have never seen this," said Ana Ruiz.',
      '',
      '- snake_case_names stay intact',
    ].join('\n');
    const a = parseArticle(md, 'rivers.md');
    expect(a).toMatchObject({
      title: 'Rivers run low', publishedAt: '2026-08-01T10:00:00+02:00', source: 'Desk', url: 'https://example.com/rivers',
      topics: ['climate', 'europe'], format: 'markdown',
      summary: ['Rivers are low.', 'Barges are stuck.'],
      quotes: [{ text: 'We have never seen this.', speaker: 'Ana Ruiz', role: 'hydrologist' }],
    });
    expect(a.paragraphs).toEqual([
      'The Rhine is at a record low, see the data and gauge_7.',
      '"We have never seen this," said Ana Ruiz.',
      'snake_case_names stay intact',
    ]);
  });

  it('takes the headline from a # heading when front matter has no title', () => {
    const a = parseArticle('# Heading *title*\n\nBody.', 'h.markdown');
    expect(a.title).toBe('Heading title');
    expect(a.publishedAt).toBeNull();
  });

  it('rejects invalid YAML and unclosed front matter with the reason', () => {
    expect(parseError(() => parseArticle('---\ntitle: [unclosed\n---\nBody', 'bad.md')).reason).toMatch(/front matter is not valid YAML/);
    expect(parseError(() => parseArticle('---\ntitle: x\nBody', 'bad.md')).reason).toMatch(/not closed/);
    expect(parseError(() => parseArticle('---\ntitle: x\nurl: not a url\n---\nBody', 'bad.md')).reason).toMatch(/front matter: url/);
  });

  it('strips emphasis but leaves lone asterisks and underscores alone', () => {
    expect(stripMarkdown('a *b* c __d__ e * f 2*3 snake_case')).toBe('a b c d e * f 2*3 snake_case');
  });
});

describe('JSON articles', () => {
  it('reads body as a string with blank-line paragraphs or as an array', () => {
    const base = { title: 'T', publishedAt: '2026-01-02T03:04:05-05:00', url: 'https://example.com/t', topics: ['business'] };
    const a = parseArticle(JSON.stringify({ ...base, body: 'One.\n\nTwo.' }), 't.json');
    const b = parseArticle(JSON.stringify({ ...base, body: ['One.', 'Two.'] }), 't.json');
    expect(a.paragraphs).toEqual(['One.', 'Two.']);
    expect(b).toEqual(a);
    expect(a).toMatchObject({ title: 'T', publishedAt: '2026-01-02T03:04:05-05:00', topics: ['business'], format: 'json' });
  });

  it('validates with a schema and names the failing field', () => {
    expect(parseError(() => parseArticle('{"title":"T","body":42}', 'b.json')).reason).toMatch(/body: must be a string or a list of paragraph strings/);
    expect(parseError(() => parseArticle('{"title":"T"}', 'b.json')).reason).toMatch(/body: is missing/);
    expect(parseError(() => parseArticle('{"title":"T"', 'b.json')).reason).toMatch(/not valid JSON/);
    expect(parseError(() => parseArticle('[1,2]', 'b.json')).reason).toMatch(/must be an object/);
    expect(parseError(() => parseArticle('{"body":"x"}', 'b.json')).reason).toMatch(/no headline/);
  });

  it('reads the example JSON article with its editor summary', async () => {
    const a = await readArticleFile('examples/articles/2026-05-19-port-automation-vote.json');
    expect(a.publishedAt).toBe('2026-05-19T18:45:00-04:00');
    expect(a.summary).toHaveLength(2);
  });
});

describe('bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'newsbrief-parse-'));

  it('empty file', async () => {
    const p = join(dir, 'empty.txt');
    writeFileSync(p, '  \n\n ');
    await expect(readArticleFile(p)).rejects.toMatchObject({ name: 'ArticleParseError', file: p, reason: 'file is empty' });
  });

  it('binary file: NUL bytes or invalid UTF-8', async () => {
    const p = join(dir, 'image.txt');
    writeFileSync(p, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    await expect(readArticleFile(p)).rejects.toMatchObject({ file: p, reason: expect.stringMatching(/binary file/) });
    const err = parseError(() => parseArticle(Buffer.from([0x48, 0x69, 0xff, 0xfe, 0x0a]), 'latin.txt'));
    expect(err.reason).toMatch(/not UTF-8/);
    expect(err.cause).toBeDefined();
  });

  it('no headline', () => {
    expect(parseError(() => parseArticle('| September 11 , 2018 , 14:06 IST\n\nBody.', 'n.txt')).reason).toMatch(/no headline/);
    expect(parseError(() => parseArticle('---\nsource: x\n---\n\nJust a paragraph.', 'n.md')).reason).toMatch(/no headline/);
    expect(parseError(() => parseArticle(`${'word '.repeat(100)}\n\nBody.`, 'n.txt')).reason).toMatch(/no headline/);
  });

  it('headline without body', () => {
    expect(parseError(() => parseArticle('Only a headline\n', 'h.txt')).reason).toMatch(/no body/);
  });

  it('file over 1 MB, refused before it is read', async () => {
    const p = join(dir, 'huge.txt');
    writeFileSync(p, `Headline\n\n${'x'.repeat(MAX_ARTICLE_BYTES)}`);
    await expect(readArticleFile(p)).rejects.toMatchObject({ file: p, reason: expect.stringMatching(/too large .*1 MB/) });
    expect(parseError(() => parseArticle(readFileSync(p), p)).reason).toMatch(/too large/);
  });

  it('missing file and unsupported extension', async () => {
    await expect(readArticleFile(join(dir, 'nope.txt'))).rejects.toMatchObject({ reason: 'no such file' });
    expect(parseError(() => parseArticle('Headline\n\nBody.', 'a.docx')).reason).toMatch(/unsupported file type/);
  });

  it('the message names the file and the reason', () => {
    const err = parseError(() => parseArticle('', 'dir/empty.md'));
    expect(err.message).toBe('dir/empty.md: file is empty');
    expect(err.file).toBe('dir/empty.md');
  });
});
