import type { Frequency } from '../shared/subscriptions/model.ts';
import { FREQUENCIES } from '../shared/subscriptions/model.ts';
import type { ConfirmView, PreferencesView } from '../shared/subscriptions/service.ts';
import { topicLabel } from '../shared/email/labels.ts';

/**
 * The few small HTML pages of the subscribe API: plain server-rendered forms, no script, every value
 * HTML-escaped. Links carry their token in the query, so pages send `Referrer-Policy: no-referrer`
 * (see app.ts) and never echo the token outside the form's own action.
 */

/** Escape text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export interface PageContext {
  readonly newsletterName: string;
  readonly topics: readonly string[];
  /** The frequencies the operator sends (default: all three). */
  readonly frequencies?: readonly Frequency[];
  /** The subscribe form's preselected frequency (default: daily, or the first offered). */
  readonly defaultFrequency?: Frequency;
}

function layout(ctx: PageContext, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(ctx.newsletterName)}</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1a1a1a;background:#f6f6f4;margin:0;padding:2rem 1rem}
main{max-width:32rem;margin:0 auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;border:1px solid #ddd}
h1{font-size:1.4rem;margin-top:0}
label{display:block;margin:.6rem 0 .2rem}
input[type=email],select{font:inherit;width:100%;padding:.4rem;box-sizing:border-box}
fieldset{border:1px solid #ccc;margin:.8rem 0}
button{font:inherit;padding:.5rem 1.2rem;margin-top:1rem;background:#1b4f8a;color:#fff;border:0;border-radius:4px;cursor:pointer}
button.danger{background:#8a1b1b}
button.secondary{background:none;color:#1b4f8a;border:1px solid #1b4f8a}
section.leave{margin-top:2rem;padding-top:1rem;border-top:1px solid #ddd}
section.leave button{margin-top:.5rem}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.muted{color:#555;font-size:.9rem}
</style>
</head>
<body><main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>
`;
}

const FREQUENCY_LABEL: Record<Frequency, string> = {
  immediate: 'Immediately (an alert per matching article)',
  daily: 'Daily digest',
  weekly: 'Weekly digest',
};

function topicBoxes(ctx: PageContext, checked: readonly string[]): string {
  return ctx.topics
    .map(
      (t) =>
        `<label><input type="checkbox" name="topics" value="${escapeHtml(t)}"${checked.includes(t) ? ' checked' : ''}> ${escapeHtml(topicLabel(t))}</label>`,
    )
    .join('\n');
}

function offeredFrequencies(ctx: PageContext): readonly Frequency[] {
  return ctx.frequencies ?? FREQUENCIES;
}

/** The offered frequencies only: the API refuses any other. */
function frequencySelect(ctx: PageContext, selected: Frequency): string {
  return `<select id="frequency" name="frequency">${offeredFrequencies(ctx).map(
    (f) => `<option value="${f}"${f === selected ? ' selected' : ''}>${escapeHtml(FREQUENCY_LABEL[f])}</option>`,
  ).join('')}</select>`;
}

/** The subscribe form's preselected frequency. */
function defaultFrequencyOf(ctx: PageContext): Frequency {
  const offered = offeredFrequencies(ctx);
  return ctx.defaultFrequency ?? (offered.includes('daily') ? 'daily' : (offered[0] ?? 'daily'));
}

/** `/`: the plain subscribe form, with the hidden honeypot field `website`. */
export function subscribePage(ctx: PageContext): string {
  return layout(
    ctx,
    `Subscribe to ${ctx.newsletterName}`,
    `<form method="post" action="subscribe">
<label for="email">Email address</label>
<input id="email" type="email" name="email" required maxlength="254" autocomplete="email">
<div class="hp" aria-hidden="true"><label for="website">Leave this empty</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>
<fieldset><legend>Topics (none ticked = all topics)</legend>
${topicBoxes(ctx, [])}
</fieldset>
<label for="frequency">How often</label>
${frequencySelect(ctx, defaultFrequencyOf(ctx))}
<button type="submit">Subscribe</button>
</form>
<p class="muted">We send a confirmation link first; nothing else arrives until you click it.</p>`,
  );
}

/** A one-paragraph result page (accepted, confirmed, unsubscribed, errors). */
export function messagePage(ctx: PageContext, title: string, message: string, extraHtml = ''): string {
  return layout(ctx, title, `<p>${escapeHtml(message)}</p>${extraHtml}`);
}

/** GET /unsubscribe: a button that POSTs the RFC 8058 body; the GET itself changes nothing. */
export function unsubscribeConfirmPage(ctx: PageContext, token: string): string {
  return layout(
    ctx,
    'Unsubscribe',
    `<p>Stop receiving ${escapeHtml(ctx.newsletterName)} at this address?</p>
<form method="post" action="unsubscribe?token=${encodeURIComponent(token)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`,
  );
}

/** What a topic selection means, in words, named as the emails name them: "Asia and World", or every topic when none is chosen. */
function topicsInWords(ctx: PageContext, topics: readonly string[]): string {
  const names = (topics.length === 0 ? ctx.topics : topics).map((t) => topicLabel(t));
  if (topics.length === 0) return `every topic (${names.join(', ')})`;
  if (names.length === 1) return names[0] as string;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * GET /confirm: what the button will do, for which newsletter, address, topics and frequency. The GET
 * itself changes nothing (mail scanners fetch every link); the button POSTs, without any script.
 */
export function confirmPage(ctx: PageContext, token: string, view: ConfirmView): string {
  const who = view.maskedEmail ? ` for ${escapeHtml(view.maskedEmail)}` : '';
  return layout(
    ctx,
    'Confirm your subscription',
    `<p>Press the button to subscribe${who} to <strong>${escapeHtml(ctx.newsletterName)}</strong>.</p>
<p>You will get: ${escapeHtml(FREQUENCY_LABEL[view.frequency])}, about ${escapeHtml(topicsInWords(ctx, view.topics))}.</p>
<form method="post" action="confirm?token=${encodeURIComponent(token)}">
<button type="submit">Confirm my subscription</button>
</form>
<p class="muted">Until you press it, nothing is sent. Every email has links to change topics and frequency or to unsubscribe. If you did not ask for this, close this page.</p>`,
  );
}

/** GET /preferences: topics and frequency (Save), then, set apart, unsubscribe and forget. */
export function preferencesPage(ctx: PageContext, token: string, view: PreferencesView, notice?: string): string {
  const who = view.maskedEmail ? `<p class="muted">Subscription of ${escapeHtml(view.maskedEmail)} (${escapeHtml(view.status)}).</p>` : '';
  const body =
    view.status === 'unsubscribed'
      ? `<p>You are unsubscribed. To receive ${escapeHtml(ctx.newsletterName)} again, <a href="./">subscribe anew</a>.</p>`
      : `<form method="post" action="preferences?token=${encodeURIComponent(token)}">
<fieldset><legend>Topics (none ticked = all topics)</legend>
${topicBoxes(ctx, view.topics)}
</fieldset>
<label for="frequency">How often</label>
${frequencySelect(ctx, view.frequency)}
${offeredFrequencies(ctx).includes(view.frequency) ? '' : `<p class="muted">${escapeHtml(FREQUENCY_LABEL[view.frequency])} is no longer sent: choose how often you want ${escapeHtml(ctx.newsletterName)}, then save.</p>`}
<button type="submit">Save</button>
</form>
<section class="leave">
<form method="post" action="unsubscribe?token=${encodeURIComponent(new URL(view.unsubscribeUrl).searchParams.get('token') ?? '')}">
<p class="muted">No more emails from ${escapeHtml(ctx.newsletterName)} at this address:</p>
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button class="secondary" type="submit">Unsubscribe</button>
</form>
</section>`;
  return layout(
    ctx,
    'Your preferences',
    `${notice ? `<p><strong>${escapeHtml(notice)}</strong></p>` : ''}${who}${body}
<hr>
<form method="post" action="forget?token=${encodeURIComponent(view.forgetToken)}">
<p class="muted">Forget me: erase this address. We keep only a keyed fingerprint so it is never mailed again.</p>
<button class="danger" type="submit">Erase my address</button>
</form>`,
  );
}

/** GET /forget: asks before erasing. */
export function forgetConfirmPage(ctx: PageContext, token: string): string {
  return layout(
    ctx,
    'Erase your address',
    `<p>This erases your address from ${escapeHtml(ctx.newsletterName)}. It cannot be undone, and the address can never subscribe again.</p>
<form method="post" action="forget?token=${encodeURIComponent(token)}">
<button class="danger" type="submit">Erase my address</button>
</form>`,
  );
}
