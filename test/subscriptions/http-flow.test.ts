import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearOutbox, localDynamo, readOutbox } from '../../scripts/local/standins.ts';
import { startServeStack, type ServeStack } from '../../scripts/serve.ts';
import { createDynamoSubscriberStore } from '../../lambda/shared/subscriptions/dynamo-store.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import type { SubscriberStore } from '../../lambda/shared/subscriptions/store.ts';

/**
 * The whole double opt-in flow over HTTP, through `npm run serve`'s stack: the real handler behind the
 * node:http adapter, dynalite and the SES emulator over the real SDK clients.
 */
describe('subscribe API over HTTP (serve stack)', () => {
  let stack: ServeStack;
  let store: SubscriberStore;

  beforeAll(async () => {
    stack = await startServeStack({ log: silentLog, topics: 'world,asia,science' });
    store = createDynamoSubscriberStore({ doc: localDynamo(stack.dynamoEndpoint).doc, tableName: stack.env.TABLE_NAME ?? '' });
    await clearOutbox(stack.sesEndpoint);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const post = (path: string, body: string, type: string, accept = 'application/json') =>
    fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': type, accept }, body });

  async function confirmLinkFor(to: string): Promise<string> {
    await stack.settled(); // the confirmation worker drains the queue in the background
    const mail = (await readOutbox(stack.sesEndpoint)).filter((m) => m.destination.to.includes(to));
    expect(mail).toHaveLength(1);
    const link = mail[0]?.body.text?.match(/https?:\/\/\S+\/confirm\?token=\S+/)?.[0];
    expect(link).toBeTruthy();
    expect(mail[0]?.body.html).toContain(link?.replace(/&/g, '&amp;'));
    return link as string;
  }

  it('subscribe → confirmation mail → confirm → one-click unsubscribe → unsubscribe again', async () => {
    const res = await post('/subscribe', JSON.stringify({ email: '  Flow.Reader@EXAMPLE.org ', topics: ['asia'], frequency: 'weekly' }), 'application/json');
    expect(res.status).toBe(202);
    const accepted = await res.json();

    const link = await confirmLinkFor('Flow.Reader@example.org');
    expect(link.startsWith(`${stack.url}/confirm?token=`)).toBe(true);
    const id = new URL(link).searchParams.get('token')?.split('.')[1] ?? '';
    expect((await store.get(id))?.status).toBe('pending');

    // The link opens a page (a mail scanner fetching it confirms nobody); its button POSTs.
    const shown = await fetch(link, { headers: { accept: 'text/html' } });
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('Confirm my subscription</button>');
    expect((await store.get(id))?.status).toBe('pending');
    const confirmed = await fetch(link, { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.headers.get('content-type')).toContain('text/html');
    const page = await confirmed.text();
    expect(page).toContain('Subscription confirmed');
    const subscriber = await store.get(id);
    expect(subscriber).toMatchObject({ status: 'confirmed', email: 'Flow.Reader@example.org', topics: ['asia'], frequency: 'weekly' });
    const listed = await store.listConfirmed('weekly', { enteredBefore: new Date(Date.now() + 60_000).toISOString(), limit: 10 });
    expect(listed.items.map((s) => s.id)).toContain(id);

    // Confirm is idempotent.
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);

    // The same address again: same 202 body, no second mail (it is confirmed).
    const again = await post('/subscribe', 'email=flow.reader%40example.org', 'application/x-www-form-urlencoded');
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(accepted);
    await stack.settled();
    expect((await readOutbox(stack.sesEndpoint)).filter((m) => m.destination.to.includes('Flow.Reader@example.org'))).toHaveLength(1);

    // The preferences link from the confirmation page, then RFC 8058 one-click unsubscribe.
    const prefsUrl = page.match(/href="([^"]+\/preferences\?token=[^"]+)"/)?.[1]?.replace(/&#38;/g, '&');
    expect(prefsUrl).toBeTruthy();
    const prefs = await fetch(prefsUrl as string, { headers: { accept: 'application/json' } });
    expect(await prefs.json()).toMatchObject({ status: 'confirmed', topics: ['asia'], frequency: 'weekly', email: 'F•••r@example.org' });
    const prefsPage = await (await fetch(prefsUrl as string, { headers: { accept: 'text/html' } })).text();
    const unsubscribePath = prefsPage.match(/action="(unsubscribe\?token=[^"]+)"/)?.[1];
    expect(unsubscribePath).toBeTruthy();

    const scan = await fetch(`${stack.url}/${unsubscribePath}`);
    expect(scan.status).toBe(200);
    expect((await store.get(id))?.status).toBe('confirmed'); // GET never changes state

    const oneClick = await post(`/${unsubscribePath}`, 'List-Unsubscribe=One-Click', 'application/x-www-form-urlencoded', '*/*');
    expect(oneClick.status).toBe(200);
    expect((await store.get(id))?.status).toBe('unsubscribed');
    expect((await store.listConfirmed('weekly', { enteredBefore: new Date(Date.now() + 60_000).toISOString(), limit: 10 })).items.map((s) => s.id)).not.toContain(id);

    const second = await post(`/${unsubscribePath}`, 'List-Unsubscribe=One-Click', 'application/x-www-form-urlencoded', '*/*');
    expect(second.status).toBe(200);
    expect((await store.get(id))?.status).toBe('unsubscribed');

    // The old confirm link does not bring them back.
    expect((await fetch(link, { headers: { accept: 'application/json' } })).status).toBe(410);
  });

  it('serves the subscribe form at / and accepts its POST as HTML', async () => {
    const form = await fetch(`${stack.url}/`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('name="email"');
    expect(html).toContain('name="website"');
    const res = await post('/subscribe', 'email=form%40example.org&topics=asia&topics=world&frequency=daily&website=', 'application/x-www-form-urlencoded', 'text/html');
    expect(res.status).toBe(202);
    expect(await res.text()).toContain('Check your inbox');
    await confirmLinkFor('form@example.org');
  });

  it('answers bad requests with {error, message} and never a stack', async () => {
    const bad = await post('/subscribe', JSON.stringify({ email: 'x@example.org\r\nBcc: victim@example.org' }), 'application/json');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; message: string };
    expect(body.error).toBe('invalid_request');
    expect(body.message).not.toMatch(/at .*\.ts/);
    expect((await post('/subscribe', 'x'.repeat(11 * 1024), 'application/json')).status).toBe(413);
    expect((await fetch(`${stack.url}/nope`)).status).toBe(404);
    expect((await fetch(`${stack.url}/confirm?token=k.a.confirm.0.AAAA`, { headers: { accept: 'text/html' } })).status).toBe(400);
  });
});
