/**
 * Email client support, checked against the caniemail.com data (@jsx-email/doiuse-email): every
 * HTML or CSS feature of our emails that some major client does not support must be on the
 * allow-list below, with the reason its loss is harmless. A new unsupported feature that carries
 * meaning (layout, colour a reader needs, content) fails here until it is replaced or argued for.
 */
import { doIUseEmail } from '@jsx-email/doiuse-email';
import { beforeAll, describe, expect, it } from 'vitest';
import { personalise } from '../../lambda/shared/email/personalise.ts';
import { renderAlert, renderConfirm, renderDigest } from '../../lambda/shared/email/render.ts';
import { brief, digestOptions } from './fixtures.ts';

/**
 * The clients checked: the ones that carry nearly all opens. (Thunderbird and La Poste are left
 * out only because the package's data for them is incomplete: it throws on table-layout.)
 */
const CLIENTS = ['apple-mail.*', 'gmail.*', 'outlook.*', 'yahoo.*', 'aol.*', 'samsung-email.*', 'fastmail.*', 'protonmail.*', 'hey.*'];

/** Unsupported somewhere, and harmless there: why. */
export const HARMLESS: Readonly<Record<string, string>> = {
  '<body> element': 'Clients that drop <body> keep its content; MJML repeats the background on the wrapper div.',
  '@media': 'Only responsive widths and dark mode: without it the layout is the fluid single column and the colours the light ones, both complete.',
  'Type selector': 'Used only in the <style> block (resets, dark mode); every colour and size a reader needs is inline.',
  'Class selector': 'Dark-mode overrides and MJML column widths only; the light, inline-styled email stands without them.',
  'ID selector': 'MJML\'s Outlook reset (#outlook a) only.',
  'Descendant combinator': 'Dark-mode overrides only.',
  'Child combinator': 'Dark-mode overrides only.',
  'Chaining selectors': 'Dark-mode overrides only.',
  'Attribute selector': 'Outlook.com dark-mode overrides ([data-ogsc]) only.',
  'display:none': 'Hides the preheader; where unsupported the preheader (the issue\'s headlines) shows as a small first line.',
  opacity: 'Hides the preheader, together with display:none and max-height:0.',
  overflow: 'Hides the preheader, together with display:none and max-height:0.',
  outline: 'MJML\'s image reset; the emails have no images.',
  'border-radius': 'Rounded corners of the confirm button; square corners read the same.',
  'table-layout': 'mj-table sets the default value (auto).',
  'text-decoration': 'Removes the underline of the button text; an underline changes nothing.',
  'word-break': 'Breaks long words and the plain confirm URL; unbroken, the URL may run past its column but stays whole and clickable, and the button above it carries the same link.',
  'word-spacing': 'MJML\'s reset to normal spacing.',
  'width attribute': 'Outlook-only fallback widths; other clients use the CSS widths.',
  'target attribute': 'target="_blank" on the button; clients open links their own way.',
  'aria-label attribute': 'An accessibility label MJML adds; the visible text says the same.',
  'role attribute': 'role="presentation" on layout tables; screen readers still read the text in order.',
  'lang attribute': 'The language hint; text reads the same without it.',
};

/** Features some checked client does not support at all, each with the clients. */
function unsupported(html: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const result = doIUseEmail(html, { emailClients: CLIENTS });
  for (const error of result.success ? [] : result.errors) {
    const m = /^`(.+)` is not supported by `(.+)`$/.exec(error);
    const feature = m?.[1] ?? error;
    found.set(feature, (found.get(feature) ?? new Set()).add(m?.[2] ?? '?'));
  }
  return found;
}

function notAllowed(html: string): string[] {
  return [...unsupported(html)].filter(([feature]) => !(feature in HARMLESS)).map(([feature, clients]) => `${feature} (${[...clients].join(', ')})`);
}

const values = {
  unsubscribeUrl: 'https://news.example.com/unsubscribe?token=u1',
  preferencesUrl: 'https://news.example.com/preferences?token=p1',
  confirmUrl: 'https://news.example.com/confirm?token=c1',
};
const web = { url: 'https://news.example.com/archive/AAAAAAAAAAAAAAAAAAAAAA', subscribeUrl: 'https://news.example.com/', archiveUrl: 'https://news.example.com/archive' };
const emails: Record<string, string> = {};

beforeAll(async () => {
  const digest = await renderDigest(Array.from({ length: 12 }, (_, i) => brief(i)), { ...digestOptions, maxFullArticles: 10, web });
  const alert = await renderAlert(brief(1), { ...digestOptions, matchedTopic: 'environment', web });
  const confirm = await renderConfirm(digestOptions);
  for (const [name, email] of Object.entries({ digest, alert, confirm })) emails[name] = personalise(email, values).html;
}, 60_000);

describe('caniemail', () => {
  it.each(['digest', 'alert', 'confirm'])('%s uses no unsupported feature beyond the harmless ones', (name) => {
    expect(notAllowed(emails[name] as string)).toEqual([]);
  });

  it('fails on a new unsupported feature that carries meaning', () => {
    const digest = emails.digest as string;
    // A quote card laid out with flexbox, or marked by a background image: Outlook loses both.
    const flex = digest.replace('<td class="nb-quote"', '<td style="display:flex;gap:8px" class="nb-quote"');
    expect(notAllowed(flex)).toEqual([expect.stringMatching(/^display:flex \(.*outlook\.windows/)]);
    const image = digest.replace('<td class="nb-quote"', '<td style="background-image:url(https://news.example.com/quote.png)" class="nb-quote"');
    expect(notAllowed(image)).toEqual([expect.stringMatching(/^background-image \(.*outlook\.windows/)]);
  });

  it('keeps the allow-list honest: every entry still occurs in some email', () => {
    const seen = new Set(Object.values(emails).flatMap((html) => [...unsupported(html).keys()]));
    expect(Object.keys(HARMLESS).filter((f) => !seen.has(f))).toEqual([]);
  });
});
