import { cleanLine, escapeHtml, safeHttpUrl } from './escape.ts';
import { HeaderInjectionError, PersonaliseError } from './errors.ts';
import { slotPattern } from './slots.ts';
import type { PersonalValues, PersonalisedEmail, RenderedEmail, SlotName } from './types.ts';

/**
 * Per-recipient filling of a rendered email: one regular-expression pass over the HTML and one
 * over the text, no MJML. Must never import mjml (the sender bundle stays small); a test bundles
 * this module with esbuild and checks.
 */

const URL_SLOTS = ['unsubscribeUrl', 'preferencesUrl', 'confirmUrl'] as const;

function isSlot(name: string): name is SlotName {
  return name === 'greeting' || (URL_SLOTS as readonly string[]).includes(name);
}

/** Fill `rendered`'s placeholders with one recipient's values (HTML-escaped in the HTML part). */
export function personalise(rendered: RenderedEmail, values: PersonalValues): PersonalisedEmail {
  const html = new Map<SlotName, string>();
  const text = new Map<SlotName, string>();
  for (const slot of URL_SLOTS) {
    const raw = values[slot];
    if (raw === undefined) {
      if (rendered.slots.includes(slot)) throw new PersonaliseError(`${slot} is required for a ${rendered.kind} email`);
      continue;
    }
    // The WHATWG URL parser silently drops CR/LF/tab; reject them instead, since this value
    // also becomes the List-Unsubscribe header.
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001F\u007F]/.test(raw)) throw new HeaderInjectionError(slot);
    const url = safeHttpUrl(raw);
    if (url === null) throw new PersonaliseError(`${slot} is not an absolute http(s) URL`);
    html.set(slot, escapeHtml(url));
    text.set(slot, url);
  }
  const greeting = values.greeting === undefined ? '' : cleanLine(values.greeting);
  html.set('greeting', greeting === '' ? '' : `<p style="margin:0 0 12px 0;">${escapeHtml(greeting)}</p>`);
  text.set('greeting', greeting === '' ? '' : `${greeting}\n\n`);

  let pattern: RegExp;
  try {
    pattern = slotPattern(rendered.slotKey);
  } catch (cause) {
    throw new PersonaliseError('rendered email has a malformed slot key', { cause });
  }
  const fill = (source: string, values: Map<SlotName, string>): string =>
    source.replace(pattern, (_m, name: string) => {
      const value = isSlot(name) ? values.get(name) : undefined;
      if (value === undefined) throw new PersonaliseError(`no value for slot ${name} in a ${rendered.kind} email`);
      return value;
    });

  const unsubscribeUrl = text.get('unsubscribeUrl');
  return {
    kind: rendered.kind,
    subject: rendered.subject,
    html: fill(rendered.html, html),
    text: fill(rendered.text, text),
    ...(unsubscribeUrl === undefined ? {} : { unsubscribeUrl }),
  };
}
