import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isValidAddress } from '../../lambda/shared/email/mime.ts';
import { createMemorySubscriberStore } from '../../lambda/shared/subscriptions/memory-store.ts';
import { signToken } from '../../lambda/shared/subscriptions/tokens.ts';
import { normaliseEmail } from '../../lambda/shared/subscriptions/validation.ts';
import type { NewSubscriber, SubscriberStore } from '../../lambda/shared/subscriptions/store.ts';
import { event, harness, headerBlock, headerFields, keyring } from './harness.ts';

/**
 * Thousands of random and hostile requests against the real handler (in-memory store, recording
 * mailer, the real confirmation composer). Whatever arrives: never a 5xx, never a stack trace, never a
 * stored invalid address, never a CR or LF inside an outgoing header.
 */

const hostileChars = fc.constantFrom('\r', '\n', '\r\n', '\u0000', '\t', '\u2028', '\u0085', '"', '<', '>', ',', ';', ':', '\\', '@', ' ', '%0d%0a', 'é', '😀', '\u202e');
const hostileString = fc
  .array(fc.oneof(fc.string({ maxLength: 12 }), hostileChars, fc.constantFrom('a', 'example.org', 'Bcc: x@evil.test', '.', '..')), { maxLength: 12 })
  .map((parts) => parts.join(''));
const emailish = fc.oneof(
  fc.emailAddress(),
  fc.emailAddress().map((e) => e.toUpperCase()),
  fc.tuple(fc.emailAddress(), hostileChars).map(([e, c]) => `${e}${c}`),
  fc.tuple(hostileString, fc.emailAddress()).map(([h, e]) => `${h}${e}`),
  fc.tuple(fc.string({ maxLength: 70 }), fc.domain()).map(([l, d]) => `${l}@${d}`),
  fc.tuple(fc.emailAddress(), fc.constantFrom('  ', '\u00a0', ' \t')).map(([e, w]) => `${w}${e}${w}`),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.emailAddress(), { maxLength: 2 }),
  hostileString,
);
const topicsish = fc.oneof(
  fc.subarray(['world', 'asia', 'science']),
  fc.array(fc.oneof(fc.constantFrom('world', 'asia', 'sport', '__proto__', ''), fc.string()), { maxLength: 5 }),
  fc.string(),
  fc.integer(),
);
const jsonBody = fc
  .record(
    {
      email: emailish,
      topics: topicsish,
      frequency: fc.oneof(fc.constantFrom('immediate', 'daily', 'weekly', 'hourly', ''), fc.string()),
      website: fc.oneof(fc.constant(''), fc.constant(''), fc.string()),
    },
    { requiredKeys: [] },
  )
  .chain((o) => fc.oneof({ arbitrary: fc.constant(o), weight: 4 }, fc.jsonValue().map((extra) => ({ ...o, extra }))))
  .map((o) => JSON.stringify(o));
const formBody = fc
  .array(fc.tuple(fc.constantFrom('email', 'topics', 'frequency', 'website', 'List-Unsubscribe', 'x'), fc.oneof(emailish.map(String), hostileString)), { maxLength: 6 })
  .map((pairs) => new URLSearchParams(pairs).toString());
const rawBody = fc.oneof(fc.string({ maxLength: 200 }), fc.constant('x'.repeat(10_241)), fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b).toString('latin1')));

const path = fc.oneof(
  fc.constantFrom('/', '/subscribe', '/confirm', '/unsubscribe', '/preferences', '/forget', '/subscribe/', '//subscribe', '/SUBSCRIBE', '/constructor', '/__proto__'),
  fc.webPath(),
);
const subscriberIds = ['id-alpha', 'id-beta'];
const tokenish = fc.oneof(
  fc.tuple(fc.constantFrom(...subscriberIds), fc.constantFrom('confirm', 'unsubscribe', 'preferences', 'forget') as fc.Arbitrary<'confirm'>).map(([id, p]) =>
    signToken(id, p, keyring, new Date('2026-05-01T08:00:00Z')),
  ),
  fc.tuple(fc.constantFrom(...subscriberIds), fc.nat({ max: 60 }), fc.string({ maxLength: 3 })).map(([id, i, s]) => {
    const t = signToken(id, 'unsubscribe', keyring, new Date('2026-05-01T08:00:00Z'));
    return t.slice(0, i) + s + t.slice(i + s.length);
  }),
  hostileString,
);
const query = fc.oneof(
  fc.constant(''),
  tokenish.map((t) => `token=${encodeURIComponent(t)}`),
  tokenish.map((t) => `token=${t}`),
  fc.tuple(tokenish, tokenish).map(([a, b]) => `token=${encodeURIComponent(a)}&token=${encodeURIComponent(b)}`),
  fc.string({ maxLength: 80 }),
);
const anyRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'get'),
  path,
  query,
  type: fc.option(fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain', 'application/json; charset=latin1', 'APPLICATION/JSON', ''), { nil: undefined }),
  accept: fc.option(fc.constantFrom('text/html', 'application/json', '*/*', 'text/html,application/json;q=0.9', ''), { nil: undefined }),
  body: fc.option(fc.oneof(jsonBody, formBody, rawBody), { nil: undefined }),
  base64: fc.boolean(),
});
// Subscribe-shaped requests, so that many reach the service and the mailer, not just the router.
const subscribeRequest = fc.record({
  method: fc.constant('POST'),
  path: fc.constant('/subscribe'),
  query: fc.constant(''),
  type: fc.constantFrom('application/json', 'application/x-www-form-urlencoded'),
  accept: fc.option(fc.constantFrom('text/html', 'application/json'), { nil: undefined }),
  body: fc.oneof(
    jsonBody,
    formBody,
    fc.record({ email: emailish, topics: fc.subarray(['world', 'asia', 'science']) }, { requiredKeys: ['email'] }).map((o) => JSON.stringify(o)),
  ),
  base64: fc.boolean(),
}).map((r) => ({ ...r, type: r.body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded' }));
const request = fc.oneof(anyRequest, subscribeRequest);

function spyingStore(created: NewSubscriber[]): SubscriberStore {
  const store = createMemorySubscriberStore();
  return {
    ...store,
    createPending(input, at, options) {
      created.push(input);
      return store.createPending(input, at, options);
    },
  };
}

describe('subscribe handler under random and hostile requests', () => {
  it('never answers 5xx, never stores an invalid address, never sends a header with CR or LF', async () => {
    const created: NewSubscriber[] = [];
    const h = harness(new Date('2026-05-01T08:00:00Z'), spyingStore(created));
    // Two known subscribers so that valid tokens reach real state changes.
    for (const [i, id] of subscriberIds.entries()) {
      await h.store.createPending({ id, email: `known${i}@example.org`, emailHash: `k1:known${i}`, topics: [], frequency: 'daily' }, h.clock.now.toISOString());
    }

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        h.advance(7_000); // time passes, so the 10-minute limit lets some repeat mail through
        const res = await h.app(
          event(r.method, `${r.path}${r.query ? `?${r.query}` : ''}`, {
            ...(r.body !== undefined ? { body: r.body } : {}),
            ...(r.type !== undefined ? { type: r.type } : {}),
            ...(r.accept !== undefined ? { accept: r.accept } : {}),
            base64: r.base64 && r.body !== undefined,
          }),
        );
        expect(res.statusCode).toBeGreaterThanOrEqual(200);
        expect(res.statusCode).toBeLessThan(500);
        expect(res.body).not.toMatch(/\n\s+at \S+ \(|node_modules|\.ts:\d+/);
        if (res.statusCode >= 400 && res.headers['content-type']?.startsWith('application/json')) {
          expect(Object.keys(JSON.parse(res.body) as object).sort()).toEqual(['error', 'message']);
        }
      }),
      { numRuns: 2000, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );

    // Every address that reached the store is valid and already normalised.
    for (const input of created) {
      const normalised = normaliseEmail(input.email);
      expect(normalised).toEqual({ ok: true, email: input.email });
      expect(isValidAddress(input.email)).toBe(true);
      const stored = await h.store.get(input.id);
      if (stored?.email) expect(normaliseEmail(stored.email)).toEqual({ ok: true, email: stored.email });
    }
    // Every outgoing message: no CR or LF but the CRLF line ends, every line a field or its folded
    // continuation, exactly the fields the confirmation mail has (an injected "\r\nBcc: …" would add
    // one), and one valid recipient, the one it was meant for.
    expect(h.mailer.sent.length).toBeGreaterThan(20);
    const FIELDS = ['Content-Type', 'Date', 'From', 'List-ID', 'MIME-Version', 'Message-ID', 'Subject', 'To'];
    for (const message of h.mailer.sent) {
      expect(isValidAddress(message.to)).toBe(true);
      const block = headerBlock(message.raw);
      expect(block).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
      for (const line of block.split('\r\n')) expect(line).toMatch(/^(?:[A-Za-z0-9-]+:(?: |$)|[ \t])/);
      const fields = headerFields(message.raw);
      expect(fields.map(([name]) => name).sort()).toEqual(FIELDS);
      expect(fields.find(([name]) => name === 'To')?.[1]).toBe(message.to);
    }
  }, 60_000);
});
