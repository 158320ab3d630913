import { randomSubscriberId } from './service.ts';
import type { Frequency, Subscriber } from './model.ts';
import type { SubscriberStore } from './store.ts';
import type { Keyring } from '../signing-keys.ts';
import { emailHashes } from './tokens.ts';
import { normaliseEmail } from './validation.ts';

/**
 * Seeding confirmed subscribers without the double opt-in mail, for local runs (`npm start` loads
 * examples/subscribers.json) and benchmarks. It goes through the same store operations and address
 * rules as the API, so a seeded subscriber is indistinguishable from one who clicked the link.
 * Never exposed over HTTP.
 */

/** A seed entry whose address fails the API's rules. The message names the entry index, not the address. */
export class InvalidSeedError extends Error {
  override readonly name = 'InvalidSeedError';
}

export interface SeedSubscriber {
  readonly email: string;
  readonly topics?: readonly string[];
  readonly frequency?: Frequency;
}

/**
 * Create (or find) the subscriber for `entry` and confirm it. Idempotent: seeding the same address
 * again returns the same subscriber and changes nothing; an unsubscribed or suppressed one stays so.
 */
export async function seedConfirmedSubscriber(
  store: SubscriberStore,
  keyring: Keyring,
  entry: SeedSubscriber,
  at: string,
  label = 'subscriber',
): Promise<Subscriber> {
  const normalised = normaliseEmail(entry.email);
  if (!normalised.ok) throw new InvalidSeedError(`${label}: ${normalised.reason}`);
  const hashes = emailHashes(normalised.email, keyring).map((h) => h.hash);
  const found = await store.findByEmailHash(hashes);
  let id = found?.subscriberId;
  if (!found?.subscriber) {
    const created = await store.createPending(
      {
        id: id ?? randomSubscriberId(),
        email: normalised.email,
        emailHash: found?.emailHash ?? (hashes[0] as string),
        topics: [...(entry.topics ?? [])],
        frequency: entry.frequency ?? 'daily',
      },
      at,
    );
    id = created.subscriberId;
  }
  if (!id) throw new InvalidSeedError(`${label}: could not be created`);
  await store.confirm(id, at);
  const subscriber = await store.get(id);
  if (!subscriber) throw new InvalidSeedError(`${label}: vanished while seeding`);
  return subscriber;
}
