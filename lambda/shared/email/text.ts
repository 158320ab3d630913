import type { ArticleView, IssueView } from './view.ts';
import type { SlotName } from './types.ts';

/**
 * The text/plain part, written from the same view model as the HTML: headlines, dates and
 * sources, summaries, quotes with "— Name, Role", and every link in full on its own line.
 * A real text part matters: SpamAssassin's MPART_ALT_DIFF penalises one that differs from the HTML.
 */

const WIDTH = 76;

/** Word-wrap `text` to `width` columns with `indent` on every line; words (URLs) are never split. */
export function wrap(text: string, indent = '', width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}

const RULE = '-'.repeat(40);

function articleBlock(article: ArticleView, number: number | null): string {
  const parts: string[] = [wrap(number === null ? article.title : `${number}. ${article.title}`)];
  if (article.meta !== '') parts[0] += `\n${wrap(article.meta)}`;
  if (article.summary !== '') parts.push(wrap(article.summary));
  for (const q of article.quotes) {
    const said = `${q.leadIn === '' ? '' : `${q.leadIn} `}“${q.text}”${q.trail}`;
    parts.push(wrap(said, '  ') + (q.attribution === null ? '' : `\n${wrap(`— ${q.attribution}`, '  ')}`));
  }
  if (article.url !== null && article.readMore !== null) parts.push(`${wrap(`${article.readMore}:`)}\n${article.url}`);
  return parts.join('\n\n');
}

function headlineBlock(article: ArticleView): string {
  const lines = [wrap(`- ${article.title}`).replace(/\n/g, '\n  ')];
  if (article.meta !== '') lines.push(`  ${article.meta}`);
  if (article.url !== null) lines.push(`  ${article.url}`);
  return lines.join('\n');
}

/** The text part of an email; `slot(name)` gives the placeholder personalise() fills later. */
export function writeText(view: IssueView, slot: (name: SlotName) => string): string {
  const blocks: string[] = [];
  if (view.webUrl !== null) blocks.push(`View in your browser: ${view.webUrl}`);
  blocks.push(`${view.newsletterName}\n${view.issueLabel}`);
  if (view.kind === 'confirm') {
    blocks.push(wrap(view.intro));
    blocks.push(`Confirm my subscription:\n${slot('confirmUrl')}`);
    blocks.push(
      wrap(
        `The link is valid for ${view.linkValidity}. If you did not ask for this, ignore this email: unless you confirm, you will get nothing more from us.`,
      ),
    );
  } else {
    // The greeting slot carries its own trailing blank line, or nothing.
    blocks.push((view.edition === 'web' ? '' : slot('greeting')) + wrap(view.intro));
    const numbered = view.full.length > 1;
    view.full.forEach((article, i) => {
      blocks.push(RULE, articleBlock(article, numbered ? i + 1 : null));
    });
    if (view.headlinesOnly.length > 0) {
      blocks.push(RULE, `More in this issue\n\n${view.headlinesOnly.map(headlineBlock).join('\n\n')}`);
    }
  }
  blocks.push(RULE, wrap(view.why));
  if (view.kind !== 'confirm' && view.edition === 'mail') {
    blocks.push(`Unsubscribe: ${slot('unsubscribeUrl')}\nManage preferences: ${slot('preferencesUrl')}`);
  }
  if (view.subscribeUrl !== null) {
    blocks.push(`Subscribe: ${view.subscribeUrl}${view.archiveUrl === null ? '' : `\nPast issues: ${view.archiveUrl}`}`);
  }
  blocks.push(wrap(view.senderLine));
  return `${blocks.join('\n\n')}\n`;
}
