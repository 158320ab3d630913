import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../signing-keys.ts';
import { KEY_ID } from '../signing-keys.ts';
import { mailboxOf } from './validation.ts';

/**
 * Signed subscription tokens: `<keyId>.<subscriberId>.<purpose>.<expiry>.<mac>`, all in the base64url
 * alphabet plus '.', so they sit in a URL query unescaped. The MAC is HMAC-SHA256 over a
 * domain-separated string of the other four fields; the key id lets keys rotate without breaking links
 * already in inboxes. Expiry is epoch seconds in base 36, or "0" for never: RFC 8058 one-click
 * unsubscribe links must keep working for years, confirmation links die after 7 days.
 */

export const TOKEN_PURPOSES = ['confirm', 'unsubscribe', 'preferences', 'forget'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** How long a confirmation link works. */
export const CONFIRM_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** The forget link is made fresh on the preferences page, so it need not live long. */
export const FORGET_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/** Lifetime of each purpose's tokens; null = never expires. */
export const TOKEN_TTL_MS: Readonly<Record<TokenPurpose, number | null>> = {
  confirm: CONFIRM_TOKEN_TTL_MS,
  unsubscribe: null,
  preferences: null,
  forget: FORGET_TOKEN_TTL_MS,
};

/** A token that is malformed, tampered with, signed by an unknown key or meant for another purpose. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** A genuine token whose expiry has passed (HTTP 410 Gone at the edge). */
export class ExpiredTokenError extends Error {
  override readonly name = 'ExpiredTokenError';
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const EXPIRY = /^[0-9a-z]{1,12}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;
const MAX_TOKEN_LENGTH = 256;

function mac(key: Buffer, keyId: string, subscriberId: string, purpose: string, expiry: string): Buffer {
  return createHmac('sha256', key).update(`newsbrief-token\0${keyId}\0${subscriberId}\0${purpose}\0${expiry}`).digest();
}

/** Sign a token for `purpose`, expiring per TOKEN_TTL_MS unless `ttlMs` overrides it. */
export function signToken(
  subscriberId: string,
  purpose: TokenPurpose,
  keyring: Keyring,
  now: Date,
  ttlMs: number | null = TOKEN_TTL_MS[purpose],
): string {
  if (!ID.test(subscriberId)) throw new InvalidTokenError('subscriber id is not token-safe');
  const key = keyring.keys.get(keyring.current);
  if (!key) throw new InvalidTokenError('the keyring has no current key');
  const expiry = ttlMs === null ? '0' : Math.ceil((now.getTime() + ttlMs) / 1000).toString(36);
  const sig = mac(key, keyring.current, subscriberId, purpose, expiry).toString('base64url');
  return `${keyring.current}.${subscriberId}.${purpose}.${expiry}.${sig}`;
}

/**
 * Verify a token for `purpose` and return its subscriber id. Throws InvalidTokenError (tampered,
 * unknown key, wrong purpose, malformed) or ExpiredTokenError. The MAC is compared in constant time
 * and checked before the purpose and expiry, so a forged token learns nothing from which error it gets.
 */
export function verifyToken(token: string, purpose: TokenPurpose, keyring: Keyring, now: Date): string {
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('token too long');
  const parts = token.split('.');
  if (parts.length !== 5) throw new InvalidTokenError('token is malformed');
  const [keyId, subscriberId, tokenPurpose, expiry, sig] = parts as [string, string, string, string, string];
  if (!KEY_ID.test(keyId) || !ID.test(subscriberId) || !EXPIRY.test(expiry) || !MAC.test(sig)) {
    throw new InvalidTokenError('token is malformed');
  }
  const key = keyring.keys.get(keyId);
  if (!key) throw new InvalidTokenError('token signed with an unknown key');
  // Compare the MAC as text: decoding first would accept the other spellings of its last character
  // (base64url ignores the spare low bits), so a changed token would still verify.
  const expected = Buffer.from(mac(key, keyId, subscriberId, tokenPurpose, expiry).toString('base64url'));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidTokenError('token signature does not match');
  }
  if (tokenPurpose !== purpose) throw new InvalidTokenError(`token is for ${tokenPurpose}, not ${purpose}`);
  if (expiry !== '0' && parseInt(expiry, 36) * 1000 < now.getTime()) {
    throw new ExpiredTokenError(`${purpose} link has expired`);
  }
  return subscriberId;
}

/** Build `<publicUrl>/<path>?token=…` without doubling slashes. */
export function tokenUrl(publicUrl: string, path: string, token: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}/${path}?token=${encodeURIComponent(token)}`;
}

/** Per-recipient links for every email's footer and List-Unsubscribe header (RFC 8058). */
export function linksFor(
  subscriberId: string,
  options: { readonly publicUrl: string; readonly keyring: Keyring; readonly now: Date },
): { unsubscribeUrl: string; preferencesUrl: string } {
  const { publicUrl, keyring, now } = options;
  return {
    unsubscribeUrl: tokenUrl(publicUrl, 'unsubscribe', signToken(subscriberId, 'unsubscribe', keyring, now)),
    preferencesUrl: tokenUrl(publicUrl, 'preferences', signToken(subscriberId, 'preferences', keyring, now)),
  };
}

/** The confirmation link of the double opt-in mail (expires after 7 days). */
export function confirmUrlFor(subscriberId: string, options: { readonly publicUrl: string; readonly keyring: Keyring; readonly now: Date }): string {
  return tokenUrl(options.publicUrl, 'confirm', signToken(subscriberId, 'confirm', options.keyring, options.now));
}

/**
 * Keyed hash of an address for the lookup item, one per key id (current first), so the table never
 * holds addresses in its keys and a forgotten address can still be recognised and never mailed again.
 * The whole address is lower-cased first: one mailbox, one subscription, whatever its spelling.
 */
export function emailHashes(email: string, keyring: Keyring): { keyId: string; hash: string }[] {
  const canonical = email.trim().toLowerCase();
  const ids = [keyring.current, ...[...keyring.keys.keys()].filter((id) => id !== keyring.current)];
  return ids.map((keyId) => {
    const key = keyring.keys.get(keyId) as Buffer;
    const hash = createHmac('sha256', key).update(`newsbrief-email\0${canonical}`).digest('base64url');
    return { keyId, hash: `${keyId}:${hash}` };
  });
}

/**
 * Keyed hash of the mailbox behind an address (validation.ts `mailboxOf`: no `+tag`, no Gmail dots), the
 * key of the per-mailbox limit on confirmation mail. The current key only: a limit item lives one
 * window, so a key rotation can at most let one extra mail through.
 */
export function mailboxHash(email: string, keyring: Keyring): string {
  const key = keyring.keys.get(keyring.current) as Buffer;
  const hash = createHmac('sha256', key).update(`newsbrief-mailbox\0${mailboxOf(email)}`).digest('base64url');
  return `${keyring.current}:${hash}`;
}
