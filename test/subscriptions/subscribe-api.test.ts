import { describe, expect, it } from 'vitest';
import { emailHashes, signToken } from '../../lambda/shared/subscriptions/tokens.ts';
import { ACCEPTED } from '../../lambda/subscribe/app.ts';
import { ROUTES } from '../../lambda/subscribe/routes.ts';
import { event, harness, keyring, linkIn, subscribeJson } from './harness.ts';

const DAY = 86_400_000;
const json = (body: string) => JSON.parse(body) as { error?: string; message?: string; status?: string };
/** Press the confirm page's button: POST to the link from the mail. */
const confirmPost = (token: string, accept = 'application/json') => event('POST', `/confirm?token=${token}`, { accept });

describe('POST /subscribe: validation table', () => {
  const local64 = 'a'.repeat(64);
  const long254 = `${'b'.repeat(64)}@${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(63)}.org`;
  it.each(([
    ['missing email', {}, 400],
    ['email not a string', { email: 42 }, 400],
    ['CRLF header injection', { email: 'a@example.org\r\nBcc: x@example.org' }, 400],
    ['trailing LF (not trimmed away)', { email: 'a@example.org\n' }, 400],
    ['tab inside', { email: 'a\t@example.org' }, 400],
    ['NUL', { email: 'a\u0000@example.org' }, 400],
    ['Unicode line separator', { email: 'a@example.org\u2028' }, 400],
    ['local part of 65', { email: `${local64}a@example.org` }, 400],
    ['local part of 64', { email: `${local64}@example.org` }, 202],
    ['total of 254', { email: long254 }, 202],
    ['total of 255', { email: `x${long254}` }, 400],
    ['no @', { email: 'example.org' }, 400],
    ['two @', { email: 'a@b@example.org' }, 400],
    ['no TLD', { email: 'a@localhost' }, 400],
    ['IP literal', { email: 'a@[127.0.0.1]' }, 400],
    ['non-ASCII local part (SMTPUTF8: SES cannot deliver it)', { email: 'jösé@example.org' }, 400],
    ['punycode TLD', { email: 'user@example.xn--p1ai' }, 202],
    ['Unicode domain', { email: 'user@пример.рф' }, 202],
    ['Unicode TLD only', { email: 'user@example.рф' }, 202],
    ['punycode that decodes to nothing', { email: 'user@xn--zz.com' }, 400],
    ['TLD label ending in a hyphen', { email: 'user@example.xn--p1ai-' }, 400],
    ['dot at the start', { email: '.a@example.org' }, 400],
    ['empty after trim', { email: '   ' }, 400],
    ['unknown topic', { email: 'a@example.org', topics: ['sport'] }, 400],
    ['topics not a list', { email: 'a@example.org', topics: 'asia' }, 400],
    ['topic not a string', { email: 'a@example.org', topics: [1] }, 400],
    ['bad frequency', { email: 'a@example.org', frequency: 'hourly' }, 400],
    ['unknown field', { email: 'a@example.org', admin: true }, 400],
    ['prototype pollution key', JSON.parse('{"email":"a@example.org","__proto__":{"x":1}}') as unknown, 400],
    ['valid with choices', { email: 'a@example.org', topics: ['asia', 'world'], frequency: 'immediate' }, 202],
  ] as [string, unknown, number][]).map(([label, body, status]) => [label, status, body] as const))('%s → %i', async (_label, status, body) => {
    const { app } = harness();
    const res = await app(subscribeJson(body));
    expect(res.statusCode).toBe(status);
    if (status === 400) {
      const parsed = json(res.body);
      expect(parsed.error).toBe('invalid_request');
      expect(parsed.message).toBeTruthy();
      expect(res.body).not.toMatch(/\n\s+at /);
    } else {
      expect(json(res.body)).toEqual(ACCEPTED);
    }
  });

  it.each(([
    ['invalid JSON', { body: '{"email":', type: 'application/json' }, 400],
    ['JSON array', { body: '["a@example.org"]', type: 'application/json' }, 400],
    ['JSON null', { body: 'null', type: 'application/json' }, 400],
    ['text/plain', { body: 'a@example.org', type: 'text/plain' }, 415],
    ['no content type', { body: 'email=a@example.org' }, 415],
    ['11 KB JSON', { body: JSON.stringify({ email: 'a@example.org', website: 'x'.repeat(11_000) }), type: 'application/json' }, 413],
    ['11 KB base64', { body: 'email=a%40example.org&website=' + 'x'.repeat(11_000), type: 'application/x-www-form-urlencoded', base64: true }, 413],
    ['repeated email in form', { body: 'email=a%40example.org&email=b%40example.org', type: 'application/x-www-form-urlencoded' }, 400],
    ['form, base64-encoded by API Gateway', { body: 'email=a%40example.org&topics=asia,world', type: 'application/x-www-form-urlencoded', base64: true }, 202],
    ['JSON with charset', { body: '{"email":"a@example.org"}', type: 'application/json; charset=utf-8' }, 202],
  ] as [string, Parameters<typeof event>[2], number][]).map(([label, options, status]) => [label, status, options] as const))('%s → %i', async (_label, status, options) => {
    const { app } = harness();
    const res = await app(event('POST', '/subscribe', options));
    expect(res.statusCode).toBe(status);
    if (status >= 400) expect(Object.keys(json(res.body)).sort()).toEqual(['error', 'message']);
  });

  it('normalises the address before storing it: trimmed, domain lower-cased', async () => {
    const { app, store, mailer } = harness();
    await app(subscribeJson({ email: '  Ann.Lee@Mail.EXAMPLE.org  ' }));
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]?.to).toBe('Ann.Lee@mail.example.org');
    expect((await store.get(mailer.sent[0]?.subscriberId ?? ''))?.email).toBe('Ann.Lee@mail.example.org');
  });

  it('internationalised domains: stored and mailed in punycode (SES takes no Unicode), shown in Unicode', async () => {
    const { app, store, mailer } = harness();
    await app(subscribeJson({ email: 'Ann@Bücher.DE' }));
    await app(subscribeJson({ email: 'ivan@ПРИМЕР.рф' }));
    expect(mailer.sent.map((m) => m.to)).toEqual(['Ann@xn--bcher-kva.de', 'ivan@xn--e1afmkfd.xn--p1ai']);
    expect((await store.get(mailer.sent[1]?.subscriberId ?? ''))?.email).toBe('ivan@xn--e1afmkfd.xn--p1ai');
    // The same mailbox typed in punycode is the same subscriber: no second mail.
    await app(subscribeJson({ email: 'ann@xn--bcher-kva.de' }));
    expect(mailer.sent).toHaveLength(2);
    const token = signToken(mailer.sent[0]?.subscriberId ?? '', 'preferences', keyring, new Date());
    const view = await app(event('GET', `/preferences?token=${token}`, { accept: 'application/json' }));
    expect(json(view.body)).toMatchObject({ email: 'A•••n@bücher.de' });
    const local = await app(subscribeJson({ email: 'jösé@example.org' }));
    expect(json(local.body).message).toMatch(/SMTPUTF8/);
  });

  it('a filled honeypot gets the same 202 and nothing happens', async () => {
    const { app, mailer } = harness();
    const res = await app(event('POST', '/subscribe', { body: 'email=bot%40example.org&website=http%3A%2F%2Fspam', type: 'application/x-www-form-urlencoded' }));
    expect(res.statusCode).toBe(202);
    expect(json(res.body)).toEqual(ACCEPTED);
    expect(mailer.sent).toHaveLength(0);
  });
});

describe('subscribe flow rules', () => {
  it('sends at most one confirmation per address per 10 minutes, whatever the spelling', async () => {
    const { app, mailer, advance } = harness();
    await app(subscribeJson({ email: 'ann@example.org' }));
    advance(60_000);
    await app(subscribeJson({ email: 'ANN@Example.org' }));
    advance(8 * 60_000);
    await app(subscribeJson({ email: 'ann@example.org', topics: ['asia'] }));
    expect(mailer.sent).toHaveLength(1);
    advance(2 * 60_000);
    const res = await app(subscribeJson({ email: 'ann@example.org' }));
    expect(res.statusCode).toBe(202);
    expect(mailer.sent).toHaveLength(2);
    expect(new Set(mailer.sent.map((m) => m.subscriberId)).size).toBe(1);
  });

  it('answers the same 202 when SES refuses the mail (throttled); the queue retries it and exactly one arrives', async () => {
    const h = harness();
    const pending = await h.app(subscribeJson({ email: 'pending@example.org' }));
    h.mailer.failNext = 2;
    const failed = await h.api(subscribeJson({ email: 'ann@example.org' }));
    expect(failed.statusCode).toBe(202);
    expect(failed.body).toBe(pending.body);
    // The worker: Throttling twice (nothing sent, claims released, the job fails), then the retry sends.
    const report = await h.drain();
    expect(report.redelivered).toBe(2);
    expect(h.mailer.sent.map((m) => m.to)).toEqual(['pending@example.org', 'ann@example.org']);
    expect(h.queue.deadLetters).toEqual([]);
    expect(await h.store.getRequest(h.queue.enqueued[1]?.requestId ?? '')).toBeNull();
  });

  it('the API only stores the request and queues its id: no address in the queue, nothing decided before the worker runs', async () => {
    const h = harness();
    await h.api(subscribeJson({ email: 'ann@example.org', topics: ['asia'] }));
    expect(h.queue.enqueued).toEqual([{ requestId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) as string }]);
    expect(JSON.stringify(h.queue.enqueued)).not.toContain('ann');
    const request = await h.store.getRequest(h.queue.enqueued[0]?.requestId ?? '');
    expect(request).toMatchObject({ email: 'ann@example.org', topics: ['asia'], frequency: 'daily', requestedAt: h.clock.now.toISOString() });
    expect(h.mailer.sent).toHaveLength(0);
    await h.drain();
    expect(h.mailer.sent).toHaveLength(1);
    expect(await h.store.getRequest(request?.id ?? '')).toBeNull();
  });

  it('a request handled after a later unsubscribe changes nothing (SQS does not keep order)', async () => {
    const h = harness();
    await h.app(subscribeJson({ email: 'ann@example.org' }));
    const id = h.mailer.sent[0]?.subscriberId ?? '';
    await h.app(confirmPost(linkIn(h.mailer.sent[0]?.raw ?? '', 'confirm')));
    h.advance(11 * 60_000);
    await h.api(subscribeJson({ email: 'ann@example.org', topics: ['asia'] })); // queued, not handled yet
    h.advance(1_000);
    await h.api(event('POST', `/unsubscribe?token=${signToken(id, 'unsubscribe', keyring, h.clock.now)}`, { body: 'List-Unsubscribe=One-Click', type: 'application/x-www-form-urlencoded' }));
    await h.drain();
    expect(await h.store.get(id)).toMatchObject({ status: 'unsubscribed', topics: [] });
    expect(h.mailer.sent).toHaveLength(1);
  });

  it('limits confirmation mail per mailbox: +tag variants share one mail per window, and each address is stored as typed', async () => {
    const h = harness();
    for (let i = 0; i < 10; i++) expect((await h.app(subscribeJson({ email: `Name+${i}@example.org` }))).statusCode).toBe(202);
    await h.app(subscribeJson({ email: 'name@example.org' }));
    expect(h.mailer.sent.map((m) => m.to)).toEqual(['Name+0@example.org']);
    // Every address got its own pending subscriber, stored with its +tag as typed.
    for (const email of ['Name+0@example.org', 'Name+7@example.org', 'name@example.org']) {
      const found = await h.store.findByEmailHash(emailHashes(email, keyring).map((x) => x.hash));
      expect(found?.subscriber).toMatchObject({ email, status: 'pending' });
    }
    h.advance(10 * 60_000);
    // A window later the mailbox may have one more; the address keeps the spelling it was first stored with.
    await h.app(subscribeJson({ email: 'name+3@example.org' }));
    expect(h.mailer.sent.map((m) => m.to)).toEqual(['Name+0@example.org', 'Name+3@example.org']);
    // Gmail ignores dots too.
    await h.app(subscribeJson({ email: 'ann.lee@gmail.com' }));
    await h.app(subscribeJson({ email: 'annlee+x@googlemail.com' }));
    expect(h.mailer.sent.map((m) => m.to).slice(2)).toEqual(['ann.lee@gmail.com']);
  });

  it('a confirmed address is left alone: same 202, no mail, its choices unchanged', async () => {
    const { app, mailer, store } = harness();
    await app(subscribeJson({ email: 'ann@example.org', topics: ['asia'] }));
    const token = linkIn(mailer.sent[0]?.raw ?? '', 'confirm');
    expect((await app(confirmPost(token))).statusCode).toBe(200);
    const again = await app(subscribeJson({ email: 'ann@example.org', topics: ['world'], frequency: 'weekly' }));
    expect(again.statusCode).toBe(202);
    expect(json(again.body)).toEqual(ACCEPTED);
    expect(mailer.sent).toHaveLength(1);
    expect(await store.get(mailer.sent[0]?.subscriberId ?? '')).toMatchObject({ status: 'confirmed', topics: ['asia'], frequency: 'daily' });
  });

  it('an unsubscribed address that subscribes again starts over as pending with a new confirmation', async () => {
    const { app, mailer, store, advance } = harness();
    await app(subscribeJson({ email: 'ann@example.org' }));
    const id = mailer.sent[0]?.subscriberId ?? '';
    await app(confirmPost(linkIn(mailer.sent[0]?.raw ?? '', 'confirm')));
    await app(event('POST', `/unsubscribe?token=${signToken(id, 'unsubscribe', keyring, new Date())}`, { body: 'List-Unsubscribe=One-Click', type: 'application/x-www-form-urlencoded' }));
    expect((await store.get(id))?.status).toBe('unsubscribed');
    advance(11 * 60_000);
    await app(subscribeJson({ email: 'ann@example.org', frequency: 'weekly' }));
    expect(await store.get(id)).toMatchObject({ status: 'pending', frequency: 'weekly' });
    expect(mailer.sent).toHaveLength(2);
    expect((await app(confirmPost(linkIn(mailer.sent[1]?.raw ?? '', 'confirm')))).statusCode).toBe(200);
    expect((await store.get(id))?.status).toBe('confirmed');
  });

  it('a suppressed address gets 202 and is never mailed again', async () => {
    const { app, mailer, store, advance } = harness();
    await app(subscribeJson({ email: 'ann@example.org' }));
    await store.suppress(mailer.sent[0]?.subscriberId ?? '', 'complaint', new Date().toISOString());
    advance(DAY);
    const res = await app(subscribeJson({ email: 'ann@example.org' }));
    expect(res.statusCode).toBe(202);
    expect(mailer.sent).toHaveLength(1);
  });

  it('forget erases the address; subscribing it again does nothing, ever', async () => {
    const { app, mailer, store, advance } = harness();
    await app(subscribeJson({ email: 'ann@example.org' }));
    const id = mailer.sent[0]?.subscriberId ?? '';
    await app(confirmPost(linkIn(mailer.sent[0]?.raw ?? '', 'confirm')));
    const page = await app(event('GET', `/preferences?token=${signToken(id, 'preferences', keyring, new Date())}`, { accept: 'text/html' }));
    const forgetToken = page.body.match(/action="forget\?token=([^"]+)"/)?.[1] ?? '';
    expect((await app(event('GET', `/forget?token=${forgetToken}`))).statusCode).toBe(200);
    expect((await store.get(id))?.email).toBe('ann@example.org'); // GET asks, POST acts
    const res = await app(event('POST', `/forget?token=${forgetToken}`, { accept: 'application/json' }));
    expect(res.statusCode).toBe(200);
    expect(json(res.body).status).toBe('forgotten');
    const gone = await store.get(id);
    expect(gone).toMatchObject({ status: 'suppressed', suppressedReason: 'forgotten' });
    expect(JSON.stringify(gone)).not.toContain('ann@');
    expect((await app(event('POST', `/forget?token=${forgetToken}`))).statusCode).toBe(200);
    advance(30 * DAY);
    expect((await app(subscribeJson({ email: 'Ann@example.org' }))).statusCode).toBe(202);
    expect(mailer.sent).toHaveLength(1);
  });
});

describe('links and tokens over HTTP', () => {
  async function confirmedSubscriber() {
    const h = harness();
    await h.app(subscribeJson({ email: 'ann@example.org', topics: ['asia'] }));
    const confirmToken = linkIn(h.mailer.sent[0]?.raw ?? '', 'confirm');
    const id = h.mailer.sent[0]?.subscriberId ?? '';
    return { ...h, id, confirmToken };
  }

  it('GET /confirm changes nothing: it shows the newsletter, topics and frequency and one button that POSTs; only the POST confirms', async () => {
    const h = await confirmedSubscriber();
    // A mail scanner (Safe Links) fetches the link, as HTML and as anything else, more than once.
    for (const accept of ['text/html', '*/*', 'application/json', 'text/html']) {
      const scan = await h.app(event('GET', `/confirm?token=${h.confirmToken}`, { accept }));
      expect(scan.statusCode).toBe(200);
    }
    expect((await h.store.get(h.id))?.status).toBe('pending');
    const page = await h.app(event('GET', `/confirm?token=${h.confirmToken}`, { accept: 'text/html' }));
    expect(page.body).toContain('Confirm your subscription');
    expect(page.body).toContain('<strong>newsbrief</strong>');
    expect(page.body).toContain('a•••n@example.org');
    expect(page.body).toContain('Daily digest, about Asia.');
    // One form, one button, no script: it works without JavaScript.
    expect(page.body.match(/<form /g)).toHaveLength(1);
    expect(page.body).toContain(`<form method="post" action="confirm?token=${encodeURIComponent(h.confirmToken)}">`);
    expect(page.body.match(/<button/g)).toHaveLength(1);
    expect(page.body).toContain('Confirm my subscription</button>');
    expect(page.body).not.toMatch(/<script/i);
    expect(page.headers['content-security-policy']).toContain("form-action 'self'");
    const json200 = await h.app(event('GET', `/confirm?token=${h.confirmToken}`, { accept: 'application/json' }));
    expect(json(json200.body)).toEqual({ status: 'pending_confirmation', message: expect.any(String) as string });

    const pressed = await h.app(event('POST', `/confirm?token=${h.confirmToken}`, { accept: 'text/html', type: 'application/x-www-form-urlencoded', body: '' }));
    expect(pressed.statusCode).toBe(200);
    expect(pressed.body).toContain('Your subscription is confirmed');
    expect(pressed.body).toMatch(/href="https:\/\/news\.example\.com\/preferences\?token=/);
    expect((await h.store.get(h.id))?.status).toBe('confirmed');
    // Afterwards the GET says so, without a button.
    const after = await h.app(event('GET', `/confirm?token=${h.confirmToken}`, { accept: 'text/html' }));
    expect(after.body).toContain('already confirmed');
    expect(after.body).not.toContain('<button');
  });

  it('topics in words: none chosen means every topic', async () => {
    const h = harness();
    await h.app(subscribeJson({ email: 'bob@example.org', frequency: 'weekly' }));
    const page = await h.app(event('GET', `/confirm?token=${linkIn(h.mailer.sent[0]?.raw ?? '', 'confirm')}`, { accept: 'text/html' }));
    expect(page.body).toContain('Weekly digest, about every topic (World, Asia, Science).');
  });

  it('confirm is idempotent and expires after 7 days (410)', async () => {
    const h = await confirmedSubscriber();
    h.advance(6 * DAY);
    expect((await h.app(confirmPost(h.confirmToken))).statusCode).toBe(200);
    const again = await h.app(confirmPost(h.confirmToken));
    expect(again.statusCode).toBe(200);
    expect(json(again.body).message).toMatch(/already/);
    h.advance(2 * DAY);
    for (const method of ['GET', 'POST']) {
      const expired = await h.app(event(method, `/confirm?token=${h.confirmToken}`, { accept: 'application/json' }));
      expect(expired.statusCode).toBe(410);
      expect(json(expired.body).error).toBe('expired_token');
    }
  });

  it('an unconfirmed link expired after 7 days leaves the subscriber pending', async () => {
    const h = await confirmedSubscriber();
    h.advance(8 * DAY);
    const res = await h.app(event('POST', `/confirm?token=${h.confirmToken}`, { accept: 'text/html' }));
    expect(res.statusCode).toBe(410);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('expired');
    expect((await h.store.get(h.id))?.status).toBe('pending');
  });

  it('the confirm link of an unsubscribed or forgotten subscriber is gone (410), by GET and by POST', async () => {
    const h = await confirmedSubscriber();
    await h.app(event('POST', `/unsubscribe?token=${signToken(h.id, 'unsubscribe', keyring, h.clock.now)}`));
    for (const method of ['GET', 'POST']) {
      const res = await h.app(event(method, `/confirm?token=${h.confirmToken}`, { accept: 'application/json' }));
      expect(res.statusCode).toBe(410);
      expect(json(res.body).error).toBe('gone');
    }
    expect((await h.store.get(h.id))?.status).toBe('unsubscribed');
  });

  it.each(([
    ['no token', (_t: string) => '/confirm', 400, 'invalid_token'],
    ['empty token', (_t: string) => '/confirm?token=', 400, 'invalid_token'],
    ['two tokens', (t: string) => `/confirm?token=${t}&token=${t}`, 400, 'invalid_token'],
    ['tampered id', (t: string) => `/confirm?token=${t.replace(/^k1\.(.)/, (_m, c: string) => `k1.${c === 'A' ? 'B' : 'A'}`)}`, 400, 'invalid_token'],
    ['tampered mac', (t: string) => `/confirm?token=${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`, 400, 'invalid_token'],
    ['wrong purpose', (t: string) => `/unsubscribe?token=${t}`, 400, 'invalid_token'],
    ['script in token', (_t: string) => '/confirm?token=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 400, 'invalid_token'],
    ['extra tracking params are ignored', (t: string) => `/confirm?utm_source=mail&token=${t}`, 200, undefined],
  ] as [string, (t: string) => string, number, string | undefined][]).map(([label, url, status, code]) => [label, status, url, code] as const))('%s → %i', async (_label, status, url, code) => {
    const h = await confirmedSubscriber();
    for (const method of ['GET', 'POST']) {
      const res = await h.app(event(method, url(h.confirmToken), { accept: 'application/json' }));
      expect(res.statusCode).toBe(status);
      if (code) expect(json(res.body)).toEqual({ error: code, message: expect.any(String) as string });
      const page = await h.app(event(method, url(h.confirmToken), { accept: 'text/html' }));
      expect(page.statusCode).toBe(status);
      expect(page.body).not.toContain('<script>');
    }
  });

  it('GET /unsubscribe only shows a button; POST one-click unsubscribes, for years, idempotently', async () => {
    const h = await confirmedSubscriber();
    await h.app(confirmPost(h.confirmToken));
    const token = signToken(h.id, 'unsubscribe', keyring, h.clock.now);
    const page = await h.app(event('GET', `/unsubscribe?token=${token}`, { accept: 'text/html' }));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect((await h.store.get(h.id))?.status).toBe('confirmed');
    h.advance(5 * 365 * DAY);
    const oneClick = () => h.app(event('POST', `/unsubscribe?token=${token}`, { body: 'List-Unsubscribe=One-Click', type: 'application/x-www-form-urlencoded' }));
    expect((await oneClick()).statusCode).toBe(200);
    expect((await h.store.get(h.id))?.status).toBe('unsubscribed');
    expect((await oneClick()).statusCode).toBe(200);
    // A multipart body (RFC 8058 allows it) works too.
    const multipart = await h.app(event('POST', `/unsubscribe?token=${token}`, { body: '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--', type: 'multipart/form-data; boundary=b' }));
    expect(multipart.statusCode).toBe(200);
  });

  it('preferences: view and change topics and frequency by JSON and by form', async () => {
    const h = await confirmedSubscriber();
    await h.app(confirmPost(h.confirmToken));
    const token = signToken(h.id, 'preferences', keyring, h.clock.now);
    const view = await h.app(event('GET', `/preferences?token=${token}`, { accept: 'application/json' }));
    expect(JSON.parse(view.body)).toEqual({ status: 'confirmed', topics: ['asia'], frequency: 'daily', email: 'a•••n@example.org' });
    const changed = await h.app(event('POST', `/preferences?token=${token}`, { body: JSON.stringify({ frequency: 'weekly' }), type: 'application/json' }));
    expect(JSON.parse(changed.body)).toMatchObject({ topics: ['asia'], frequency: 'weekly', changed: true });
    // A browser's form POST is answered with a redirect to the page (so a reload does not post again), which says what happened.
    const form = await h.app(event('POST', `/preferences?token=${token}`, { body: 'frequency=immediate', type: 'application/x-www-form-urlencoded', accept: 'text/html' }));
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe(`preferences?token=${encodeURIComponent(token)}&result=saved`);
    expect(await h.store.get(h.id)).toMatchObject({ topics: [], frequency: 'immediate' });
    const shown = await h.app(event('GET', `/preferences?${form.headers.location?.split('?')[1]}`, { accept: 'text/html' }));
    expect(shown.body).toContain('<strong>Saved.</strong>');
    const again = await h.app(event('POST', `/preferences?token=${token}`, { body: 'frequency=immediate', type: 'application/x-www-form-urlencoded', accept: 'text/html' }));
    expect(again.headers.location).toMatch(/&result=unchanged$/);
    // Only the known results are shown; anything else in the query is never echoed.
    const forged = await h.app(event('GET', `/preferences?token=${token}&result=%3Cscript%3E`, { accept: 'text/html' }));
    expect(forged.body).not.toMatch(/<strong>|<script/);
    const bad = await h.app(event('POST', `/preferences?token=${token}`, { body: JSON.stringify({ topics: ['sport'] }), type: 'application/json' }));
    expect(bad.statusCode).toBe(400);
    const unknown = await h.app(event('POST', `/preferences?token=${token}`, { body: JSON.stringify({ status: 'confirmed' }), type: 'application/json' }));
    expect(unknown.statusCode).toBe(400);
    expect(json(unknown.body).message).toContain('status');
    const wrong = await h.app(event('GET', `/preferences?token=${signToken(h.id, 'unsubscribe', keyring, h.clock.now)}`));
    expect(wrong.statusCode).toBe(400);
  });

  it('offers only the frequencies the operator sends: others are refused, and a dropped one is flagged on the page', async () => {
    // The operator schedules weekly digests only: a daily subscriber would wait for mail that never comes.
    const h = harness(undefined, undefined, { frequencies: ['immediate', 'weekly'], defaultFrequency: 'weekly' });
    const refused = await h.app(subscribeJson({ email: 'ann@example.org', frequency: 'daily' }));
    expect(refused.statusCode).toBe(400);
    expect(json(refused.body)).toEqual({ error: 'invalid_request', message: 'frequency must be one of: immediate, weekly' });
    expect(h.mailer.sent).toHaveLength(0);

    const form = await h.app(event('GET', '/', { accept: 'text/html' }));
    expect(form.body).toContain('<option value="weekly" selected>');
    expect(form.body).not.toContain('value="daily"');

    expect((await h.app(subscribeJson({ email: 'ann@example.org' }))).statusCode).toBe(202);
    const id = h.mailer.sent[0]?.subscriberId ?? '';
    expect(await h.store.get(id)).toMatchObject({ frequency: 'weekly' });
    const token = signToken(id, 'preferences', keyring, h.clock.now);
    const daily = await h.app(event('POST', `/preferences?token=${token}`, { body: JSON.stringify({ frequency: 'daily' }), type: 'application/json' }));
    expect(daily.statusCode).toBe(400);
    expect(await h.store.get(id)).toMatchObject({ frequency: 'weekly' });

    // A subscriber left on a frequency the operator stopped sending is told so, and offered the others.
    const stale = harness(undefined, h.store, { frequencies: ['immediate'], defaultFrequency: 'immediate' });
    const page = await stale.app(event('GET', `/preferences?token=${token}`, { accept: 'text/html' }));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Weekly digest is no longer sent');
    expect(page.body).not.toContain('value="weekly"');
  });

  it('routes: 404 for unknown paths, 405 with Allow for wrong methods', async () => {
    const { app } = harness();
    expect((await app(event('GET', '/admin'))).statusCode).toBe(404);
    expect((await app(event('GET', '/__proto__'))).statusCode).toBe(404);
    const wrong = await app(event('DELETE', '/subscribe', { accept: 'application/json' }));
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect((await app(event('GET', '/subscribe'))).statusCode).toBe(405);
  });

  it('serves exactly the routes the stack creates and the local adapter passes on (lambda/subscribe/routes.ts)', async () => {
    const { app } = harness();
    for (const path of new Set(ROUTES.map((r) => r.path))) {
      for (const method of ['GET', 'POST']) {
        const res = await app(event(method, path, { accept: 'application/json' }));
        const routed = ROUTES.some((r) => r.method === method && r.path === path);
        if (routed) expect([200, 202, 400], `${method} ${path}`).toContain(res.statusCode);
        else expect(res.statusCode, `${method} ${path}`).toBe(405);
      }
    }
  });
});
