import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';

/**
 * The keyring that signs subscription tokens and keys the address hash. JSON
 * `{"current":"k1","k1":"<secret>","k0":"<older secret>"}`: every key but "current" is a key id, so a
 * key rotates by adding a new id and moving "current" while old links keep verifying.
 */
export interface Keyring {
  /** Key id new tokens are signed with. */
  readonly current: string;
  /** Every usable key, by id. */
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** The keyring JSON is missing, malformed or too weak. Never carries the secret in its message. */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';
}

/** Key ids appear inside tokens, so they use the token alphabet only. */
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** 32 characters is about 190 bits from a random base64 secret: enough for HMAC-SHA256. */
const MIN_SECRET_LENGTH = 32;

const keyringJson = z.record(z.string(), z.string());

/** Parse and check keyring JSON; throws KeyringError naming what is wrong (never the secret). */
export function parseKeyring(json: string): Keyring {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new KeyringError('signing keyring is not valid JSON', { cause: error });
  }
  const parsed = keyringJson.safeParse(raw);
  if (!parsed.success) throw new KeyringError('signing keyring must be a JSON object of strings');
  const { current, ...rest } = parsed.data;
  if (!current) throw new KeyringError('signing keyring lacks "current"');
  const keys = new Map<string, Buffer>();
  for (const [id, secret] of Object.entries(rest)) {
    if (!KEY_ID.test(id)) throw new KeyringError(`signing key id "${id}" must match ${KEY_ID}`);
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new KeyringError(`signing key "${id}" is shorter than ${MIN_SECRET_LENGTH} characters`);
    }
    keys.set(id, Buffer.from(secret, 'utf8'));
  }
  if (!keys.has(current)) throw new KeyringError(`signing keyring's current key "${current}" is not in it`);
  return { current, keys };
}

/** The one Secrets Manager capability needed: the client's `send`, narrowed. */
export interface SecretsSource {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string | undefined }>;
}

export interface KeyringSourceConfig {
  readonly SIGNING_KEY_SECRET_ARN?: string | undefined;
  readonly SIGNING_KEYRING?: string | undefined;
}

/**
 * A cached keyring loader: the first call reads SIGNING_KEYRING, or the secret named by
 * SIGNING_KEY_SECRET_ARN through the lazily made client; later calls reuse it for the container's life.
 * A failed load is not cached, so the next invocation retries.
 */
export function keyringLoader(config: KeyringSourceConfig, secrets: () => SecretsSource): () => Promise<Keyring> {
  let pending: Promise<Keyring> | undefined;
  const load = async (): Promise<Keyring> => {
    if (config.SIGNING_KEYRING) return parseKeyring(config.SIGNING_KEYRING);
    if (!config.SIGNING_KEY_SECRET_ARN) {
      throw new KeyringError('set SIGNING_KEY_SECRET_ARN (AWS) or SIGNING_KEYRING (local)');
    }
    let secret: string | undefined;
    try {
      const out = await secrets().send(new GetSecretValueCommand({ SecretId: config.SIGNING_KEY_SECRET_ARN }));
      secret = out.SecretString;
    } catch (error) {
      throw new KeyringError('could not read the signing keyring secret', { cause: error });
    }
    if (!secret) throw new KeyringError('the signing keyring secret has no SecretString');
    return parseKeyring(secret);
  };
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
