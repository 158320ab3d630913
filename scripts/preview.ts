/**
 * `npm run preview -- [ARTICLE_FILES|DIRS…]` (default: examples/articles) renders the articles as a
 * digest, the first one with topics as an alert, and the confirmation email, personalised for a
 * sample subscriber of all topics (TOPICS=a,b narrows the subscriber and so the digest), and writes out/preview/{digest,alert,confirm}.{html,txt,eml}. The .eml is the full
 * raw message buildMessage() produces, i.e. what SES would receive.
 *
 * A file that cannot be read or parsed is reported (file and reason) and skipped; the exit code is
 * 1 when any file failed or nothing was left to render.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { analyze } from '../lambda/shared/analysis/analyze.ts';
import { ArticleParseError } from '../lambda/shared/article/errors.ts';
import type { Brief } from '../lambda/shared/article/model.ts';
import { formatOf } from '../lambda/shared/article/parse.ts';
import { readArticleFile } from '../lambda/shared/article/read.ts';
import { toBrief } from '../lambda/shared/delivery/ingest.ts';
import { wantsTopics } from '../lambda/shared/subscriptions/model.ts';
import { EmailError } from '../lambda/shared/email/errors.ts';
import { buildMessage, type MessageOptions } from '../lambda/shared/email/mime.ts';
import { personalise } from '../lambda/shared/email/personalise.ts';
import { renderAlert, renderConfirm, renderDigest } from '../lambda/shared/email/render.ts';
import type { NewsletterOptions, PersonalValues, RenderedEmail } from '../lambda/shared/email/types.ts';

const OUT = 'out/preview';

// The same variables the Lambdas read (lambda/shared/config.ts), with sample defaults.
const env = process.env;
const newsletter: NewsletterOptions = {
  newsletterName: env.NEWSLETTER_NAME ?? 'newsbrief',
  postalAddress: env.POSTAL_ADDRESS ?? 'newsbrief Ltd, 1 Harbour Street, Portsmouth PO1 2AB, United Kingdom',
};
const publicUrl = (env.PUBLIC_URL ?? 'https://subscribe.newsbrief.example.com').replace(/\/+$/, '');
const messageOptions: MessageOptions = {
  from: { name: env.SENDER_NAME ?? newsletter.newsletterName, address: env.SENDER_ADDRESS ?? 'briefs@newsbrief.example.com' },
};
const subscriber = {
  subscriberId: 'preview-subscriber',
  email: 'reader@example.com',
  topics: (env.TOPICS ?? '').split(',').map((t) => t.trim()).filter(Boolean),
  unsubscribeUrl: `${publicUrl}/unsubscribe?token=preview-unsubscribe-token`,
  preferencesUrl: `${publicUrl}/preferences?token=preview-preferences-token`,
  confirmUrl: `${publicUrl}/confirm?token=preview-confirm-token`,
};

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

async function write(name: string, rendered: RenderedEmail, values: PersonalValues): Promise<string[]> {
  const personalised = personalise(rendered, values);
  const raw = await buildMessage(personalised, subscriber, { ...messageOptions, messageId: `preview.${name}` });
  const paths = [`${OUT}/${name}.html`, `${OUT}/${name}.txt`, `${OUT}/${name}.eml`];
  await writeFile(paths[0] as string, personalised.html);
  await writeFile(paths[1] as string, personalised.text);
  await writeFile(paths[2] as string, raw);
  return paths;
}

async function main(): Promise<number> {
  let failed = 0;
  const briefs: Brief[] = [];
  for (const file of await articleFiles(process.argv.slice(2).filter((a) => a !== '--'))) {
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
  const issueDate = new Date();
  const [digest, alert, confirm] = await Promise.all([
    renderDigest(theirs, {
      ...newsletter,
      issueDate,
      frequency: 'daily',
      topics: subscriber.topics,
      maxFullArticles: Number(env.DIGEST_MAX_FULL_ARTICLES ?? 10),
    }),
    renderAlert(alerted, {
      ...newsletter,
      issueDate,
      matchedTopic: alerted.topics.find((t) => wantsTopics(subscriber.topics, [t])) ?? alerted.topics[0] ?? 'news',
      topics: subscriber.topics,
    }),
    renderConfirm(newsletter),
  ]);
  await mkdir(OUT, { recursive: true });
  const written = [
    ...(await write('digest', digest, { ...subscriber, greeting: 'Hello,' })),
    ...(await write('alert', alert, subscriber)),
    ...(await write('confirm', confirm, { confirmUrl: subscriber.confirmUrl })),
  ];
  console.log(`Rendered ${theirs.length} article(s):`);
  for (const path of written) console.log(`  ${relative(process.cwd(), resolve(path))}`);
  console.log(`Open in a browser: file://${resolve(OUT, 'digest.html')}`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Configuration problems (e.g. an empty POSTAL_ADDRESS) are reported without a stack trace.
    console.error(`preview: ${error instanceof EmailError ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
