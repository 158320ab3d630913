import { describe, expect, it } from 'vitest';
import {
  IssueArchiveError,
  issueKey,
  parseRenderedIssue,
  readIssue,
  selectionKey,
  writeIssue,
  type RenderedIssue,
} from '../../lambda/shared/delivery/issue.ts';

const issue: RenderedIssue = {
  schemaVersion: 1,
  runId: 'digest#daily#2026-11-27T06:00:00.000Z',
  kind: 'digest',
  frequency: 'daily',
  topics: ['asia', 'world'],
  selection: 'asia+world',
  articleIds: ['a1'],
  email: {
    kind: 'digest',
    subject: 'S',
    html: '<p>h</p>',
    text: 't',
    preheader: 'p',
    slotKey: 'k1',
    slots: ['unsubscribeUrl', 'preferencesUrl', 'greeting'],
  },
  renderedAt: '2026-11-27T06:00:01.000Z',
};

describe('issues archive', () => {
  it('keys a selection by its sorted, de-duplicated topics, and the empty selection as all', () => {
    expect(selectionKey(['world', 'asia', 'world'])).toBe('asia+world');
    expect(selectionKey([])).toBe('all');
    const long = Array.from({ length: 40 }, (_, i) => `topic-${i}`);
    expect(selectionKey(long)).toMatch(/^h-[0-9a-f]{32}$/);
    expect(selectionKey([...long].reverse())).toBe(selectionKey(long));
  });

  it('encodes run ids so keys are safe as S3 keys and file names', () => {
    expect(issueKey('alert#abc', 'all')).toBe('issues/alert%23abc/all.json');
  });

  it('round-trips through a blob store and rejects malformed objects with the key named', async () => {
    const objects = new Map<string, Buffer | string>();
    const blobs = {
      get: async (k: string) => (objects.has(k) ? Buffer.from(objects.get(k) as string) : null),
      put: async (k: string, body: string | Buffer) => void objects.set(k, body),
    };
    const key = await writeIssue(blobs, issue);
    expect(await readIssue(blobs, key)).toEqual(issue);
    await expect(readIssue(blobs, 'issues/none/all.json')).rejects.toThrow(/issues\/none\/all.json: no such issue/);
    expect(() => parseRenderedIssue('k', '{')).toThrow(IssueArchiveError);
    expect(() => parseRenderedIssue('k', JSON.stringify({ ...issue, articleIds: [] }))).toThrow(/k: not a rendered issue .*articleIds/);
  });
});
