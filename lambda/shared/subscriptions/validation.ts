import { domainToASCII } from 'node:url';
import * as z from 'zod';
import { FREQUENCIES, type Frequency } from './model.ts';

/**
 * Schemas for what the subscribe API accepts. Addresses: RFC 5321 lengths (254 total, 64 local part),
 * a dot-atom local part (RFC 5322 §3.4.1), a DNS host name with a TLD; control characters anywhere
 * (CR/LF would become header injection in the confirmation mail) are rejected, not trimmed away;
 * surrounding spaces are trimmed. The domain goes through IDNA (UTS #46, node:url's domainToASCII):
 * a Unicode domain is stored in its ASCII (punycode) form, lower-cased, and punycode TLDs such as
 * `xn--p1ai` (.рф) are valid. Local parts must be ASCII: Amazon SES does not support SMTPUTF8
 * (RFC 6531), so an internationalised local part could never be delivered and is refused with that reason.
 * Unknown fields are rejected.
 */

/** Largest accepted request body (bytes): 413 beyond. */
export const MAX_BODY_BYTES = 10 * 1024;

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// Letters-only TLDs, or an IDNA A-label (RFC 5890) such as xn--p1ai; 63 characters per label at most.
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{0,58}[a-z0-9])$/;
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007F]/;

/** Normalise an address (trim, lower-case the domain) or return the reason it is not acceptable. */
export function normaliseEmail(input: string): { ok: true; email: string } | { ok: false; reason: string } {
  if (CONTROL.test(input)) return { ok: false, reason: 'email must not contain control characters or line breaks' };
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, reason: 'email is required' };
  if (trimmed.length > 254) return { ok: false, reason: 'email must be at most 254 characters' };
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return { ok: false, reason: 'email must look like name@example.com' };
  const local = trimmed.slice(0, at);
  // IDNA: Unicode labels become punycode, case and width are folded; '' means no valid domain.
  const domain = domainToASCII(trimmed.slice(at + 1));
  if (local.length > 64) return { ok: false, reason: 'the part before @ must be at most 64 characters' };
  if (NON_ASCII.test(local)) {
    return { ok: false, reason: 'the part before @ must be plain ASCII: our mail service cannot deliver to internationalised (SMTPUTF8) addresses' };
  }
  if (!LOCAL.test(local)) return { ok: false, reason: 'the part before @ has characters we cannot send to' };
  if (domain.length > 253 || !DOMAIN.test(domain)) return { ok: false, reason: 'the domain after @ is not a valid host name' };
  const email = `${local}@${domain}`;
  if (email.length > 254) return { ok: false, reason: 'email must be at most 254 characters' };
  return { ok: true, email };
}

/**
 * The mailbox behind a normalised address, for the per-mailbox limit on confirmation mail only (never
 * stored, never mailed): the local part lower-cased and without its `+tag` (RFC 5233 subaddress), and
 * for Gmail without dots, which Gmail ignores. So `Ann.Lee+news@gmail.com` and `annlee@googlemail.com`
 * are one mailbox, and ten `+N` variants cannot put ten confirmation mails in one inbox.
 */
export function mailboxOf(email: string): string {
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at).toLowerCase();
  let domain = email.slice(at + 1).toLowerCase();
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}

/** zod schema of one address, normalised on success. */
export const emailSchema = z.string({ error: 'email must be a string' }).transform((value, ctx) => {
  const result = normaliseEmail(value);
  if (result.ok) return result.email;
  ctx.addIssue({ code: 'custom', message: result.reason });
  return z.NEVER;
});

function topicsSchema(allowed: readonly string[]) {
  return z
    .array(z.string({ error: 'topics must be strings' }), { error: 'topics must be a list' })
    .max(allowed.length, { message: `at most ${allowed.length} topics` })
    .transform((topics, ctx) => {
      const unknown = topics.filter((t) => !allowed.includes(t));
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `unknown topic; choose from: ${allowed.join(', ')}` });
        return z.NEVER;
      }
      // Stable order and no duplicates, so "same choice" compares equal.
      return allowed.filter((t) => topics.includes(t));
    });
}

/** A frequency the operator offers (immediate, or a digest that has a schedule). */
function frequencySchema(offered: readonly Frequency[]) {
  return z.enum(offered as [Frequency, ...Frequency[]], { error: `frequency must be one of: ${offered.join(', ')}` });
}

/** POST /subscribe body. `website` is the honeypot: people never see it, bots fill it in. */
export function subscribeSchema(allowedTopics: readonly string[], offeredFrequencies: readonly Frequency[] = FREQUENCIES) {
  return z
    .object({
      email: emailSchema,
      topics: topicsSchema(allowedTopics).optional(),
      frequency: frequencySchema(offeredFrequencies).optional(),
      website: z.string().max(2000).optional(),
    })
    .strict();
}
export type SubscribeBody = z.infer<ReturnType<typeof subscribeSchema>>;

/** POST /preferences body: the fields to change (omitted ones stay as they are). */
export function preferencesSchema(allowedTopics: readonly string[], offeredFrequencies: readonly Frequency[] = FREQUENCIES) {
  return z
    .object({
      topics: topicsSchema(allowedTopics).optional(),
      frequency: frequencySchema(offeredFrequencies).optional(),
    })
    .strict();
}
export type PreferencesBody = { topics?: string[]; frequency?: Frequency };

/** One readable sentence from a zod error, naming the fields (never echoing their values). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      if (i.code === 'unrecognized_keys') return `unknown field${i.keys.length > 1 ? 's' : ''}: ${i.keys.slice(0, 5).map((k) => k.slice(0, 40).replace(/[^\w.-]/g, '?')).join(', ')}`;
      const field = i.path.length > 0 ? i.path.map(String).join('.') : 'body';
      return i.message.startsWith(field) ? i.message : `${field}: ${i.message}`;
    })
    .join('; ');
}
