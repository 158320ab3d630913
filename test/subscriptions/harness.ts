import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createConfirmMailHandler } from '../../lambda/confirm-mail/handler.ts';
import { MemoryJobQueue } from '../../lambda/shared/delivery/memory-queue.ts';
import type { Mailer, OutgoingMessage } from '../../lambda/shared/mailer.ts';
import { silentLog } from '../../lambda/shared/logger.ts';
import { parseKeyring } from '../../lambda/shared/signing-keys.ts';
import { createConfirmationComposer } from '../../lambda/shared/subscriptions/confirmation-mail.ts';
import { createConfirmationWorker } from '../../lambda/shared/subscriptions/confirmations.ts';
import { createMemorySubscriberStore } from '../../lambda/shared/subscriptions/memory-store.ts';
import type { Frequency } from '../../lambda/shared/subscriptions/model.ts';
import type { ConfirmationJob } from '../../lambda/shared/subscriptions/requests.ts';
import type { SubscriberStore } from '../../lambda/shared/subscriptions/store.ts';
import { createSubscriptionService } from '../../lambda/shared/subscriptions/service.ts';
import { createApp, type App } from '../../lambda/subscribe/app.ts';

/**
 * Shared fixtures for the subscribe tests: the real app over the in-memory store, the confirmation
 * queue (the in-process queue with SQS semantics) and the real confirmation worker behind its real
 * SQS handler, with the real composer and a recording mailer.
 */

export const TOPICS = ['world', 'asia', 'science'];
export const PUBLIC_URL = 'https://news.example.com';
export const keyring = parseKeyring(JSON.stringify({ current: 'k1', k1: 'test-secret-0123456789abcdef0123456789' }));

/** A mailer that records messages, and can be told to fail. */
export function recordingMailer(): Mailer & { sent: OutgoingMessage[]; failNext: number } {
  const mailer = {
    sent: [] as OutgoingMessage[],
    failNext: 0,
    async send(message: OutgoingMessage) {
      if (mailer.failNext > 0) {
        mailer.failNext--;
        // What SES answers when throttled: HTTP 400, code Throttling (nothing was sent).
        throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
      }
      mailer.sent.push(message);
      return { messageId: `m-${mailer.sent.length}` };
    },
  };
  return mailer;
}

// One composer for the whole process, as in a Lambda container (confirm.mjml is precompiled at build time).
export const composer = createConfirmationComposer({
  newsletterName: 'newsbrief',
  postalAddress: '1 Example Street, Springfield',
  from: { name: 'newsbrief', address: 'news@example.com' },
});

/**
 * A fresh app with its own store, mailer, confirmation queue and a clock the test can move; `offer`
 * narrows the frequencies. `app` drains the confirmation queue after each request (as if the worker
 * were instant); `api` is the bare API, and `drain()` runs the worker when the test says so.
 */
export function harness(
  start = new Date('2026-05-01T08:00:00Z'),
  store: SubscriberStore = createMemorySubscriberStore(),
  offer: { frequencies?: readonly Frequency[]; defaultFrequency?: Frequency } = {},
  mailer: Mailer & { sent: OutgoingMessage[]; failNext?: number } = recordingMailer(),
) {
  const clock = { now: start };
  const queue = new MemoryJobQueue<ConfirmationJob>({ now: () => clock.now.getTime(), visibilityTimeoutMs: 60_000, sleep: async (ms) => advance(ms) });
  const service = createSubscriptionService({
    store,
    queue,
    keyring,
    config: { publicUrl: PUBLIC_URL, topics: TOPICS, ...(offer.defaultFrequency ? { defaultFrequency: offer.defaultFrequency } : {}) },
    clock: () => clock.now,
    log: silentLog,
  });
  const worker = createConfirmationWorker({ store, mailer, composer, keyring, publicUrl: PUBLIC_URL, clock: () => clock.now, log: silentLog });
  const onQueue = createConfirmMailHandler(async () => ({ worker, log: silentLog }));
  const api = createApp({ service, pages: { newsletterName: 'newsbrief', topics: TOPICS, ...offer }, log: silentLog });
  const drain = () => queue.drain(onQueue);
  const app: App = async (e) => {
    const res = await api(e);
    await drain();
    return res;
  };
  function advance(ms: number) {
    clock.now = new Date(clock.now.getTime() + ms);
  }
  return { app, api, drain, queue, worker, store, mailer, clock, advance };
}

/** An API Gateway HTTP API (v2) event. */
export function event(
  method: string,
  pathAndQuery: string,
  options: { body?: string; type?: string; accept?: string; base64?: boolean; headers?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = pathAndQuery.split(/\?(.*)/s);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.type) headers['content-type'] = options.type;
  if (options.accept) headers.accept = options.accept;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'news.example.com',
      domainPrefix: 'news',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    ...(options.body !== undefined
      ? { body: options.base64 ? Buffer.from(options.body).toString('base64') : options.body }
      : {}),
    isBase64Encoded: options.base64 ?? false,
  };
}

/** POST a JSON body to /subscribe. */
export const subscribeJson = (body: unknown) => event('POST', '/subscribe', { body: JSON.stringify(body), type: 'application/json' });

/** The token of the link of `purpose` inside a raw message. */
export function linkIn(raw: Buffer | string, path: string): string {
  const text = raw.toString();
  // Quoted-printable soft breaks would split the URL; the text part is 7bit/QP, so undo soft breaks first.
  const unfolded = text.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const match = unfolded.match(new RegExp(`https://news\\.example\\.com/${path}\\?token=([A-Za-z0-9_.-]+)`));
  if (!match?.[1]) throw new Error(`no ${path} link in the message`);
  return match[1];
}

/** The header block of a raw message, as sent (CRLF line ends, folded lines not joined). */
export function headerBlock(raw: Buffer | string): string {
  const text = raw.toString();
  return text.slice(0, text.indexOf('\r\n\r\n'));
}

/** The header fields of a raw message, folded lines joined: [name, value] in order. */
export function headerFields(raw: Buffer | string): [string, string][] {
  const fields: [string, string][] = [];
  for (const line of headerBlock(raw).split('\r\n')) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) last[1] = `${last[1]} ${line.trim()}`.trim();
    else fields.push([line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]);
  }
  return fields;
}
