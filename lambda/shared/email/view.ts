import { isSentenceQuote } from '../article/lead-in.ts';
import type { Brief, BriefQuote } from '../article/model.ts';
import { cleanLine, safeHttpUrl, truncate } from './escape.ts';
import { topicLabel } from './labels.ts';
import { RenderError } from './errors.ts';
import type { AlertOptions, ConfirmOptions, DigestOptions, EmailKind, Frequency, NewsletterOptions } from './types.ts';

/**
 * The view model: briefs and options turned into the exact words the email shows. Both the MJML
 * (render.ts) and the text part (text.ts) are written from it, so the two parts always agree
 * (SpamAssassin's MPART_ALT_DIFF compares them).
 */

export interface QuoteView {
  /**
   * The article's own words that introduce a fragment ("Sanders said that while the note is"),
   * shown before the quotation marks; "" for a quote that reads as a sentence on its own.
   */
  readonly leadIn: string;
  /** The quoted words, shown inside quotation marks (a fragment without a lead-in gets ellipses). */
  readonly text: string;
  /** What follows the closing mark: "." when the sentence ends there, " …" when it goes on, or "". */
  readonly trail: string;
  /** "Name, Role", "Name", or null for an unattributed quote. */
  readonly attribution: string | null;
}

export interface ArticleView {
  readonly title: string;
  readonly url: string | null;
  readonly source: string | null;
  /** "11 September 2018 · Source", or "" when neither is known. */
  readonly meta: string;
  /** The text of the link to the full article, naming it ("Read “Title” at Source"); null without a URL. */
  readonly readMore: string | null;
  readonly summary: string;
  readonly quotes: readonly QuoteView[];
}

/** Where the issue is shown: the email itself, or its web version (view in browser, archive). */
export type Edition = 'mail' | 'web';

export interface IssueView {
  readonly kind: EmailKind;
  readonly edition: Edition;
  readonly lang: string;
  readonly newsletterName: string;
  /** The line under the newsletter name, e.g. "Daily digest · 27 November 2026". */
  readonly issueLabel: string;
  readonly subject: string;
  readonly preheader: string;
  readonly intro: string;
  /** Why the reader gets this email (topics, frequency). */
  readonly why: string;
  readonly postalAddress: string;
  /** The footer's sender line: the postal address, after the newsletter name unless the address already starts with it. */
  readonly senderLine: string;
  /** Mail only: the link to the web version at the top, when the archive is on. */
  readonly webUrl: string | null;
  /** Web only: the subscribe form, and the archive index when the archive is public. */
  readonly subscribeUrl: string | null;
  readonly archiveUrl: string | null;
  readonly full: readonly ArticleView[];
  readonly headlinesOnly: readonly ArticleView[];
  /** Confirm only: how long the link works. */
  readonly linkValidity: string;
}

/**
 * Phones show about 35–60 characters of a subject; the From line already names the newsletter, so
 * the subject leads with the story and keeps its "(+N more)" inside the limit.
 */
export const SUBJECT_MAX = 60;
const PREHEADER_MAX = 140;
/** The article title inside a "Read “…” at Source" link. */
const LINK_TITLE_MAX = 60;

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * A calendar date in words. For an ISO string the date as written is used (an article stamped
 * 2018-09-11T23:30+05:30 is from 11 September where it was published), not its UTC date.
 */
export function formatDate(value: Date | string | null): string | null {
  if (value === null) return null;
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
    if (m === null) return null;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return Number.isNaN(d.getTime()) ? null : dateFormat.format(d);
  }
  return Number.isNaN(value.getTime()) ? null : dateFormat.format(value);
}

function topicList(topics: readonly string[], labels?: Readonly<Record<string, string>>): string {
  if (topics.length === 0) return 'all topics';
  return topics.map((t) => topicLabel(t, labels)).join(', ');
}

function digestWords(frequency: Exclude<Frequency, 'immediate'>): string {
  return frequency === 'daily' ? 'daily digest' : 'weekly digest';
}

/**
 * A quoted sentence set apart ends as a sentence: the comma it had before "…," she said becomes a
 * full stop.
 */
function asSetApart(text: string): string {
  return !/[.!?…:;,—–-]$/.test(text) ? `${text}.` : text.replace(/,$/u, '.');
}

/**
 * A fragment ("further indication of the progress that we hope to continue to make") is not a
 * sentence, and set apart it reads as if it were one. It is shown inside its lead-in when the
 * article gave one ("Sanders said that while the note is “further indication …” …"), otherwise
 * with ellipses that say words are missing on either side.
 */
function fragmentView(q: BriefQuote, text: string): Pick<QuoteView, 'leadIn' | 'text' | 'trail'> {
  const words = text.replace(/[,;:]$/, '');
  const leadIn = q.leadIn === undefined ? '' : cleanLine(q.leadIn);
  if (leadIn !== '') return { leadIn, text: words, trail: q.sentenceEnds === true ? '.' : ' …' };
  return { leadIn: '', text: `…${words}${q.sentenceEnds === true ? '' : '…'}`, trail: '' };
}

function quoteView(q: BriefQuote): QuoteView | null {
  const said = cleanLine(q.text);
  if (said === '') return null;
  const shown = isSentenceQuote(said) ? { leadIn: '', text: asSetApart(said), trail: '' } : fragmentView(q, said);
  const name = q.speaker === null ? '' : cleanLine(q.speaker.name);
  const role = q.speaker?.role === undefined ? '' : cleanLine(q.speaker.role);
  const attribution = name === '' ? null : role === '' ? name : `${name}, ${role}`;
  return { ...shown, attribution };
}

/** The link text that names its article, so two links in one email never read the same. */
function readMoreText(title: string, source: string): string {
  const short = truncate(title, LINK_TITLE_MAX);
  return source === '' ? `Read “${short}” in full` : `Read “${short}” at ${source}`;
}

/** One brief as the email shows it. */
export function articleView(brief: Brief): ArticleView {
  const title = cleanLine(brief.title);
  if (title === '') throw new RenderError('a brief has an empty title');
  const source = brief.source === undefined ? '' : cleanLine(brief.source);
  const date = formatDate(brief.publishedAt);
  const url = safeHttpUrl(brief.url);
  return {
    title,
    url,
    source: source === '' ? null : source,
    meta: [date, source].filter((s) => s !== null && s !== '').join(' · '),
    readMore: url === null ? null : readMoreText(title, source),
    summary: brief.summary.map(cleanLine).filter((s) => s !== '').join(' '),
    quotes: brief.keyQuotes.map(quoteView).filter((q): q is QuoteView => q !== null),
  };
}

type Common = Pick<IssueView, 'lang' | 'newsletterName' | 'postalAddress' | 'senderLine' | 'edition' | 'webUrl' | 'subscribeUrl' | 'archiveUrl'>;

/** The web links of an edition: the mail links to its web version, the web version to the subscribe form and archive. */
function editionLinks(options: NewsletterOptions): Pick<IssueView, 'edition' | 'webUrl' | 'subscribeUrl' | 'archiveUrl'> {
  const web = options.web;
  if (web === undefined) return { edition: 'mail', webUrl: null, subscribeUrl: null, archiveUrl: null };
  const url = safeHttpUrl(web.url);
  if (url === null) throw new RenderError('web.url is not an absolute http(s) URL');
  if ((options.edition ?? 'mail') === 'mail') return { edition: 'mail', webUrl: url, subscribeUrl: null, archiveUrl: null };
  const subscribeUrl = safeHttpUrl(web.subscribeUrl);
  if (subscribeUrl === null) throw new RenderError('web.subscribeUrl is not an absolute http(s) URL');
  return { edition: 'web', webUrl: null, subscribeUrl, archiveUrl: safeHttpUrl(web.archiveUrl) };
}

function common(options: NewsletterOptions): Common {
  const newsletterName = cleanLine(options.newsletterName);
  const postalAddress = cleanLine(options.postalAddress);
  if (newsletterName === '') throw new RenderError('newsletterName is empty');
  // CAN-SPAM requires a valid physical postal address in every commercial email.
  if (postalAddress === '') throw new RenderError('postalAddress is empty (CAN-SPAM requires one)');
  const lang = options.lang ?? 'en';
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(lang)) throw new RenderError(`lang "${lang}" is not a BCP 47 tag`);
  // "newsbrief · newsbrief Ltd, 1 Harbour Street" says the name twice.
  const senderLine = postalAddress.toLowerCase().startsWith(newsletterName.toLowerCase()) ? postalAddress : `${newsletterName} · ${postalAddress}`;
  return { lang, newsletterName, postalAddress, senderLine, ...editionLinks(options) };
}

/** The digest's view: the first `maxFullArticles` in full, the rest as headlines. */
export function digestView(briefs: readonly Brief[], options: DigestOptions): IssueView {
  if (briefs.length === 0) throw new RenderError('a digest needs at least one brief');
  const base = common(options);
  const max = options.maxFullArticles ?? 10;
  if (!Number.isInteger(max) || max < 1) throw new RenderError(`maxFullArticles must be a positive integer, got ${max}`);
  const articles = briefs.map(articleView);
  const full = articles.slice(0, max);
  const headlinesOnly = articles.slice(max);
  const date = formatDate(options.issueDate);
  if (date === null) throw new RenderError('issueDate is not a valid date');
  const period = options.frequency === 'daily' ? 'Daily' : 'Weekly';
  const first = articles[0] as ArticleView;
  const more = articles.length > 1 ? ` (+${articles.length - 1} more)` : '';
  const subject = `${truncate(first.title, SUBJECT_MAX - more.length)}${more}`;
  const count = articles.length === 1 ? 'One story' : `${articles.length} stories`;
  const when = options.frequency === 'daily' ? 'today' : 'this week';
  const intro =
    `${count} ${when}: what happened, and what was said, in the speakers' own words.` +
    (headlinesOnly.length > 0 ? ` The last ${headlinesOnly.length} are listed as headlines at the end.` : '');
  return {
    kind: 'digest',
    ...base,
    issueLabel: `${period} digest · ${date}`,
    subject,
    preheader: truncate(`${count}: ${articles.map((a) => a.title).join(' · ')}`, PREHEADER_MAX),
    intro,
    why:
      base.edition === 'web'
        ? `This is the web version of the ${base.newsletterName} ${digestWords(options.frequency)} of ${date}.`
        : `You get this ${digestWords(options.frequency)} because you subscribed to ${base.newsletterName} for ${topicList(options.topics, options.topicLabels)}.`,
    full,
    headlinesOnly,
    linkValidity: '',
  };
}

/** The alert's view: one article and the topic that matched. */
export function alertView(brief: Brief, options: AlertOptions): IssueView {
  const base = common(options);
  const article = articleView(brief);
  const matched = topicLabel(options.matchedTopic, options.topicLabels);
  const date = formatDate(options.issueDate ?? new Date());
  if (date === null) throw new RenderError('issueDate is not a valid date');
  return {
    kind: 'alert',
    ...base,
    issueLabel: `Alert · ${matched} · ${date}`,
    subject: truncate(article.title, SUBJECT_MAX),
    preheader: truncate(article.summary === '' ? article.title : article.summary, PREHEADER_MAX),
    // An all-topics reader has no "topic" that matched; the article's topic is still worth naming.
    intro:
      options.topics.length === 0 || base.edition === 'web'
        ? `A new article on ${matched}.`
        : `A new article on ${matched}, one of the topics you follow.`,
    why:
      base.edition === 'web'
        ? `This is the web version of a ${base.newsletterName} alert of ${date}.`
        : options.topics.length === 0
          ? `You get this alert because you asked ${base.newsletterName} for an alert whenever a new article appears.`
          : `You get this alert because you asked ${base.newsletterName} for an alert whenever a new article on ${topicList(options.topics, options.topicLabels)} appears.`,
    full: [article],
    headlinesOnly: [],
    linkValidity: '',
  };
}

/** The confirmation email's view. */
export function confirmView(options: ConfirmOptions): IssueView {
  const base = common(options);
  const linkValidity = cleanLine(options.linkValidity ?? '7 days');
  return {
    kind: 'confirm',
    ...base,
    issueLabel: 'Please confirm your subscription',
    subject: `Confirm your subscription to ${base.newsletterName}`,
    preheader: `Open the link and press Confirm to start your subscription to ${base.newsletterName}.`,
    intro: `Thanks for signing up for ${base.newsletterName}. Please confirm that this address is yours: the button below opens a page that shows your topics, where one more press confirms. Until then we send nothing else. Every email we send has links to change your topics and frequency or to unsubscribe.`,
    why: `You get this email because someone, hopefully you, entered this address on the ${base.newsletterName} sign-up form.`,
    full: [],
    headlinesOnly: [],
    linkValidity,
  };
}
