/**
 * Bytes to text for HTML pages, following the WHATWG HTML encoding sniffing algorithm in the parts
 * that matter for saved and fetched pages: a byte order mark wins; then the charset the transport
 * declared (an HTTP or S3 Content-Type); then a `<meta charset>` or `<meta http-equiv=content-type>`
 * in the first 1024 bytes (or an XML declaration); without any of these, UTF-8 when the bytes are
 * valid UTF-8, else windows-1252, the legacy default browsers use for Western pages.
 *
 * Decoding is Node's TextDecoder, which knows every WHATWG encoding label (ICU). The
 * `encoding-sniffer` package was measured for the prescan: it adds about 190 KB of encoding tables
 * to the bundle that TextDecoder already has, so the prescan is these few lines instead.
 */

/** How a page's encoding was chosen, for messages and tests. */
export type CharsetSource = 'bom' | 'transport' | 'meta' | 'xml' | 'default';

export interface DecodedHtml {
  readonly text: string;
  /** The WHATWG name of the encoding used (`utf-8`, `windows-1252`, `shift_jis`). */
  readonly encoding: string;
  readonly source: CharsetSource;
}

/** The page cannot be decoded; the message says why, without naming the file (the caller does). */
export class CharsetError extends Error {
  override readonly name = 'CharsetError';
}

/** The WHATWG encoding a label names (`latin1` → `windows-1252`), or undefined when unknown. */
export function encodingOf(label: string): string | undefined {
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    return undefined;
  }
}

/** The charset parameter of a Content-Type value (`text/html; charset="ISO-8859-1"`). */
export function charsetOfContentType(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

function bomEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
}

const META_TAG = /<meta\b[^>]*>/gi;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/** The charset label a `<meta>` tag declares, per the prescan's rules (charset, or http-equiv + content). */
function metaCharset(tag: string): string | undefined {
  const attrs = new Map<string, string>();
  for (const m of tag.slice(5).matchAll(ATTRIBUTE)) {
    const name = (m[1] as string).toLowerCase();
    if (!attrs.has(name)) attrs.set(name, m[2] ?? m[3] ?? m[4] ?? '');
  }
  const charset = attrs.get('charset');
  if (charset) return charset;
  if (attrs.get('http-equiv')?.toLowerCase() === 'content-type') return charsetOfContentType(attrs.get('content'));
  return undefined;
}

/** The label a page declares in its first 1024 bytes: `<meta>` (comments skipped) or an XML declaration. */
export function declaredCharset(bytes: Uint8Array): { label: string; source: 'meta' | 'xml' } | undefined {
  // Latin-1 maps each byte to one character, so offsets and ASCII markup survive whatever the encoding.
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1').replace(/<!--[\s\S]*?(?:-->|$)/g, '');
  const xml = /^<\?xml\s[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (xml) return { label: xml[1] as string, source: 'xml' };
  for (const m of head.matchAll(META_TAG)) {
    const label = metaCharset(m[0]);
    if (label) return { label, source: 'meta' };
  }
  return undefined;
}

/**
 * windows-1252's bytes 0x80–0x9F (WHATWG index; the five it leaves undefined stay C1 controls). Node
 * 20.18.3+ and 22.13+ decode windows-1252 as ISO-8859-1, turning curly quotes and € into control
 * characters (nodejs/node#56542, #60888); mapping them afterwards is right on fixed versions too.
 */
const WINDOWS_1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeBytes(bytes: Uint8Array, encoding: string): string {
  const text = new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  return encoding === 'windows-1252' ? text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80] as string) : text;
}

function decodeWith(bytes: Uint8Array, encoding: string, source: CharsetSource, said: string): DecodedHtml {
  // The prescan's rule: a page that says UTF-16 in ASCII markup cannot be UTF-16, so it is UTF-8.
  const enc = (source === 'meta' || source === 'xml') && encoding.startsWith('utf-16') ? 'utf-8' : encoding;
  if (enc === 'replacement') throw new CharsetError(`${said} "${encoding}", an encoding that cannot be decoded safely`);
  try {
    return { text: decodeBytes(bytes, enc), encoding: enc, source };
  } catch (cause) {
    throw new CharsetError(`${said} ${enc} but the bytes are not valid ${enc}`, { cause });
  }
}

/**
 * Decode an HTML page. `charset` is what the transport declared, if anything. Throws CharsetError
 * for an unknown declared charset, or bytes that are not valid in the declared one (a page that
 * says UTF-8 but is not would reach subscribers as mojibake).
 */
export function decodeHtml(bytes: Uint8Array, charset?: string): DecodedHtml {
  const bom = bomEncoding(bytes);
  if (bom) return decodeWith(bytes, bom, 'bom', 'starts with a byte order mark for');
  if (charset) {
    const enc = encodingOf(charset);
    if (!enc) throw new CharsetError(`declares an unknown charset "${charset}" (Content-Type)`);
    return decodeWith(bytes, enc, 'transport', 'is declared (Content-Type) as');
  }
  const declared = declaredCharset(bytes);
  if (declared) {
    const enc = encodingOf(declared.label);
    if (!enc) throw new CharsetError(`declares an unknown charset "${declared.label}"`);
    return decodeWith(bytes, enc, declared.source, 'declares charset');
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8', source: 'default' };
  } catch {
    return { text: decodeBytes(bytes, 'windows-1252'), encoding: 'windows-1252', source: 'default' };
  }
}
