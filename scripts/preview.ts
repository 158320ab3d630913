/**
 * `npm run preview -- [ARTICLE_FILES|DIRS…]` (default: examples/articles) renders the articles as a
 * digest, the first one with topics as an alert, and the confirmation email, for a sample subscriber
 * of all topics (TOPICS=a,b narrows the subscriber and so the digest), and writes to out/preview/:
 * - {digest,alert,confirm}.{html,txt,eml}: the emails as that subscriber gets them; the .eml is the
 *   full raw message, built by the sender's own composer from the archived issue, so preview and
 *   real mail are the same (same links, no greeting either);
 * - {digest,alert}.web.html: their web versions ("view in browser"), and archive.html and feed.xml:
 *   the archive index and Atom feed (a public archive), all read back through the archive handler.
 *
 * A file that cannot be read or parsed is reported (file and reason) and skipped; the exit code is
 * 1 when any file failed or nothing was left to render.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createArchiveApp } from '../lambda/archive/app.ts';
import { analyze } from '../lambda/shared/analysis/analyze.ts';
import { createArchivePublisher, type RenderEdition } from '../lambda/shared/archive/publish.ts';
import { ArticleParseError } from '../lambda/shared/article/errors.ts';
import type { Brief } from '../lambda/shared/article/model.ts';
import { formatOf } from '../lambda/shared/article/parse.ts';
import { readArticleFile } from '../lambda/shared/article/read.ts';
import { systemClock } from '../lambda/shared/delivery/clock.ts';
import { createIssueComposer } from '../lambda/shared/delivery/composer.ts';
import { FolderBlobStore } from '../lambda/shared/delivery/folder-blobs.ts';
import { toBrief } from '../lambda/shared/delivery/ingest.ts';
import { writeIssue, type StoredEmail } from '../lambda/shared/delivery/issue.ts';
import { EmailError } from '../lambda/shared/email/errors.ts';
import { buildMessage } from '../lambda/shared/email/mime.ts';
import { personalise } from '../lambda/shared/email/personalise.ts';
import { renderAlert, renderConfirm, renderDigest } from '../lambda/shared/email/render.ts';
import type { NewsletterOptions, PersonalValues, RenderedEmail } from '../lambda/shared/email/types.ts';
import { silentLog } from '../lambda/shared/logger.ts';
import { parseKeyring } from '../lambda/shared/signing-keys.ts';
import { wantsTopics } from '../lambda/shared/subscriptions/model.ts';
import { linksFor } from '../lambda/shared/subscriptions/tokens.ts';

// The same variables the Lambdas read (lambda/shared/config.ts), with sample defaults.
const env = process.env;
const newsletter: NewsletterOptions = {
  newsletterName: env.NEWSLETTER_NAME ?? 'newsbrief',
  postalAddress: env.POSTAL_ADDRESS ?? 'newsbrief Ltd, 1 Harbour Street, Portsmouth PO1 2AB, United Kingdom',
};
const publicUrl = (env.PUBLIC_URL ?? 'https://subscribe.newsbrief.example.com').replace(/\/+$/, '');
const from = { name: env.SENDER_NAME ?? newsletter.newsletterName, address: env.SENDER_ADDRESS ?? 'briefs@newsbrief.example.com' };
const subscriber = {
  id: 'preview-subscriber',
  email: 'reader@example.com',
  topics: (env.TOPICS ?? '').split(',').map((t) => t.trim()).filter(Boolean),
};
// A throwaway key: the links are real tokens, valid nowhere.
const keyring = parseKeyring(JSON.stringify({ current: 'preview', preview: randomBytes(32).toString('base64url') }));

async function articleFiles(args: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const arg of args.length > 0 ? args : ['examples/articles']) {
    const info = await stat(arg).catch(() => null);
    if (info?.isDirectory() === true) {
      const names = (await readdir(arg)).filter((n) => formatOf(n) !== undefined).sort();
      files.push(...names.map((n) => join(arg, n)));
    } else {
      files.push(arg); // a missing file is reported by readArticleFile
    }
  }
  return files;
}

/** Write the .html and .txt as personalised for the subscriber, and the raw message. */
async function write(out: string, name: string, email: { html: string; text: string }, raw: Buffer): Promise<string[]> {
  const paths = [`${out}/${name}.html`, `${out}/${name}.txt`, `${out}/${name}.eml`];
  await writeFile(paths[0] as string, email.html);
  await writeFile(paths[1] as string, email.text);
  await writeFile(paths[2] as string, raw);
  return paths;
}

/**
 * Archive a list issue and compose the subscriber's message with the sender's composer: the raw
 * message is exactly what the sender hands SES; the .html/.txt are the same personalisation.
 */
async function sendLike(out: string, blobs: FolderBlobStore, name: 'digest' | 'alert', email: RenderedEmail, articleIds: string[]): Promise<string[]> {
  const stored: StoredEmail = { ...email, slots: [...email.slots] };
  const runId = `preview#${name}`;
  const issueKey = await writeIssue(blobs, {
    schemaVersion: 1,
    runId,
    kind: name,
    frequency: name === 'digest' ? 'daily' : 'immediate',
    topics: subscriber.topics,
    selection: 'preview',
    articleIds,
    email: stored,
    renderedAt: new Date().toISOString(),
  });
  const composer = createIssueComposer({ blobs, from, publicUrl, keyring: async () => keyring, clock: systemClock });
  const message = await composer.compose(
    { runId, kind: name, issueKey, recipients: [subscriber.id] },
    { id: subscriber.id, email: subscriber.email, status: 'confirmed', topics: subscriber.topics, frequency: 'daily' } as Parameters<typeof composer.compose>[1],
  );
  const links: PersonalValues = linksFor(subscriber.id, { publicUrl, keyring, now: new Date() });
  return write(out, name, personalise(stored, links), Buffer.from(message.raw));
}

/** The archive handler's answer for `path`, as a browser would get it. */
async function archived(app: ReturnType<typeof createArchiveApp>, path: string): Promise<string> {
  const res = await app({ rawPath: path, requestContext: { http: { method: 'GET' } } } as unknown as APIGatewayProxyEventV2);
  if (res.statusCode !== 200) throw new Error(`preview: the archive answered ${res.statusCode} for ${path}`);
  return res.body;
}

/** Render the preview of `args` (files or folders) into `out`; returns the exit code. */
export async function runPreview(args: readonly string[], out = 'out/preview'): Promise<number> {
  let failed = 0;
  const briefs: Brief[] = [];
  for (const file of await articleFiles(args.filter((a) => a !== '--'))) {
    try {
      const article = await readArticleFile(file);
      briefs.push(toBrief(article, analyze(article), article.topics ?? []));
    } catch (error) {
      failed++;
      const reason = error instanceof ArticleParseError ? error.message : `${file}: ${(error as Error).message}`;
      console.error(`preview: skipped ${reason}`);
    }
  }
  if (briefs.length === 0) {
    console.error('preview: no article could be read; nothing to render');
    return 1;
  }
  // What this subscriber would get: the articles of their topics; the alert, one with a topic to match.
  const theirs = briefs.filter((b) => wantsTopics(subscriber.topics, b.topics));
  if (theirs.length === 0) {
    console.error(`preview: no article matches TOPICS=${env.TOPICS ?? ''}; nothing to render`);
    return 1;
  }
  const alerted = theirs.find((b) => b.topics.length > 0) ?? (theirs[0] as Brief);
  const issueDate = new Date().toISOString();
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  // The web versions and the index go where the renderers put them in the bucket, through the same publisher.
  const blobs = new FolderBlobStore(join(out, 'bucket'));
  const archive = createArchivePublisher({ mode: 'public', publicUrl, objects: blobs, now: Date.now });
  const edition = (web: Parameters<RenderEdition>[0]) => (web === undefined ? {} : { web: web.links, edition: web.edition });
  const [digest, alert, confirm] = await Promise.all([
    archive.publish(
      (web) =>
        renderDigest(theirs, {
          ...newsletter,
          issueDate,
          frequency: 'daily',
          topics: subscriber.topics,
          maxFullArticles: Number(env.DIGEST_MAX_FULL_ARTICLES ?? 10),
          ...edition(web),
        }),
      { kind: 'digest', frequency: 'daily', issueDate, articles: theirs.length },
    ),
    archive.publish(
      (web) =>
        renderAlert(alerted, {
          ...newsletter,
          issueDate,
          matchedTopic: alerted.topics.find((t) => wantsTopics(subscriber.topics, [t])) ?? alerted.topics[0] ?? 'news',
          topics: subscriber.topics,
          ...edition(web),
        }),
      { kind: 'alert', frequency: 'immediate', issueDate, articles: 1 },
    ),
    renderConfirm(newsletter),
  ]);
  const written = [
    ...(await sendLike(out, blobs, 'digest', digest, theirs.map((_, i) => `article-${i + 1}`))),
    ...(await sendLike(out, blobs, 'alert', alert, ['article-alert'])),
  ];
  const confirmUrl = `${publicUrl}/confirm?token=preview-confirm-token`;
  const confirmed = personalise(confirm, { confirmUrl });
  written.push(...(await write(out, 'confirm', confirmed, await buildMessage(confirmed, { subscriberId: subscriber.id, email: subscriber.email }, { from, messageId: 'preview.confirm' }))));

  const app = createArchiveApp({ reader: blobs, mode: 'public', newsletterName: newsletter.newsletterName, publicUrl, log: silentLog });
  const pageOf = (email: RenderedEmail) => new URL(/View in your browser: (\S+)/.exec(email.text)?.[1] ?? publicUrl).pathname;
  const pages: [string, string][] = [
    ['digest.web.html', await archived(app, pageOf(digest))],
    ['alert.web.html', await archived(app, pageOf(alert))],
    ['archive.html', await archived(app, '/archive')],
    ['feed.xml', await archived(app, '/archive/feed.xml')],
  ];
  for (const [name, body] of pages) {
    await writeFile(join(out, name), body);
    written.push(join(out, name));
  }
  console.log(`Rendered ${theirs.length} article(s):`);
  for (const path of written) console.log(`  ${relative(process.cwd(), resolve(path))}`);
  console.log(`Open in a browser: file://${resolve(out, 'digest.html')}`);
  return failed > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runPreview(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // Configuration problems (e.g. an empty POSTAL_ADDRESS) are reported without a stack trace.
      console.error(`preview: ${error instanceof EmailError ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
