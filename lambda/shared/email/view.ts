import type { Brief, Quote } from '../article/model.ts';
import { cleanLine, safeHttpUrl, truncate } from './escape.ts';
import { RenderError } from './errors.ts';
import type { AlertOptions, ConfirmOptions, DigestOptions, EmailKind, Frequency, NewsletterOptions } from './types.ts';

/**
 * The view model: briefs and options turned into the exact words the email shows. Both the MJML
 * (render.ts) and the text part (text.ts) are written from it, so the two parts always agree
 * (SpamAssassin's MPART_ALT_DIFF compares them).
 */

export interface QuoteView {
  readonly text: string;
  /** "Name, Role", "Name", or null for an unattributed quote. */
  readonly attribution: string | null;
}

export interface ArticleView {
  readonly title: string;
  readonly url: string | null;
  readonly source: string | null;
  /** "11 September 2018 · Source", or "" when neither is known. */
  readonly meta: string;
  readonly summary: string;
  readonly quotes: readonly QuoteView[];
}

export interface IssueView {
  readonly kind: EmailKind;
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
  readonly full: readonly ArticleView[];
  readonly headlinesOnly: readonly ArticleView[];
  /** Confirm only: how long the link works. */
  readonly linkValidity: string;
}

const SUBJECT_TITLE_MAX = 90;
const PREHEADER_MAX = 140;

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

/** The display name of a topic slug. */
export function topicLabel(slug: string, labels?: Readonly<Record<string, string>>): string {
  const configured = labels?.[slug];
  if (configured !== undefined) return cleanLine(configured);
  // "us-politics" → "US politics": two-letter words in slugs are nearly always abbreviations
  // (US, UK, EU, AI); operators can name any topic exactly with topicLabels.
  const words = cleanLine(slug)
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => (w.length === 2 ? w.toUpperCase() : w));
  const label = words.join(' ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

function topicList(topics: readonly string[], labels?: Readonly<Record<string, string>>): string {
  if (topics.length === 0) return 'all topics';
  return topics.map((t) => topicLabel(t, labels)).join(', ');
}

function frequencyWords(frequency: Frequency): string {
  switch (frequency) {
    case 'daily':
      return 'daily digest';
    case 'weekly':
      return 'weekly digest';
    case 'immediate':
      return 'alerts as articles appear';
  }
}

/**
 * A quoted sentence set apart ends as a sentence: the comma it had before "…," she said becomes a
 * full stop. A fragment ("further indication of the progress …") is shown as it was said.
 */
function asSetApart(text: string): string {
  return /^[\p{Lu}\d]/u.test(text) && !/[.!?…:;,—–-]$/.test(text) ? `${text}.` : text.replace(/^(\p{Lu}.*),$/u, '$1.');
}

function quoteView(q: Quote): QuoteView | null {
  const text = asSetApart(cleanLine(q.text));
  if (text === '') return null;
  const name = q.speaker === null ? '' : cleanLine(q.speaker.name);
  const role = q.speaker?.role === undefined ? '' : cleanLine(q.speaker.role);
  const attribution = name === '' ? null : role === '' ? name : `${name}, ${role}`;
  return { text, attribution };
}

/** One brief as the email shows it. */
export function articleView(brief: Brief): ArticleView {
  const title = cleanLine(brief.title);
  if (title === '') throw new RenderError('a brief has an empty title');
  const source = brief.source === undefined ? '' : cleanLine(brief.source);
  const date = formatDate(brief.publishedAt);
  return {
    title,
    url: safeHttpUrl(brief.url),
    source: source === '' ? null : source,
    meta: [date, source].filter((s) => s !== null && s !== '').join(' · '),
    summary: brief.summary.map(cleanLine).filter((s) => s !== '').join(' '),
    quotes: brief.keyQuotes.map(quoteView).filter((q): q is QuoteView => q !== null),
  };
}

function common(options: NewsletterOptions): { lang: string; newsletterName: string; postalAddress: string } {
  const newsletterName = cleanLine(options.newsletterName);
  const postalAddress = cleanLine(options.postalAddress);
  if (newsletterName === '') throw new RenderError('newsletterName is empty');
  // CAN-SPAM requires a valid physical postal address in every commercial email.
  if (postalAddress === '') throw new RenderError('postalAddress is empty (CAN-SPAM requires one)');
  const lang = options.lang ?? 'en';
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(lang)) throw new RenderError(`lang "${lang}" is not a BCP 47 tag`);
  return { lang, newsletterName, postalAddress };
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
  const more = articles.length - 1;
  const subject = `${base.newsletterName}: ${truncate(first.title, SUBJECT_TITLE_MAX)}${more > 0 ? ` (+${more} more)` : ''}`;
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
    why: `You get this ${frequencyWords(options.frequency)} because you subscribed to ${base.newsletterName} for ${topicList(options.topics, options.topicLabels)}.`,
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
    subject: `${base.newsletterName} alert (${matched}): ${truncate(article.title, SUBJECT_TITLE_MAX)}`,
    preheader: truncate(article.summary === '' ? article.title : article.summary, PREHEADER_MAX),
    intro: `A new article matches your topic ${matched}.`,
    why: `You get this alert because you asked ${base.newsletterName} for ${frequencyWords('immediate')} on ${topicList(options.topics, options.topicLabels)}.`,
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
    preheader: `One click confirms your subscription to ${base.newsletterName}.`,
    intro: `Thanks for signing up for ${base.newsletterName}. Please confirm that this address is yours: until you do, we send nothing else. Every email we send has links to change your topics and frequency or to unsubscribe.`,
    why: `You get this email because someone, hopefully you, entered this address on the ${base.newsletterName} sign-up form.`,
    full: [],
    headlinesOnly: [],
    linkValidity,
  };
}
