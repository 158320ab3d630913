import { beforeEach, describe, expect, it } from 'vitest';
import type { Analysis, Article } from '../../lambda/shared/article/model.ts';
import { ArticleParseError } from '../../lambda/shared/article/errors.ts';
import { parseArticle } from '../../lambda/shared/article/parse.ts';
import { MemoryArticleStore } from '../../lambda/shared/delivery/articles.ts';
import { alertRunId, ingestArticle, type IngestDeps, type RenderAlert } from '../../lambda/shared/delivery/ingest.ts';
import { readIssue } from '../../lambda/shared/delivery/issue.ts';
import { MemoryRunStore } from '../../lambda/shared/delivery/runs.ts';
import { parseTopicRules, topicsOf, TopicRulesError, toSlug } from '../../lambda/shared/delivery/topics.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { memoryRecordBackend } from '../../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriberStore } from '../../lambda/shared/subscriptions/record-store.ts';
import { confirmed, fakeEmail, MapBlobs, RecordingQueue, seed, TestClock } from './digest-fixtures.ts';

/** A stand-in analysis (the real one has its own tests): first paragraph as summary, first quoted span as key quote. */
function analyze(article: Article): Analysis {
  const body = article.paragraphs.join('\n\n');
  const m = /"([^"]+)"/.exec(body);
  const keyQuotes = m ? [{ text: m[1]!, start: -1, end: -1, speaker: { name: 'Someone' } }] : [];
  return { summary: article.paragraphs.slice(0, 1), quotes: keyQuotes, keyQuotes };
}

const KOREA = `Second summit planned with North Korea

The White House said on Monday that a second meeting is being coordinated.

"We are waiting for steps," the adviser said.
`;

describe('topic rules', () => {
  it('takes metadata topics as slugs, else rule topics matched case-insensitively from a word start', () => {
    const rules = parseTopicRules('{"asia":["north korea","kim jong"],"sports":["ball"],"diplomacy":["denuclear"]}');
    expect(topicsOf({ title: 'NORTH  Korea talks', paragraphs: ['x'], topics: ['World News', 'world news'] }, rules)).toEqual(['world-news']);
    expect(topicsOf({ title: 'NORTH\nKorea talks', paragraphs: ['on denuclearisation'], topics: [] }, rules)).toEqual(['asia', 'diplomacy']);
    expect(topicsOf({ title: 'Kimchi festival', paragraphs: ['football'] }, rules)).toEqual([]);
    expect(toSlug('Économie & Société')).toBe('economie-societe');
  });

  it('rejects malformed rules naming the problem', () => {
    expect(() => parseTopicRules('{')).toThrow(TopicRulesError);
    expect(() => parseTopicRules('{"Asia":["x"]}')).toThrow(/TOPIC_RULES: .*lower-case/);
    expect(() => parseTopicRules('{"asia":"x"}')).toThrow(/TOPIC_RULES: asia/);
  });
});

describe('ingest and immediate alerts', () => {
  let deps: IngestDeps & { queue: RecordingQueue; blobs: MapBlobs; runs: MemoryRunStore; articles: MemoryArticleStore };
  let renders: string[];
  const clock = new TestClock(Date.parse('2026-11-27T05:00:00.000Z'));

  beforeEach(async () => {
    const backend = memoryRecordBackend();
    await seed(backend, [
      confirmed('asia-now', 'immediate', ['asia']),
      confirmed('all-now', 'immediate', []),
      confirmed('sports-now', 'immediate', ['sports']),
      confirmed('asia-daily', 'daily', ['asia']),
    ]);
    renders = [];
    const renderAlert: RenderAlert = async (brief, ctx) => {
      renders.push(`${ctx.topics.join('+') || 'all'}:${ctx.matchedTopic}`);
      return fakeEmail('alert', [brief], ctx.topics);
    };
    deps = {
      articles: new MemoryArticleStore(),
      runs: new MemoryRunStore(),
      subscribers: createSubscriberStore(backend),
      queue: new RecordingQueue(),
      blobs: new MapBlobs(),
      parse: parseArticle,
      analyze,
      renderAlert,
      rules: parseTopicRules('{"asia":["north korea"]}'),
      log: silentLog,
      now: clock.now,
      remainingMs: () => 60_000,
    };
  });

  it('stores the article with its brief and alerts the matching immediate subscribers once', async () => {
    const result = await ingestArticle(KOREA, 'articles/korea.txt', deps, { owner: 'i' });
    expect(result.outcome).toBe('ingested');
    expect(result.article.brief).toMatchObject({ title: 'Second summit planned with North Korea', topics: ['asia'] });
    expect(result.article.brief.keyQuotes[0]?.text).toBe('We are waiting for steps,');
    expect(await deps.articles.get(result.article.id)).toEqual(result.article);

    const recipients = deps.queue.recipients().sort();
    expect(recipients).toEqual(['all-now', 'asia-now']);
    expect(deps.queue.jobs.every((j) => j.kind === 'alert' && j.runId === alertRunId(result.article.id))).toBe(true);
    expect(renders.sort()).toEqual(['all:asia', 'asia:asia']);
    const issue = await readIssue(deps.blobs, deps.queue.jobs[0]!.issueKey);
    expect(issue).toMatchObject({ kind: 'alert', frequency: 'immediate', articleIds: [result.article.id] });
  });

  it('treats the same article again (other file name, other line endings) as one record and sends no second alert', async () => {
    const first = await ingestArticle(KOREA, 'articles/korea.txt', deps, { owner: 'i' });
    const again = await ingestArticle(KOREA.replace(/\n/g, '\r\n'), 'articles/copy-of-korea.txt', deps, { owner: 'i' });
    expect(again.outcome).toBe('duplicate');
    expect(again.article.id).toBe(first.article.id);
    expect(again.article.origin).toBe('articles/korea.txt');
    expect(deps.queue.recipients()).toHaveLength(2);
  });

  it('repairs a crash between storing the article and creating its alert run: the retry alerts once', async () => {
    const create = deps.runs.create.bind(deps.runs);
    let failed = false;
    deps.runs.create = async (run) => {
      if (!failed) {
        failed = true;
        throw new Error('injected crash');
      }
      return create(run);
    };
    await expect(ingestArticle(KOREA, 'articles/korea.txt', deps, { owner: 'i' })).rejects.toThrow(/injected crash/);
    expect(deps.queue.jobs).toEqual([]);
    const retry = await ingestArticle(KOREA, 'articles/korea.txt', deps, { owner: 'i' });
    expect(retry.outcome).toBe('recovered');
    expect(deps.queue.recipients().sort()).toEqual(['all-now', 'asia-now']);
    expect((await ingestArticle(KOREA, 'articles/korea.txt', deps, { owner: 'i' })).outcome).toBe('duplicate');
    expect(deps.queue.recipients()).toHaveLength(2);
  });

  it('sends no alert to anyone when no immediate subscriber matches (only the everything selection)', async () => {
    const result = await ingestArticle('Local bake sale\n\nCakes were sold.', 'articles/bake.txt', deps, { owner: 'i' });
    expect(result.article.brief.topics).toEqual([]);
    expect(deps.queue.recipients()).toEqual(['all-now']);
  });

  it('ingests a web page; the same story with other furniture around it is the same article, with no second alert', async () => {
    const story = (related: string[]) =>
      Buffer.from(
        `<html><head><meta charset="utf-8"><meta property="og:title" content="Second summit planned with North Korea">` +
          `<link rel="canonical" href="https://news.example.org/korea"></head><body>` +
          `<article><div class="share-bar"><a href="#">Share</a></div><p>The White House said on Monday that a second meeting with North Korea is being coordinated, officials said.</p>` +
          `<p>"We are waiting for steps," the adviser said, adding that no date had been set for the talks.</p></article>` +
          `<aside class="related"><ul>${related.map((r) => `<li><a href="#">${r}</a></li>`).join('')}</ul></aside></body></html>`,
      );
    const first = await ingestArticle(story(['Markets rally', 'Rain expected']), 'articles/korea.html', deps, { owner: 'i' });
    expect(first.outcome).toBe('ingested');
    expect(first.article.brief).toMatchObject({ title: 'Second summit planned with North Korea', url: 'https://news.example.org/korea', topics: ['asia'] });
    const again = await ingestArticle(story(['Tram line opens', 'Festival crowds', 'Bridge design']), 'articles/korea-later.htm', deps, { owner: 'i' });
    expect(again.outcome).toBe('duplicate');
    expect(again.article.id).toBe(first.article.id);
    expect(deps.queue.recipients().sort()).toEqual(['all-now', 'asia-now']);
  });

  it('rejects an unusable article with an error naming the object', async () => {
    await expect(ingestArticle('', 'articles/empty.txt', deps, { owner: 'i' })).rejects.toThrow(ArticleParseError);
    await expect(ingestArticle('x', 'articles/file.pdf', deps, { owner: 'i' })).rejects.toThrow(/articles\/file.pdf/);
    expect(deps.queue.jobs).toEqual([]);
  });
});
