import { randomUUID } from 'node:crypto';
import MailComposer, { type MailComposerOptions } from 'nodemailer/lib/mail-composer';
import { encodeWord, foldLines } from 'nodemailer/lib/mime-funcs';
import type { MimeNodeHeaderValue } from 'nodemailer/lib/mime-node';
import { EmailError, HeaderInjectionError, InvalidAddressError, InvalidHeaderError } from './errors.ts';
import { encodedBodies, toCrlf } from './encoded.ts';
import type { PersonalisedEmail } from './types.ts';

/**
 * Raw RFC 5322 messages for SES SendRawEmail, composed by nodemailer's MailComposer (multipart/
 * alternative, header encoding, line folding). This module only validates what goes into
 * headers: a CR or LF in any of them is rejected, never silently folded. Must never import mjml.
 */

/** The From identity: a verified SES address and its display name. */
export interface Sender {
  readonly name: string;
  readonly address: string;
}

/** Who one message goes to. The id is what logs and errors name; the address never is. */
export interface MailRecipient {
  readonly subscriberId: string;
  readonly email: string;
}

export interface MessageOptions {
  readonly from: Sender;
  readonly replyTo?: string | undefined;
  /**
   * RFC 2919 List-Id: `id` is a dot-atom such as "daily.news.example.com", `name` its description.
   * Default id: the From address with "@" replaced by "."; default name: the From display name.
   */
  readonly list?: { readonly id: string; readonly name?: string | undefined } | undefined;
  /**
   * Local part of the Message-ID (the domain is always the sender's). Delivery passes a stable
   * id per (run, subscriber) so a resend is recognisable; default a random UUID.
   */
  readonly messageId?: string | undefined;
  /** The Date header; default now. */
  readonly date?: Date | undefined;
  /** Further headers, e.g. a Feedback-ID; validated like the rest. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

// RFC 5322 forbids bare CR and LF in header bodies; other C0 controls and DEL have no business there.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;

function headerText(field: string, value: string): string {
  if (CONTROL.test(value)) throw new HeaderInjectionError(field);
  return value;
}

// A pragmatic mailbox syntax: dot-atom local part (RFC 5322 §3.4.1) and a DNS host name with a TLD,
// letters only or an IDNA A-label such as xn--p1ai (Unicode domains arrive punycode-encoded: SES takes no SMTPUTF8).
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9-]{0,58}[A-Za-z0-9])$/;

/** True when `value` looks like a deliverable mailbox (syntax and RFC 5321 lengths). */
export function isValidAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  return local.length <= 64 && LOCAL.test(local) && DOMAIN.test(domain);
}

function address(field: string, value: string): string {
  headerText(field, value);
  if (!isValidAddress(value)) throw new InvalidAddressError(field, 'not a valid mailbox (syntax or length)');
  return value;
}

function domainOf(addr: string): string {
  return addr.slice(addr.lastIndexOf('@') + 1).toLowerCase();
}

const HEADER_NAME = /^[A-Za-z0-9-]+$/;
// Addressing, identity and structure headers come only from the typed options, never from `headers`.
const RESERVED_HEADERS = /^(from|sender|to|cc|bcc|reply-to|subject|date|message-id|mime-version|content-.*|list-.*|return-path)$/i;
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** RFC 8058 needs an https URI; plain http is accepted only for loopback hosts (local runs). */
function unsubscribeHeader(url: string): string {
  headerText('List-Unsubscribe', url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new InvalidHeaderError('List-Unsubscribe', 'not an absolute URL', { cause });
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new InvalidHeaderError('List-Unsubscribe', 'RFC 8058 one-click unsubscribe needs an https URL');
  }
  return `<${parsed.href}>`;
}

/**
 * The text and HTML alternatives: the bodies personalise() already encoded when this is its
 * untouched output (the fast path, see encoded.ts), otherwise quoted-printable by MailComposer.
 * Either way lines end in CRLF (RFC 5322).
 */
function bodies(email: PersonalisedEmail): Pick<MailComposerOptions, 'text' | 'html'> {
  const encoded = encodedBodies.get(email);
  if (encoded !== undefined) {
    return {
      text: { raw: `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${encoded.text}` },
      html: { raw: `Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${encoded.html}` },
    };
  }
  return {
    text: { content: toCrlf(email.text), contentTransferEncoding: 'quoted-printable' },
    html: { content: toCrlf(email.html), contentTransferEncoding: 'quoted-printable' },
  };
}

/**
 * Build the raw message for one recipient: multipart/alternative (text, then HTML), From with
 * display name, Message-ID on the sender's domain, Date, List-Id (RFC 2919) and, for list mail,
 * List-Unsubscribe + List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).
 */
export async function buildMessage(email: PersonalisedEmail, recipient: MailRecipient, options: MessageOptions): Promise<Buffer> {
  const fromAddress = address('from.address', options.from.address);
  const fromName = headerText('from.name', options.from.name);
  const to = address('to', recipient.email);
  const replyTo = options.replyTo === undefined ? undefined : address('replyTo', options.replyTo);
  const subject = headerText('subject', email.subject);
  const domain = domainOf(fromAddress);

  const localId = headerText('messageId', options.messageId ?? randomUUID());
  if (!DOT_ATOM.test(localId) || localId.length > 128) {
    throw new InvalidHeaderError('messageId', 'the local part must be a dot-atom of at most 128 characters');
  }
  const listId = headerText('list.id', options.list?.id ?? fromAddress.replace('@', '.').toLowerCase());
  if (!DOT_ATOM.test(listId) || !listId.includes('.')) {
    throw new InvalidHeaderError('list.id', 'RFC 2919 needs a dot-atom such as "daily.news.example.com"');
  }
  // The List-Id phrase is free text: drop characters that would end it early.
  const listName = headerText('list.name', options.list?.name ?? fromName).replace(/[<>"\\]/g, '').trim();

  const headers: Record<string, MimeNodeHeaderValue> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headerText('header name', name);
    if (!HEADER_NAME.test(name)) throw new InvalidHeaderError('header name', 'only letters, digits and "-" are allowed');
    if (RESERVED_HEADERS.test(name)) throw new InvalidHeaderError('header name', `${name} is set by buildMessage itself`);
    headers[name] = headerText(name, value);
  }
  // nodemailer would encode the whole value, <id> included; encode only the phrase (RFC 2047).
  const phrase = /^[\x20-\x7E]*$/.test(listName) ? listName : encodeWord(listName, 'Q', 52);
  headers['List-Id'] = {
    prepared: true,
    value: foldLines(`List-Id: ${phrase === '' ? '' : `${phrase} `}<${listId}>`).replace(/^List-Id: /, ''),
  };
  if (email.kind !== 'confirm') {
    if (email.unsubscribeUrl === undefined) {
      throw new EmailError(`a ${email.kind} email needs an unsubscribe URL (subscriber ${recipient.subscriberId})`);
    }
    headers['List-Unsubscribe'] = unsubscribeHeader(email.unsubscribeUrl);
    // RFC 8058 §3.1: the POST body a mail client sends for one-click unsubscribe.
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }

  const composer = new MailComposer({
    from: { name: fromName, address: fromAddress },
    to,
    ...(replyTo === undefined ? {} : { replyTo }),
    subject,
    messageId: `<${localId}@${domain}>`,
    date: options.date ?? new Date(),
    ...bodies(email),
    headers,
    textEncoding: 'Q',
    // Content is always given inline; never let a value be read as a file path or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}
