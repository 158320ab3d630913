import { describe, expect, it } from 'vitest';
import { isValidAddress } from '../../lambda/shared/email/mime.ts';
import { mailboxOf, normaliseEmail } from '../../lambda/shared/subscriptions/validation.ts';

/** Address rules: IDNA domains, the SMTPUTF8 decision, and the mailbox key of the per-mailbox limit. */
describe('normaliseEmail', () => {
  it.each([
    ['a punycode TLD (.рф) is a valid TLD', 'user@example.xn--p1ai', 'user@example.xn--p1ai'],
    ['a Unicode domain becomes punycode, lower-cased', 'Ann@Bücher.DE', 'Ann@xn--bcher-kva.de'],
    ['Cyrillic domain and TLD', 'ivan@ПРИМЕР.рф', 'ivan@xn--e1afmkfd.xn--p1ai'],
    ['IDNA mapping: ß and full-width letters', 'x@ｅｘａｍｐｌｅ.straße.de', 'x@example.xn--strae-oqa.de'],
    ['an ASCII domain is only lower-cased', '  Ann.Lee@Mail.EXAMPLE.org ', 'Ann.Lee@mail.example.org'],
  ])('%s', (_label, input, email) => {
    expect(normaliseEmail(input)).toEqual({ ok: true, email });
    expect(isValidAddress(email)).toBe(true);
  });

  it.each([
    ['SMTPUTF8 local part', 'jösé@example.org', /SMTPUTF8/],
    ['punycode that decodes to nothing', 'user@xn--zz.com', /domain/],
    ['a TLD label ending in a hyphen', 'user@example.xn--p1ai-', /domain/],
    ['a Unicode domain too long once encoded', `a@${'ü'.repeat(60)}.de.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.org`, /domain|254/],
    ['no TLD', 'a@localhost', /domain/],
  ])('refuses %s', (_label, input, reason) => {
    const result = normaliseEmail(input);
    expect(result.ok).toBe(false);
    expect((result as { reason: string }).reason).toMatch(reason);
  });
});

describe('mailboxOf (the per-mailbox limit only; never stored, never mailed)', () => {
  it.each([
    ['Name+news@example.org', 'name@example.org'],
    ['name+a+b@example.org', 'name@example.org'],
    ['+tag@example.org', '+tag@example.org'],
    ['Ann.Lee+x@gmail.com', 'annlee@gmail.com'],
    ['a.n.n@googlemail.com', 'ann@gmail.com'],
    ['ann.lee@example.org', 'ann.lee@example.org'],
  ])('%s → %s', (email, mailbox) => {
    expect(mailboxOf(email)).toBe(mailbox);
  });
});
