import { escapeHtml } from '../email/escape.ts';
import type { ArchiveEntry } from './model.ts';

/**
 * The archive index page and its Atom feed (RFC 4287), built from the index entries at request
 * time. Plain server-rendered HTML without script; every value escaped.
 */

export interface IndexContext {
  readonly newsletterName: string;
  /** The subscribe form. */
  readonly subscribeUrl: string;
  readonly indexUrl: string;
  readonly feedUrl: string;
  /** The URL of an issue's page. */
  readonly pageUrl: (id: string) => string;
}

/** GET /archive: past issues, newest first. */
export function indexPage(ctx: IndexContext, entries: readonly ArchiveEntry[]): string {
  const name = escapeHtml(ctx.newsletterName);
  const items = entries
    .map(
      (e) => `<li><a href="${escapeHtml(ctx.pageUrl(e.id))}"><span class="label">${escapeHtml(e.label)}</span><br><strong>${escapeHtml(e.subject)}</strong></a>` +
        (e.preheader === '' ? '' : `<p class="muted">${escapeHtml(e.preheader)}</p>`) +
        '</li>',
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Past issues · ${name}</title>
<link rel="alternate" type="application/atom+xml" title="${name}" href="${escapeHtml(ctx.feedUrl)}">
<style>
:root{color-scheme:light dark}
body{font:16px/1.5 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2937;background:#eef0f3;margin:0;padding:24px 12px}
main{max-width:600px;margin:0 auto;background:#fff;padding:24px;border-radius:8px}
h1{font-size:26px;line-height:32px;margin:0 0 4px}
ol{list-style:none;margin:16px 0 0;padding:0}
li{border-top:1px solid #d1d5db;padding:16px 0}
a{color:#1d4ed8}
li a{text-decoration:none;color:#111827}
li a strong{font-size:18px;line-height:24px}
.label{font-size:14px;color:#4b5563}
.muted{color:#4b5563;font-size:14px;line-height:20px;margin:4px 0 0}
@media (prefers-color-scheme:dark){
body{background:#0f1115;color:#e5e7eb}main{background:#1a1d23}li{border-color:#374151}
a{color:#8ab4ff}li a{color:#e5e7eb}.label,.muted{color:#a8b0bd}
}
</style>
</head>
<body><main>
<h1>${name}</h1>
<p class="muted">Past issues, newest first. <a href="${escapeHtml(ctx.subscribeUrl)}">Subscribe</a> · <a href="${escapeHtml(ctx.feedUrl)}">Atom feed</a></p>
${entries.length === 0 ? '<p>No issues yet.</p>' : `<ol>\n${items}\n</ol>`}
</main></body>
</html>
`;
}

/** XML 1.0 forbids most C0 controls even escaped; drop them, then escape markup. */
function xml(value: string): string {
  // eslint-disable-next-line no-control-regex
  return escapeHtml(value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, ''));
}

/** GET /archive/feed.xml: the same entries as an Atom feed. */
export function atomFeed(ctx: IndexContext, entries: readonly ArchiveEntry[], now: Date): string {
  const updated = entries.reduce((latest, e) => (e.publishedAt > latest ? e.publishedAt : latest), '') || now.toISOString();
  const items = entries
    .map((e) => {
      const url = xml(ctx.pageUrl(e.id));
      return `  <entry>
    <title>${xml(`${e.label}: ${e.subject}`)}</title>
    <id>${url}</id>
    <link rel="alternate" type="text/html" href="${url}"/>
    <published>${xml(new Date(e.issueDate).toISOString())}</published>
    <updated>${xml(e.publishedAt)}</updated>
    <summary>${xml(e.preheader === '' ? e.subject : e.preheader)}</summary>
  </entry>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>${xml(ctx.newsletterName)}</title>
  <subtitle>${xml(`Past issues of ${ctx.newsletterName}`)}</subtitle>
  <id>${xml(ctx.indexUrl)}</id>
  <link rel="self" type="application/atom+xml" href="${xml(ctx.feedUrl)}"/>
  <link rel="alternate" type="text/html" href="${xml(ctx.indexUrl)}"/>
  <updated>${xml(updated)}</updated>
  <author><name>${xml(ctx.newsletterName)}</name></author>
${items}
</feed>
`;
}
