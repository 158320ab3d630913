import { describe, expect, it } from 'vitest';
import {
  confirmUrlFor,
  emailHashes,
  ExpiredTokenError,
  InvalidTokenError,
  linksFor,
  signToken,
  verifyToken,
} from '../../lambda/shared/subscriptions/tokens.ts';
import { KeyringError, keyringLoader, parseKeyring } from '../../lambda/shared/signing-keys.ts';

const K1 = 'k1-secret-0123456789abcdef0123456789';
const K0 = 'k0-secret-0123456789abcdef0123456789';
const ring = parseKeyring(JSON.stringify({ current: 'k1', k1: K1, k0: K0 }));
const oldRing = parseKeyring(JSON.stringify({ current: 'k0', k0: K0 }));
const otherRing = parseKeyring(JSON.stringify({ current: 'k1', k1: 'another-secret-0123456789abcdef01234' }));
const now = new Date('2026-03-01T12:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const DAY = 86_400_000;

describe('subscription tokens', () => {
  it('round-trips for each purpose and carries the key id', () => {
    for (const purpose of ['confirm', 'unsubscribe', 'preferences', 'forget'] as const) {
      const token = signToken('sub_A-1', purpose, ring, now);
      expect(token.startsWith('k1.sub_A-1.')).toBe(true);
      expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
      expect(verifyToken(token, purpose, ring, now)).toBe('sub_A-1');
    }
  });

  it('confirmation tokens expire after 7 days; unsubscribe tokens never do', () => {
    const confirm = signToken('abc', 'confirm', ring, now);
    expect(verifyToken(confirm, 'confirm', ring, later(7 * DAY - 1000))).toBe('abc');
    expect(() => verifyToken(confirm, 'confirm', ring, later(7 * DAY + 1000))).toThrow(ExpiredTokenError);
    const unsub = signToken('abc', 'unsubscribe', ring, now);
    expect(verifyToken(unsub, 'unsubscribe', ring, later(20 * 365 * DAY))).toBe('abc');
  });

  it('keeps verifying tokens of a rotated-out key while it stays in the ring', () => {
    const old = signToken('abc', 'unsubscribe', oldRing, now);
    expect(verifyToken(old, 'unsubscribe', ring, now)).toBe('abc');
    expect(() => verifyToken(signToken('abc', 'unsubscribe', ring, now), 'unsubscribe', oldRing, now)).toThrow(InvalidTokenError);
  });

  const good = signToken('abc', 'unsubscribe', ring, now);
  const [kid, id, purpose, exp, sig] = good.split('.') as [string, string, string, string, string];
  const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  it.each([
    ['empty', ''],
    ['garbage', 'not a token'],
    ['too few parts', `${kid}.${id}.${purpose}.${sig}`],
    ['too many parts', `${good}.x`],
    ['other subscriber id', `${kid}.abd.${purpose}.${exp}.${sig}`],
    ['other purpose, same mac', `${kid}.${id}.preferences.${exp}.${sig}`],
    ['expiry added', `${kid}.${id}.${purpose}.zzzzzz.${sig}`],
    ['flipped mac', `${kid}.${id}.${purpose}.${exp}.${flip(sig)}`],
    ['short mac', `${kid}.${id}.${purpose}.${exp}.${sig.slice(0, 20)}`],
    ['unknown key id', `k9.${id}.${purpose}.${exp}.${sig}`],
    ['key id swapped', `k0.${id}.${purpose}.${exp}.${sig}`],
    ['huge', 'a'.repeat(10_000)],
    ['control chars', `${kid}.${id}\n.${purpose}.${exp}.${sig}`],
  ])('rejects a tampered token: %s', (_label, token) => {
    expect(() => verifyToken(token, 'unsubscribe', ring, now)).toThrow(InvalidTokenError);
  });

  it('rejects every other spelling of the MAC, even those that decode to the same bytes', () => {
    // The last of 43 base64url characters carries 2 spare bits: A–D (and so on) decode alike.
    const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const same = [...B64URL].filter((c) => c !== sig.at(-1) && Buffer.from(sig.slice(0, -1) + c, 'base64url').equals(Buffer.from(sig, 'base64url')));
    expect(same).toHaveLength(3);
    for (const c of same) {
      expect(() => verifyToken(`${kid}.${id}.${purpose}.${exp}.${sig.slice(0, -1)}${c}`, 'unsubscribe', ring, now)).toThrow(InvalidTokenError);
    }
    expect(verifyToken(good, 'unsubscribe', ring, now)).toBe('abc');
  });

  it('rejects a genuine token used for another purpose, and one from another keyring', () => {
    expect(() => verifyToken(signToken('abc', 'preferences', ring, now), 'unsubscribe', ring, now)).toThrow(/preferences, not unsubscribe/);
    expect(() => verifyToken(good, 'unsubscribe', otherRing, now)).toThrow(InvalidTokenError);
  });

  it('builds per-recipient links on the public URL', () => {
    const links = linksFor('abc', { publicUrl: 'https://news.example.com/api/', keyring: ring, now });
    const u = new URL(links.unsubscribeUrl);
    expect(u.origin + u.pathname).toBe('https://news.example.com/api/unsubscribe');
    expect(verifyToken(u.searchParams.get('token') ?? '', 'unsubscribe', ring, later(3000 * DAY))).toBe('abc');
    const p = new URL(links.preferencesUrl);
    expect(p.pathname).toBe('/api/preferences');
    expect(verifyToken(p.searchParams.get('token') ?? '', 'preferences', ring, now)).toBe('abc');
    const c = new URL(confirmUrlFor('abc', { publicUrl: 'http://127.0.0.1:3000', keyring: ring, now }));
    expect(c.pathname).toBe('/confirm');
    expect(verifyToken(c.searchParams.get('token') ?? '', 'confirm', ring, now)).toBe('abc');
  });

  it('hashes addresses with every key, current first, case-insensitively, never revealing them', () => {
    const a = emailHashes('Reader@Example.org', ring);
    expect(a.map((h) => h.keyId)).toEqual(['k1', 'k0']);
    expect(emailHashes(' reader@example.ORG ', ring)).toEqual(a);
    expect(a[0]?.hash).not.toEqual(emailHashes('reader2@example.org', ring)[0]?.hash);
    expect(a[1]?.hash).toEqual(emailHashes('reader@example.org', oldRing)[0]?.hash);
    expect(JSON.stringify(a)).not.toMatch(/reader|example/i);
  });
});

describe('signing keyring', () => {
  it.each([
    ['not JSON', '{'],
    ['no current', JSON.stringify({ k1: K1 })],
    ['current missing from ring', JSON.stringify({ current: 'k2', k1: K1 })],
    ['weak secret', JSON.stringify({ current: 'k1', k1: 'short' })],
    ['bad key id', JSON.stringify({ current: 'k.1', 'k.1': K1 })],
    ['non-string', JSON.stringify({ current: 'k1', k1: 5 })],
  ])('rejects %s without echoing secrets', (_label, json) => {
    let error: unknown;
    try {
      parseKeyring(json);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyringError);
    expect(String((error as Error).message)).not.toContain(K1);
  });

  it('loads from Secrets Manager once and caches; a failure is retried next time', async () => {
    let calls = 0;
    let fail = true;
    const load = keyringLoader({ SIGNING_KEY_SECRET_ARN: 'arn:secret' }, () => ({
      async send(cmd) {
        calls++;
        expect(cmd.input.SecretId).toBe('arn:secret');
        if (fail) throw new Error('network down');
        return { SecretString: JSON.stringify({ current: 'k1', k1: K1 }) };
      },
    }));
    await expect(load()).rejects.toBeInstanceOf(KeyringError);
    fail = false;
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toBe(b);
    expect(a.current).toBe('k1');
    await load();
    expect(calls).toBe(2);
  });

  it('prefers SIGNING_KEYRING locally and never constructs a client for it', async () => {
    const load = keyringLoader({ SIGNING_KEYRING: JSON.stringify({ current: 'k1', k1: K1 }) }, () => {
      throw new Error('client must not be made');
    });
    expect((await load()).keys.get('k1')?.toString()).toBe(K1);
    await expect(keyringLoader({}, () => ({ send: async () => ({}) }))()).rejects.toThrow(/SIGNING_KEY_SECRET_ARN/);
  });
});
