import { describe, expect, it } from 'vitest';
import { createMemorySubscriberStore } from '../../lambda/shared/subscriptions/memory-store.ts';
import { InvalidSeedError, seedConfirmedSubscriber } from '../../lambda/shared/subscriptions/seed.ts';
import { keyring } from './harness.ts';

describe('seeding confirmed subscribers', () => {
  it('creates a confirmed, indexed subscriber once, and is idempotent', async () => {
    const store = createMemorySubscriberStore();
    const a = await seedConfirmedSubscriber(store, keyring, { email: ' Ann@Example.ORG ', topics: ['asia'], frequency: 'weekly' }, '2026-01-01T00:00:00.000Z');
    expect(a).toMatchObject({ status: 'confirmed', email: 'Ann@example.org', topics: ['asia'], frequency: 'weekly' });
    const again = await seedConfirmedSubscriber(store, keyring, { email: 'ann@example.org' }, '2026-01-02T00:00:00.000Z');
    expect(again.id).toBe(a.id);
    expect(again.confirmedAt).toBe('2026-01-01T00:00:00.000Z');
    const page = await store.listConfirmed('weekly', { enteredBefore: '2026-02-01T00:00:00.000Z', limit: 10 });
    expect(page.items.map((s) => s.id)).toEqual([a.id]);
  });

  it('keeps an unsubscribed subscriber unsubscribed and rejects invalid addresses by entry label', async () => {
    const store = createMemorySubscriberStore();
    const a = await seedConfirmedSubscriber(store, keyring, { email: 'bob@example.org' }, '2026-01-01T00:00:00.000Z');
    await store.unsubscribe(a.id, '2026-01-02T00:00:00.000Z');
    expect((await seedConfirmedSubscriber(store, keyring, { email: 'bob@example.org' }, '2026-01-03T00:00:00.000Z')).status).toBe('unsubscribed');
    await expect(seedConfirmedSubscriber(store, keyring, { email: 'bob@example.org\r\nBcc: x@y.z' }, 'x', 'subscribers.json[3]')).rejects.toThrow(
      new InvalidSeedError('subscribers.json[3]: email must not contain control characters or line breaks'),
    );
  });
});
