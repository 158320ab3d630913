/** Publishing web versions: the page and index entry written with each render, per archive mode. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withLeadIns } from '../../lambda/shared/article/lead-in.ts';
import { ENTRIES_PREFIX, entrySchema, PAGES_PREFIX } from '../../lambda/shared/archive/model.ts';
import { createArchivePublisher, type RenderEdition } from '../../lambda/shared/archive/publish.ts';
import { FolderBlobStore } from '../../lambda/shared/delivery/folder-blobs.ts';
import { personalise } from '../../lambda/shared/email/personalise.ts';
import { renderAlert, renderDigest } from '../../lambda/shared/email/render.ts';
import { brief, digestOptions } from '../email/fixtures.ts';

const root = mkdtempSync(path.join(tmpdir(), 'newsbrief-archive-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const briefs = [brief(1), brief(2)];
const render: RenderEdition = (web) => renderDigest(briefs, { ...digestOptions, ...(web === undefined ? {} : { web: web.links, edition: web.edition }) });
const facts = { kind: 'digest', frequency: 'daily', issueDate: '2026-11-27T07:00:00.000Z', articles: 2 } as const;

function publisherIn(dir: string, mode: 'public' | 'unlisted' | 'off') {
  const objects = new FolderBlobStore(path.join(root, dir));
  return { objects, publisher: createArchivePublisher({ mode, publicUrl: 'https://news.example.com/', objects, now: () => Date.parse('2026-11-27T07:01:00Z') }) };
}

describe('archive publisher', () => {
  it('public: the email links to its web version, which is written with its index entry', async () => {
    const { objects, publisher } = publisherIn('public', 'public');
    const email = await publisher.publish(render, facts);
    const url = /href="(https:\/\/news\.example\.com\/archive\/[A-Za-z0-9_-]{22})"[^>]*>View in your browser</.exec(email.html)?.[1];
    expect(url).toBeDefined();
    expect(email.text).toContain(`View in your browser: ${url}`);
    const id = (url as string).split('/').pop() as string;
    const page = (await objects.get(`${PAGES_PREFIX}${id}.html`))?.toString('utf8') ?? '';
    expect(page).toContain('This is the web version of the newsbrief daily digest of 27 November 2026.');
    expect(page).toContain('href="https://news.example.com/archive"');
    expect(page).toContain('href="https://news.example.com/"');
    // The web version is nobody's copy: no slots, no unsubscribe or preferences link, no "view in browser".
    expect(page).not.toMatch(/NBSLOT_|Unsubscribe|Manage preferences|View in your browser/);
    const keys = await objects.list(ENTRIES_PREFIX, 10);
    expect(keys).toHaveLength(1);
    const entry = entrySchema.parse(JSON.parse((await objects.get(keys[0] as string))!.toString('utf8')));
    expect(entry).toMatchObject({ id, kind: 'digest', label: 'Daily digest · 27 November 2026', subject: email.subject, articles: 2 });
  });

  it('unlisted: a page at an unguessable URL, no index entry, no link to an index', async () => {
    const { objects, publisher } = publisherIn('unlisted', 'unlisted');
    const email = await publisher.publish(render, facts);
    const pages = await objects.list(PAGES_PREFIX, 10);
    expect(pages).toHaveLength(1);
    expect(email.html).toContain(pages[0]?.slice(PAGES_PREFIX.length, -'.html'.length));
    expect(await objects.list(ENTRIES_PREFIX, 10)).toEqual([]);
    expect(readFileSync(path.join(root, 'unlisted', pages[0] as string), 'utf8')).not.toContain('Past issues');
  });

  it('off: the email alone, no link and nothing written', async () => {
    const { objects, publisher } = publisherIn('off', 'off');
    const email = await publisher.publish(render, facts);
    expect(email.html).not.toContain('View in your browser');
    expect(email.text).not.toContain('View in your browser');
    expect(await objects.list('archive/', 10)).toEqual([]);
  });

  it('says nothing about a reader in an alert’s web version', async () => {
    const { objects, publisher } = publisherIn('alert', 'unlisted');
    const renderAlertEdition: RenderEdition = (web) =>
      renderAlert(brief(1), { ...digestOptions, matchedTopic: 'environment', ...(web === undefined ? {} : { web: web.links, edition: web.edition }) });
    const email = await publisher.publish(renderAlertEdition, { kind: 'alert', frequency: 'immediate', issueDate: '2026-11-27T07:00:00.000Z', articles: 1 });
    expect(email.text).toContain('one of the topics you follow');
    const page = (await objects.get((await objects.list(PAGES_PREFIX, 1))[0] as string))!.toString('utf8');
    expect(page).toContain('A new article on Environment.');
    expect(page).not.toMatch(/you follow|You get this|you asked/);
    expect(page).toContain('This is the web version of a newsbrief alert of 27 November 2026.');
  });

  it('keeps a recipient’s links out of the page: they exist only in the personalised email', async () => {
    const { objects, publisher } = publisherIn('privacy', 'public');
    const email = await publisher.publish(render, facts);
    const token = 'k1.subscriber-42.unsubscribe.0.MAC';
    const mail = personalise(email, { unsubscribeUrl: `https://news.example.com/unsubscribe?token=${token}`, preferencesUrl: `https://news.example.com/preferences?token=${token}` });
    expect(mail.html).toContain(token);
    for (const key of await objects.list('archive/', 100)) {
      const body = (await objects.get(key))!.toString('utf8');
      expect(body).not.toContain(token);
      expect(body).not.toMatch(/token=|subscriber-42/);
    }
  });
});

describe('lead-ins of fragment quotes', () => {
  const article = {
    title: 'Headline',
    paragraphs: [
      'Sanders said that while the note is "further indication of the progress that we hope to continue to make," there is still doubt.',
      'Bolton called the talks "very productive."',
      '"We will keep talking," Kim said.',
    ],
  };
  const text = ['Headline', ...article.paragraphs].join('\n\n');
  const at = (words: string) => ({ text: words, start: text.indexOf(words), end: text.indexOf(words) + words.length, speaker: { name: 'X' } });

  it('takes the words before the opening mark, and says whether the sentence goes on', () => {
    const [sanders, bolton, kim] = withLeadIns(article, [
      at('further indication of the progress that we hope to continue to make'),
      at('very productive.'),
      at('We will keep talking,'),
    ]);
    expect(sanders).toMatchObject({ leadIn: 'Sanders said that while the note is', sentenceEnds: false });
    expect(bolton).toMatchObject({ leadIn: 'Bolton called the talks', sentenceEnds: true });
    expect(kim).not.toHaveProperty('leadIn');
  });

  it('gives no lead-in when the offsets do not point at the quote (an editor’s quote)', () => {
    const [q] = withLeadIns(article, [{ text: 'very productive', start: 0, end: 15, speaker: null }]);
    expect(q).not.toHaveProperty('leadIn');
  });
});
