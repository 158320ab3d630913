import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../signing-keys.ts';

/**
 * The CMS webhook's request signature: HMAC-SHA256 over `<timestamp>.<raw body>` under the webhook
 * secret, sent as `X-Newsbrief-Signature: sha256=<hex>` with `X-Newsbrief-Timestamp: <unix seconds>`.
 * Binding the timestamp into the MAC and refusing times more than 5 minutes away stops a captured
 * request from being replayed later; within the window a replay is harmless, because the webhook is
 * idempotent by article id. Every key of the keyring verifies, so the secret rotates without downtime.
 */

export const SIGNATURE_HEADER = 'x-newsbrief-signature';
export const TIMESTAMP_HEADER = 'x-newsbrief-timestamp';
/** How far a request's timestamp may be from the server's clock, either way. */
export const TOLERANCE_SECONDS = 300;

/** The request is not signed, or not by a key we hold, or too old or too new. The message is safe to return. */
export class SignatureError extends Error {
  override readonly name = 'SignatureError';
}

/** The signature header value for `body` sent at `timestamp` (unix seconds). */
export function signBody(body: Uint8Array | string, timestamp: number, key: Uint8Array | string): string {
  const mac = createHmac('sha256', key).update(`${timestamp}.`).update(body).digest('hex');
  return `sha256=${mac}`;
}

/** Check a request's signature and timestamp; throws SignatureError saying what is wrong. */
export function verifySignature(request: { body: Uint8Array; signature: string | undefined; timestamp: string | undefined }, keyring: Keyring, nowMs: number): void {
  if (!request.signature || !request.timestamp) {
    throw new SignatureError(`the request must be signed: ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers are required`);
  }
  if (!/^\d{1,12}$/.test(request.timestamp.trim())) throw new SignatureError(`${TIMESTAMP_HEADER} must be unix seconds`);
  const timestamp = Number(request.timestamp.trim());
  if (Math.abs(nowMs / 1000 - timestamp) > TOLERANCE_SECONDS) {
    throw new SignatureError(`${TIMESTAMP_HEADER} is more than ${TOLERANCE_SECONDS} seconds from the server's time (a replayed or delayed request, or a wrong clock)`);
  }
  const m = /^sha256=([0-9a-f]{64})$/i.exec(request.signature.trim());
  if (!m) throw new SignatureError(`${SIGNATURE_HEADER} must be "sha256=" and 64 hex digits`);
  const given = Buffer.from(m[1]!.toLowerCase(), 'hex');
  for (const key of keyring.keys.values()) {
    const expected = Buffer.from(signBody(request.body, timestamp, key).slice('sha256='.length), 'hex');
    if (timingSafeEqual(given, expected)) return;
  }
  throw new SignatureError('the signature does not match the body and timestamp under the webhook secret');
}
