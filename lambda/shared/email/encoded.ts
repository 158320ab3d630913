import { encode, wrap } from 'nodemailer/lib/qp';

/**
 * Quoted-printable bodies prepared per issue, so each recipient's message costs a string join
 * instead of re-encoding ~70 KB of HTML. personalise() registers the encoded bodies of each
 * PersonalisedEmail it returns here; buildMessage() hands them to MailComposer as pregenerated
 * parts. A WeakMap (not a property) means a copied or edited object simply falls back to
 * MailComposer's own encoding, so a stale encoding can never be sent.
 */

/** The text and HTML bodies, quoted-printable (RFC 2045 §6.7) with CRLF line ends. */
export interface EncodedBodies {
  readonly text: string;
  readonly html: string;
}

/** Encoded bodies by the PersonalisedEmail object they belong to. */
export const encodedBodies = new WeakMap<object, EncodedBodies>();

/** RFC 5322 line ends: every LF becomes CRLF. */
export function toCrlf(value: string): string {
  return value.replace(/\r?\n/g, '\r\n');
}

/**
 * Quoted-printable encoding of one piece of a body, ending in a soft line break ("=" CRLF, which
 * decodes to nothing) so pieces can be concatenated. Lines are wrapped at 75 so the final "="
 * keeps every line within RFC 2045's 76 characters.
 */
export function encodePiece(value: string): string {
  if (value === '') return '';
  return `${wrap(encode(toCrlf(value)), 75)}=\r\n`;
}
