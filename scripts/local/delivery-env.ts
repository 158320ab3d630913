import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The settings of the local runs: the table name, sender and the delivery environment that
 * `npm start` (and `npx newsbrief ... --local`) hand the handlers, and the per-data-folder keyring.
 */

export const LOCAL_TABLE_NAME = 'newsbrief-local';
/** The port `npm run serve` listens on, and so the host of every local link. */
export const LOCAL_PORT = 3000;

/** The base URL local links point at: `npm run serve` on its port (PORT overrides both). */
export function localPublicUrl(port: number = Number(process.env.PORT ?? LOCAL_PORT)): string {
  return `http://127.0.0.1:${port}`;
}
export const LOCAL_SENDER_ADDRESS = 'news@newsbrief.example.com';

/** The port `npm start` serves its example feeds on (FEEDS_PORT overrides): a fixed one, so their URLs, and so their state, stay the same across runs. */
export const LOCAL_FEEDS_PORT = 8010;
/** The example feeds `npm start` polls, with URLs relative to the feed server. */
export const LOCAL_FEEDS_LIST = path.join(import.meta.dirname, '../../examples/feeds/feeds.json');

/** The base URL of `npm start`'s example feed server. */
export function localFeedsUrl(port: number = Number(process.env.FEEDS_PORT ?? LOCAL_FEEDS_PORT)): string {
  return `http://127.0.0.1:${port}`;
}

/** The topics the local run offers (a deployment sets TOPICS from its configuration file). */
export const LOCAL_TOPICS = ['world', 'asia', 'us-politics', 'diplomacy', 'politics', 'europe', 'business', 'science', 'climate', 'sports'] as const;

/** Keyword rules of the local run (a deployment sets TOPIC_RULES from its config file). */
export const LOCAL_TOPIC_RULES = {
  asia: ['north korea', 'pyongyang', 'kim jong', 'seoul', 'korean peninsula'],
  'us-politics': ['white house', 'trump', 'pompeo', 'bolton'],
  diplomacy: ['summit', 'sanctions', 'denuclear'],
};

/** The file holding a data folder's signing keyring. */
export function keyringFile(dataDir: string): string {
  return path.join(dataDir, 'signing-keyring.json');
}

/** The data folder's keyring JSON, generated on first use (never committed) so links stay valid across runs. */
export function localKeyring(dataDir: string): string {
  const file = keyringFile(dataDir);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const ring = JSON.stringify({ current: 'local1', local1: randomBytes(32).toString('base64url') });
  writeFileSync(file, ring, { mode: 0o600 });
  return ring;
}

/** The delivery functions' environment for a local run. */
export function localDeliveryEnvironment(keyringJson: string): Record<string, string> {
  return {
    TABLE_NAME: LOCAL_TABLE_NAME,
    NEWSLETTER_NAME: 'newsbrief',
    SENDER_ADDRESS: LOCAL_SENDER_ADDRESS,
    SENDER_NAME: 'newsbrief',
    POSTAL_ADDRESS: 'newsbrief, 1 Example Street, Springfield, USA',
    // `npm run serve` on the same data folder answers these links (scripts/local/config.ts).
    PUBLIC_URL: localPublicUrl(),
    TOPICS: LOCAL_TOPICS.join(','),
    SIGNING_KEYRING: keyringJson,
    BUCKET_NAME: 'local',
    SEND_QUEUE_URL: 'in-process',
    CONFIGURATION_SET: 'newsbrief-local',
    MAX_SEND_RATE: '50',
    SENDER_CONCURRENCY: '1',
    TOPIC_RULES: JSON.stringify(LOCAL_TOPIC_RULES),
    // Public locally, so `npm run serve` shows the index of what `npm start` sent.
    ARCHIVE: 'public',
  };
}
