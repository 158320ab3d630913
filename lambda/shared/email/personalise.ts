import { cleanLine, escapeHtml, safeHttpUrl } from './escape.ts';
import { HeaderInjectionError, PersonaliseError } from './errors.ts';
import { encodePiece, encodedBodies } from './encoded.ts';
import { slotPattern } from './slots.ts';
import type { PersonalValues, PersonalisedEmail, RenderedEmail, SlotName } from './types.ts';

/**
 * Per-recipient filling of a rendered email, no MJML: the HTML and text are split at their
 * placeholders once per rendered email (and the static pieces quoted-printable encoded once, see
 * encoded.ts); each recipient then costs a join. Must never import mjml, so the sender bundle
 * stays small; a test bundles this module with esbuild and checks.
 */

const URL_SLOTS = ['unsubscribeUrl', 'preferencesUrl', 'confirmUrl'] as const;

function isSlot(name: string): name is SlotName {
  return name === 'greeting' || (URL_SLOTS as readonly string[]).includes(name);
}

interface Pieces {
  /** Static text between placeholders, n + 1 entries for n placeholders. */
  readonly plain: readonly string[];
  /** The same pieces quoted-printable encoded. */
  readonly encoded: readonly string[];
  readonly slots: readonly string[];
}

/** Split once per rendered email (and encode the static pieces once), reused for every recipient. */
const piecesCache = new WeakMap<RenderedEmail, { readonly html: Pieces; readonly text: Pieces }>();

function split(source: string, key: string): Pieces {
  const plain: string[] = [];
  const slots: string[] = [];
  let last = 0;
  for (const m of source.matchAll(slotPattern(key))) {
    plain.push(source.slice(last, m.index));
    slots.push(m[1] as string);
    last = m.index + m[0].length;
  }
  plain.push(source.slice(last));
  return { plain, encoded: plain.map(encodePiece), slots };
}

function piecesOf(rendered: RenderedEmail): { readonly html: Pieces; readonly text: Pieces } {
  let pieces = piecesCache.get(rendered);
  if (pieces === undefined) {
    try {
      pieces = { html: split(rendered.html, rendered.slotKey), text: split(rendered.text, rendered.slotKey) };
    } catch (cause) {
      throw new PersonaliseError('rendered email has a malformed slot key', { cause });
    }
    piecesCache.set(rendered, pieces);
  }
  return pieces;
}

function join(pieces: Pieces, values: Map<SlotName, string>, kind: string): { plain: string; encoded: string } {
  let plain = pieces.plain[0] as string;
  let encoded = pieces.encoded[0] as string;
  pieces.slots.forEach((name, i) => {
    const value = isSlot(name) ? values.get(name) : undefined;
    if (value === undefined) throw new PersonaliseError(`no value for slot ${name} in a ${kind} email`);
    const next = pieces.plain[i + 1] as string;
    plain += value + next;
    encoded += encodePiece(value) + (pieces.encoded[i + 1] as string);
  });
  return { plain, encoded };
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

  const pieces = piecesOf(rendered);
  const htmlOut = join(pieces.html, html, rendered.kind);
  const textOut = join(pieces.text, text, rendered.kind);
  const unsubscribeUrl = text.get('unsubscribeUrl');
  const email: PersonalisedEmail = {
    kind: rendered.kind,
    subject: rendered.subject,
    html: htmlOut.plain,
    text: textOut.plain,
    ...(unsubscribeUrl === undefined ? {} : { unsubscribeUrl }),
  };
  encodedBodies.set(email, { html: htmlOut.encoded, text: textOut.encoded });
  return email;
}
