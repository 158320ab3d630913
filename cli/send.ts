import { Command } from 'commander';
import { systemClock } from '../lambda/shared/delivery/clock.ts';
import { createIssueComposer } from '../lambda/shared/delivery/composer.ts';
import { byIngestTime, getArticles, type ArticleRecord } from '../lambda/shared/delivery/articles.ts';
import { issueKey, type RenderedIssue, type StoredEmail } from '../lambda/shared/delivery/issue.ts';
import type { BlobStore, SendJob } from '../lambda/shared/delivery/ports.ts';
import { deliveryRuntime, type DeliveryRuntime } from '../lambda/shared/delivery/runtime.ts';
import { classifySesError } from '../lambda/shared/ses-errors.ts';
import { silentLog } from '../lambda/shared/logger.ts';
import type { Mailer } from '../lambda/shared/mailer.ts';
import { createSesMailer } from '../lambda/shared/ses-mailer.ts';
import type { Keyring } from '../lambda/shared/signing-keys.ts';
import type { DigestFrequency } from '../lambda/shared/subscriptions/model.ts';
import { normaliseEmail } from '../lambda/shared/subscriptions/validation.ts';
import { TargetError, UsageError } from './errors.ts';
import { printJson, type Io } from './output.ts';
import { onTarget, withTargetOptions, type TargetOptions } from './target-options.ts';

/**
 * `newsbrief send test ADDRESS [--digest FREQUENCY | --article ID]`: the issue the next digest would
 * carry now (or one article's alert), rendered by the renderers the digest and ingest steps use and
 * composed by the sender's composer, sent to one address with "[Test]" before the subject. It writes
 * nothing: no run, no ledger entry, no web edition (the archive is off for this render), and the
 * digest's queue of waiting articles is only read.
 */

/** The id the test message's personal links and SES tag carry: no subscriber has it (ids are random UUIDs). */
export const TEST_RECIPIENT_ID = 'send-test';
/** Put before the subject of every test message. */
export const TEST_SUBJECT_MARK = '[Test]';
/** Articles the next digest carries at most (as runDigest's default). */
const MAX_ARTICLES = 200;
const DIGEST_FREQUENCIES: readonly DigestFrequency[] = ['daily', 'weekly'];

/** What to send: the next digest of a frequency, or the alert of one stored article. */
export type TestChoice = { readonly digest: DigestFrequency } | { readonly article: string };

/** What was sent. */
export interface TestSendResult {
  readonly kind: 'digest' | 'alert';
  readonly frequency: string;
  readonly articleIds: readonly string[];
  readonly subject: string;
  readonly messageId: string;
}

export interface TestSendDeps {
  /** The delivery runtime of the target (its article and run stores, and its renderers). */
  readonly runtime: Pick<DeliveryRuntime, 'articles' | 'runs' | 'renderDigest' | 'renderAlert' | 'env' | 'now'>;
  readonly mailer: Mailer;
  readonly keyring: () => Promise<Keyring>;
}

/**
 * The articles the next digest of `frequency` would carry if it ran now (read only): those waiting in
 * the frequency's digest queue and, on a table a run has not upgraded yet, those since its old watermark.
 */
export async function nextDigestArticles(
  runtime: Pick<DeliveryRuntime, 'articles' | 'runs' | 'now'>,
  frequency: DigestFrequency,
): Promise<ArticleRecord[]> {
  const before = new Date(runtime.now()).toISOString();
  const { watermark } = await runtime.runs.getDigestState(frequency);
  const queued = await runtime.articles.pendingFor(frequency, { before, limit: MAX_ARTICLES });
  const legacy = watermark === undefined ? [] : await runtime.articles.listIngested({ since: watermark, until: before, limit: MAX_ARTICLES });
  const entries = new Map([...legacy.map((a) => ({ articleId: a.id, ingestedAt: a.ingestedAt })), ...queued].map((e) => [e.articleId, e]));
  const ids = [...entries.values()].sort(byIngestTime).slice(0, MAX_ARTICLES).map((e) => e.articleId);
  return getArticles(runtime.articles, ids);
}

/** Render the chosen issue as the digest or ingest step would for a reader of every topic. */
async function renderTest(deps: TestSendDeps, choice: TestChoice): Promise<{ issue: RenderedIssue; articles: ArticleRecord[] }> {
  const { runtime } = deps;
  const now = new Date(runtime.now()).toISOString();
  let articles: ArticleRecord[];
  let email: StoredEmail;
  let kind: 'digest' | 'alert';
  let frequency: RenderedIssue['frequency'];
  if ('digest' in choice) {
    articles = await nextDigestArticles(runtime, choice.digest);
    if (articles.length === 0) {
      throw new TargetError(`no article waits for the next ${choice.digest} digest: ingest one first, or send an article's alert with --article ID`);
    }
    kind = 'digest';
    frequency = choice.digest;
    email = await runtime.renderDigest(
      articles.map((a) => a.brief),
      { frequency: choice.digest, topics: [], issueDate: now },
    );
  } else {
    articles = await getArticles(runtime.articles, [choice.article]);
    const [article] = articles;
    if (!article) throw new TargetError(`no article ${choice.article} (article ids are the content hashes ingest logs)`);
    kind = 'alert';
    frequency = 'immediate';
    // As the ingest step does: the alert names the article's first topic as the one followed.
    email = await runtime.renderAlert(article.brief, { topics: [], matchedTopic: article.brief.topics[0] ?? 'news', issueDate: article.ingestedAt });
  }
  const runId = `test#${now}`;
  const issue: RenderedIssue = {
    schemaVersion: 1,
    runId,
    kind,
    frequency,
    topics: [],
    selection: 'all',
    articleIds: articles.map((a) => a.id),
    email: { ...email, subject: `${TEST_SUBJECT_MARK} ${email.subject}` },
    renderedAt: now,
  };
  return { issue, articles };
}

/** Why SES refused a test message, and what the operator can do about it. */
export function refusalAdvice(error: unknown, address: string, sender: string): string | null {
  const name = (error as Error)?.name ?? '';
  const message = (error as Error)?.message ?? '';
  switch (classifySesError(error)) {
    case 'rejected':
      if (/not verified/i.test(message)) {
        return (
          `SES refused the test message (${name}: ${message}).\n` +
          `In the SES sandbox mail goes only to verified addresses. Verify ${address} ` +
          `(aws sesv2 create-email-identity --email-identity ${address}, then open the link SES mails to it), ` +
          `or request production access (SES console, Account dashboard). Check that ${sender} is verified too.`
        );
      }
      return `SES refused the test message (${name}: ${message}). Nothing was recorded; fix what SES names and send again.`;
    case 'sending-paused':
      return `SES cannot send from this account or configuration set now (${name}: ${message}). Check the sender identity ${sender} and the account's sending status in the SES console.`;
    case 'quota-exceeded':
      return `SES's daily sending quota is used up (${message}); the test can go when the 24-hour window rolls.`;
    default:
      return null;
  }
}

/** Render the chosen issue, compose it as the sender does for one recipient, and send it to `address`. */
export async function sendTest(deps: TestSendDeps, address: string, choice: TestChoice): Promise<TestSendResult> {
  const { issue } = await renderTest(deps, choice);
  const key = issueKey(issue.runId, issue.selection);
  // The composer reads the issue from an archive; this one is in memory, so the test leaves no trace.
  const blobs: Pick<BlobStore, 'get'> = { get: (k) => Promise.resolve(k === key ? Buffer.from(JSON.stringify(issue)) : null) };
  const { env } = deps.runtime;
  const composer = createIssueComposer({
    blobs,
    from: { name: env.SENDER_NAME, address: env.SENDER_ADDRESS },
    publicUrl: env.PUBLIC_URL,
    keyring: deps.keyring,
    clock: systemClock,
  });
  const job: SendJob = { runId: issue.runId, kind: issue.kind, issueKey: key, recipients: [TEST_RECIPIENT_ID] };
  const now = new Date(deps.runtime.now()).toISOString();
  const message = await composer.compose(job, {
    id: TEST_RECIPIENT_ID,
    email: address,
    status: 'confirmed',
    topics: [],
    frequency: issue.frequency,
    createdAt: now,
    updatedAt: now,
  });
  // A test belongs to no run: untagged, its bounce or complaint is counted for no run's report.
  const { run: _run, ...untagged } = message;
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send(untagged));
  } catch (error) {
    const advice = refusalAdvice(error, address, env.SENDER_ADDRESS);
    if (advice) throw new TargetError(advice, { cause: error });
    throw error;
  }
  return { kind: issue.kind, frequency: issue.frequency, articleIds: issue.articleIds, subject: issue.email.subject, messageId };
}

interface SendTestOptions extends TargetOptions {
  readonly digest?: string;
  readonly article?: string;
  readonly json?: boolean;
}

/** The choice the options make; the next daily digest by default. */
function choiceOf(options: SendTestOptions): TestChoice {
  if (options.digest !== undefined && options.article !== undefined) throw new UsageError('--digest and --article: choose one');
  if (options.article !== undefined) return { article: options.article };
  const frequency = options.digest ?? 'daily';
  if (!(DIGEST_FREQUENCIES as readonly string[]).includes(frequency)) throw new UsageError(`--digest: must be ${DIGEST_FREQUENCIES.join(' or ')}`);
  return { digest: frequency as DigestFrequency };
}

export function sendCommand(io: Io): Command {
  const group = new Command('send').description('send mail by hand');
  withTargetOptions(
    group
      .command('test')
      .description('send the next digest (or an article\'s alert) to one address, "[Test]" in the subject; records nothing')
      .argument('<address>', 'where the test goes (in the SES sandbox: a verified address)')
      .option('--digest <frequency>', `the next digest of this frequency (${DIGEST_FREQUENCIES.join(' or ')}; default daily)`)
      .option('--article <id>', 'the alert of this article (its id, the content hash ingest logs)')
      .option('--json', 'print JSON'),
  ).action(async (rawAddress: string, options: SendTestOptions) => {
    const choice = choiceOf(options);
    const normalised = normaliseEmail(rawAddress);
    if (!normalised.ok) throw new UsageError(`address: ${normalised.reason}`);
    const address = normalised.email;
    await onTarget(options, async (target) => {
      if ('digest' in choice && target.offered && !target.offered.frequencies.includes(choice.digest)) {
        throw new UsageError(`--digest: ${target.description} has no ${choice.digest} digest`);
      }
      if (!target.deliveryEnvironment || !target.ses) throw new TargetError(`${target.description} cannot send mail`);
      // This render writes nothing: the archive's web edition is off, and the queue and bucket are never used.
      const env = { ...(await target.deliveryEnvironment()), ARCHIVE: 'off' };
      const unused = { get: () => Promise.resolve(null), put: () => Promise.resolve(), enqueue: () => Promise.resolve() };
      const runtime = deliveryRuntime(env, { blobs: unused, queue: unused, log: silentLog });
      const mailer = createSesMailer(target.ses(), { from: runtime.env.SENDER_ADDRESS, configurationSet: runtime.env.CONFIGURATION_SET });
      const result = await sendTest({ runtime, mailer, keyring: () => target.keyring() }, address, choice);
      if (options.json) {
        printJson(io, result);
        return;
      }
      const what = result.kind === 'digest' ? `the next ${result.frequency} digest (${result.articleIds.length} article(s))` : `the alert of article ${result.articleIds[0]}`;
      io.out(`sent ${what} to ${address} from ${target.description}: "${result.subject}" (SES message ${result.messageId})`);
      io.out('nothing was recorded: no run, no ledger entry, no web edition; the articles still wait for their digest');
    });
  });
  return group;
}
