import { beforeAll, describe, expect, it } from 'vitest';
import { EmailError, HeaderInjectionError, InvalidAddressError, InvalidHeaderError } from '../../lambda/shared/email/errors.ts';
import { buildMessage, isValidAddress, type MessageOptions } from '../../lambda/shared/email/mime.ts';
import { personalise } from '../../lambda/shared/email/personalise.ts';
import { renderConfirm, renderDigest } from '../../lambda/shared/email/render.ts';
import type { PersonalisedEmail } from '../../lambda/shared/email/types.ts';
import { brief, digestOptions } from './fixtures.ts';
import { parseMessage } from './mime-helpers.ts';

const recipient = {
  subscriberId: 'sub-42',
  email: 'ann.reader@example.org',
  unsubscribeUrl: 'https://subscribe.news.example.com/unsubscribe?token=v1.k1.abc',
  preferencesUrl: 'https://subscribe.news.example.com/preferences?token=v1.k1.def',
};
const options: MessageOptions = {
  from: { name: 'newsbrief — daily', address: 'digest@news.example.com' },
  list: { id: 'daily.news.example.com', name: 'newsbrief daily digest' },
  messageId: 'run-2026-11-27.sub-42',
  date: new Date('2026-11-27T06:00:00Z'),
};

let digest: PersonalisedEmail;
beforeAll(async () => {
  digest = personalise(await renderDigest([brief(1), brief(2)], digestOptions), recipient);
});

describe('buildMessage headers and structure', () => {
  it('builds multipart/alternative with the text part first and the HTML part last', async () => {
    const { headers, parts, raw } = parseMessage(await buildMessage(digest, recipient, options));
    expect(headers.get('mime-version')).toBe('1.0');
    expect(headers.get('content-type')).toMatch(/^multipart\/alternative;/);
    expect(parts.map((p) => p.headers.get('content-type'))).toEqual(['text/plain; charset=utf-8', 'text/html; charset=utf-8']);
    expect(parts[0]?.body).toBe(digest.text.replace(/\n/g, '\r\n'));
    expect(parts[1]?.body).toBe(digest.html.replace(/\n/g, '\r\n'));
    // RFC 5322: CRLF line ends, and no line over 998 characters.
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
  });

  it('keeps quoted-printable lines within 76 characters, and a copied email encodes the same', async () => {
    const fast = parseMessage(await buildMessage(digest, recipient, options));
    const copy = { ...digest };
    const slow = parseMessage(await buildMessage(copy, recipient, options));
    expect(slow.parts.map((p) => p.body)).toEqual(fast.parts.map((p) => p.body));
    for (const { raw } of [fast, slow]) {
      const body = raw.slice(raw.indexOf('\r\n\r\n'));
      for (const line of body.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    }
    // An edited copy is encoded from its own content, never from the original's cache.
    const edited = parseMessage(await buildMessage({ ...digest, html: '<p>edited</p>' }, recipient, options));
    expect(edited.parts[1]?.body).toBe('<p>edited</p>');
  });

  it('carries From with display name, To, Subject, Date, Message-ID on the sender domain and the list headers', async () => {
    const { headers } = parseMessage(await buildMessage(digest, recipient, options));
    expect(headers.get('from')).toBe('=?UTF-8?Q?newsbrief_=E2=80=94_daily?= <digest@news.example.com>');
    expect(headers.get('to')).toBe('ann.reader@example.org');
    expect(headers.get('subject')).toMatch(/^=\?UTF-8\?Q\?Ministers_agree_on_plan_1_/);
    expect(headers.get('date')).toBe('Fri, 27 Nov 2026 06:00:00 +0000');
    expect(headers.get('message-id')).toBe('<run-2026-11-27.sub-42@news.example.com>');
    expect(headers.get('list-id')).toBe('newsbrief daily digest <daily.news.example.com>');
    expect(headers.get('list-unsubscribe')).toBe('<https://subscribe.news.example.com/unsubscribe?token=v1.k1.abc>');
    expect(headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  });

  it('defaults Message-ID to a random id on the sender domain, Date to now and List-Id to the From address', async () => {
    const before = Date.now();
    const a = parseMessage(await buildMessage(digest, recipient, { from: options.from }));
    const b = parseMessage(await buildMessage(digest, recipient, { from: options.from }));
    expect(a.headers.get('message-id')).toMatch(/^<[0-9a-f-]{36}@news\.example\.com>$/);
    expect(a.headers.get('message-id')).not.toBe(b.headers.get('message-id'));
    expect(Date.parse(a.headers.get('date') ?? '')).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(a.headers.get('list-id')).toMatch(/<digest\.news\.example\.com>$/);
  });

  it('sends the confirmation email without list-unsubscribe headers', async () => {
    const confirm = personalise(await renderConfirm(digestOptions), { confirmUrl: 'https://subscribe.news.example.com/confirm?token=c' });
    const { headers, parts } = parseMessage(await buildMessage(confirm, recipient, options));
    expect(headers.has('list-unsubscribe')).toBe(false);
    expect(headers.has('list-unsubscribe-post')).toBe(false);
    expect(parts[0]?.body).toContain('https://subscribe.news.example.com/confirm?token=c');
  });

  it('adds validated extra headers', async () => {
    const { headers } = parseMessage(await buildMessage(digest, recipient, { ...options, headers: { 'Feedback-ID': 'daily:newsbrief' } }));
    expect(headers.get('feedback-id')).toBe('daily:newsbrief');
  });
});

describe('header injection and bad addresses', () => {
  const injections: [string, () => Promise<Buffer>][] = [
    ['subject', () => buildMessage({ ...digest, subject: 'Hi\r\nBcc: victim@example.org' }, recipient, options)],
    ['subject (bare LF)', () => buildMessage({ ...digest, subject: 'Hi\nBcc: victim@example.org' }, recipient, options)],
    ['from.name', () => buildMessage(digest, recipient, { ...options, from: { ...options.from, name: 'news\rBcc: x@example.org' } })],
    ['from.address', () => buildMessage(digest, recipient, { ...options, from: { ...options.from, address: 'news@example.com\r\nBcc: x@example.org' } })],
    ['to', () => buildMessage(digest, { ...recipient, email: 'ann@example.org\r\nBcc: x@example.org' }, options)],
    ['replyTo', () => buildMessage(digest, recipient, { ...options, replyTo: 'help@example.com\nX: y' })],
    ['list.id', () => buildMessage(digest, recipient, { ...options, list: { id: 'daily.example.com\r\nX: y' } })],
    ['list.name', () => buildMessage(digest, recipient, { ...options, list: { id: 'daily.example.com', name: 'a\nb' } })],
    ['messageId', () => buildMessage(digest, recipient, { ...options, messageId: 'abc\r\nX: y' })],
    ['List-Unsubscribe', () => buildMessage({ ...digest, unsubscribeUrl: 'https://a.example/u\r\nX: y' }, recipient, options)],
    ['extra header value', () => buildMessage(digest, recipient, { ...options, headers: { 'X-Campaign': 'a\r\nBcc: x@example.org' } })],
    ['extra header name', () => buildMessage(digest, recipient, { ...options, headers: { 'X-A\r\nBcc': 'x' } })],
  ];
  it.each(injections)('rejects CR/LF in %s with HeaderInjectionError', async (_field, attempt) => {
    await expect(attempt()).rejects.toBeInstanceOf(HeaderInjectionError);
  });

  it('rejects an invalid recipient address without putting the address in the error', async () => {
    for (const email of ['not-an-address', 'ann@localhost', 'a b@example.org', 'ann@example.org>, x@example.org', `${'a'.repeat(65)}@example.org`, '"ann"@example.org']) {
      const error = await buildMessage(digest, { ...recipient, email }, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAddressError);
      expect((error as Error).message).not.toContain(email);
      expect((error as InvalidAddressError).field).toBe('to');
    }
  });

  it('refuses extra headers that would override addressing or structure', async () => {
    for (const name of ['Bcc', 'to', 'From', 'List-Unsubscribe', 'Content-Type', 'Message-ID']) {
      await expect(buildMessage(digest, recipient, { ...options, headers: { [name]: 'x@example.org' } })).rejects.toBeInstanceOf(InvalidHeaderError);
    }
  });

  it('rejects malformed Message-ID and List-Id values', async () => {
    await expect(buildMessage(digest, recipient, { ...options, messageId: 'a b<c>' })).rejects.toBeInstanceOf(InvalidHeaderError);
    await expect(buildMessage(digest, recipient, { ...options, list: { id: 'no spaces allowed' } })).rejects.toBeInstanceOf(InvalidHeaderError);
  });

  it('requires an https List-Unsubscribe URL (RFC 8058), allowing http only on loopback', async () => {
    await expect(buildMessage({ ...digest, unsubscribeUrl: 'http://news.example.com/u' }, recipient, options)).rejects.toBeInstanceOf(
      InvalidHeaderError,
    );
    const local = parseMessage(await buildMessage({ ...digest, unsubscribeUrl: 'http://127.0.0.1:3000/unsubscribe?token=t' }, recipient, options));
    expect(local.headers.get('list-unsubscribe')).toBe('<http://127.0.0.1:3000/unsubscribe?token=t>');
    const { unsubscribeUrl: _dropped, ...withoutUrl } = digest;
    await expect(buildMessage(withoutUrl, recipient, options)).rejects.toBeInstanceOf(EmailError);
  });

  it('isValidAddress accepts ordinary mailboxes', () => {
    for (const ok of ['a@example.org', 'first.last+tag@sub.example.co.uk', "o'neil@example.ie"]) expect(isValidAddress(ok)).toBe(true);
    for (const bad of ['', '@example.org', 'a@', 'a@example', 'a..b@example.org', '.a@example.org', 'a@-example.org']) expect(isValidAddress(bad)).toBe(false);
  });
});
