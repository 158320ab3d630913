/** The archive's HTTP edge: index, feed and pages per mode, and the headers that keep unlisted pages unlisted. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchiveApp } from '../../lambda/archive/app.ts';
import { entryKey, pageKey, type ArchiveEntry } from '../../lambda/shared/archive/model.ts';
import { FolderBlobStore } from '../../lambda/shared/delivery/folder-blobs.ts';
import { silentLog } from '../../lambda/shared/logger.ts';

const root = mkdtempSync(path.join(tmpdir(), 'newsbrief-archive-app-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const objects = new FolderBlobStore(root);

const id = (n: number) => `page${String(n).padStart(18, '0')}`;
function entry(n: number, over: Partial<ArchiveEntry> = {}): ArchiveEntry {
  return {
    id: id(n),
    kind: 'digest',
    frequency: 'daily',
    issueDate: `2026-11-${String(n).padStart(2, '0')}T07:00:00.000Z`,
    label: `Daily digest · ${n} November 2026`,
    subject: `Lead story ${n} <&> (+2 more)`,
    preheader: `3 stories: lead ${n}`,
    articles: 3,
    publishedAt: `2026-11-${String(n).padStart(2, '0')}T07:01:00.000Z`,
    ...over,
  };
}

beforeAll(async () => {
  for (const e of [entry(1), entry(2), entry(3), entry(4, { id: id(40), articles: 1, subject: 'Only asia' })]) {
    await objects.put(entryKey(e), JSON.stringify(e), 'application/json');
    await objects.put(pageKey(e.id), `<html><body>issue ${e.id}</body></html>`, 'text/html');
  }
  // The fullest topic edition of issue 4 (same run, more articles): the one the index shows.
  await objects.put(entryKey(entry(4)), JSON.stringify(entry(4)), 'application/json');
  await objects.put(pageKey(id(4)), '<html><body>issue 4, all topics</body></html>', 'text/html');
});

function get(rawPath: string): APIGatewayProxyEventV2 {
  return { rawPath, requestContext: { http: { method: 'GET' } } } as unknown as APIGatewayProxyEventV2;
}

const app = (mode: 'public' | 'unlisted' | 'off') =>
  createArchiveApp({ reader: objects, mode, newsletterName: 'newsbrief', publicUrl: 'https://news.example.com', log: silentLog, now: () => 0 });

describe('archive app', () => {
  it('public: the index lists each issue once, newest first, its fullest edition, escaped', async () => {
    const res = await app('public')(get('/archive'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const links = [...res.body.matchAll(/href="https:\/\/news\.example\.com\/archive\/([A-Za-z0-9_-]{22})"/g)].map((m) => m[1]);
    expect(links).toEqual([id(4), id(3), id(2), id(1)]);
    expect(res.body).toContain('Lead story 4 &lt;&amp;&gt; (+2 more)');
    expect(res.body).toContain('href="https://news.example.com/archive/feed.xml"');
  });

  it('public: the Atom feed has the same entries with absolute links', async () => {
    const res = await app('public')(get('/archive/feed.xml'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(res.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    expect([...res.body.matchAll(/<id>https:\/\/news\.example\.com\/archive\/([^<]+)<\/id>/g)].map((m) => m[1])).toEqual([id(4), id(3), id(2), id(1)]);
    expect(res.body).toContain('<title>Daily digest · 4 November 2026: Lead story 4 &lt;&amp;&gt; (+2 more)</title>');
    expect(res.body).toContain('<updated>2026-11-04T07:01:00.000Z</updated>');
  });

  it('serves a page, cacheable, never sending its URL on as a Referer', async () => {
    const res = await app('public')(get(`/archive/${id(2)}`));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`issue ${id(2)}`);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toContain('public');
    expect(res.headers['x-robots-tag']).toBeUndefined();
  });

  it('unlisted: pages only, kept out of search engines; no index, no feed', async () => {
    const page = await app('unlisted')(get(`/archive/${id(2)}`));
    expect(page.statusCode).toBe(200);
    expect(page.headers['x-robots-tag']).toBe('noindex, nofollow');
    expect((await app('unlisted')(get('/archive'))).statusCode).toBe(404);
    expect((await app('unlisted')(get('/archive/feed.xml'))).statusCode).toBe(404);
  });

  it('off: nothing', async () => {
    for (const p of ['/archive', '/archive/feed.xml', `/archive/${id(2)}`]) expect((await app('off')(get(p))).statusCode).toBe(404);
  });

  it('answers 404 for unknown and malformed ids and paths that try to leave the archive, 405 for POST', async () => {
    for (const p of [`/archive/${id(99)}`, '/archive/short', '/archive/..%2F..%2Fissues', '/archive/../issues/x', '/archive/a/b', '/elsewhere']) {
      expect((await app('public')(get(p))).statusCode).toBe(404);
    }
    const post = await app('public')({ ...get('/archive'), requestContext: { http: { method: 'POST' } } } as unknown as APIGatewayProxyEventV2);
    expect(post.statusCode).toBe(405);
    expect(JSON.parse(post.body)).toMatchObject({ error: 'method_not_allowed' });
  });
});
