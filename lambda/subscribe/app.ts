import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpApp, HttpResult } from '../shared/http.ts';
import type { Log } from '../shared/logger.ts';
import {
  LinkGoneError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../shared/subscriptions/errors.ts';
import type { SubscriptionService } from '../shared/subscriptions/service.ts';
import { ExpiredTokenError, InvalidTokenError } from '../shared/subscriptions/tokens.ts';
import { CONFIRM_MAIL_INTERVAL_MS } from '../shared/subscriptions/service.ts';
import { describeIssues, MAX_BODY_BYTES, preferencesSchema, subscribeSchema } from '../shared/subscriptions/validation.ts';
import {
  confirmPage,
  forgetConfirmPage,
  messagePage,
  preferencesPage,
  subscribePage,
  unsubscribeConfirmPage,
  type PageContext,
} from './pages.ts';

/**
 * The HTTP edge of the subscribe Lambda (API Gateway HTTP API, payload v2): parse the event, route,
 * call the service, and map results and named errors to responses. Nothing below this file knows
 * about HTTP, and nothing in it knows about DynamoDB or SES.
 */

export type { HttpResult };
export type App = HttpApp;

export interface AppOptions {
  readonly service: SubscriptionService;
  readonly pages: PageContext;
  readonly log: Log;
}

const RESEND_MINUTES = Math.round(CONFIRM_MAIL_INTERVAL_MS / 60_000);

/**
 * The one answer to every accepted subscribe request, whatever the address's state (no enumeration).
 * Its advice is true: a second request within the resend interval sends nothing.
 */
export const ACCEPTED = {
  status: 'accepted',
  message:
    'If this address can subscribe, a confirmation email is on its way: open its link and press Confirm. ' +
    `If none has arrived after ${RESEND_MINUTES} minutes, look in your spam folder, then subscribe again: we send at most one confirmation email every ${RESEND_MINUTES} minutes.`,
} as const;

/** What a saved preferences form says once the browser has followed the redirect (a closed set, never echoed). */
const SAVED_NOTICES: Readonly<Record<string, string>> = { saved: 'Saved.', unchanged: 'Nothing changed.' };

class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}
class MethodNotAllowedError extends Error {
  override readonly name = 'MethodNotAllowedError';
  constructor(readonly allow: string) {
    super('method not allowed');
  }
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // Token-bearing URLs must not leak to other sites through the Referer header.
  'referrer-policy': 'no-referrer',
};
const HTML_HEADERS = {
  ...SECURITY_HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

function json(statusCode: number, body: unknown, extra: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', ...extra }, body: JSON.stringify(body) };
}

function html(statusCode: number, body: string, extra: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...HTML_HEADERS, ...extra }, body };
}

function header(event: APIGatewayProxyEventV2, name: string): string {
  const headers = event.headers ?? {};
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name && v !== undefined) return v;
  return '';
}

/** Browsers get HTML; API clients (Accept: application/json, or a bare POST) get JSON. */
function wantsHtml(event: APIGatewayProxyEventV2, method: string): boolean {
  const accept = header(event, 'accept').toLowerCase();
  if (accept.includes('text/html')) return true;
  if (accept.includes('application/json')) return false;
  return method === 'GET';
}

/** The raw body, decoded when API Gateway base64-encoded it; 413 past MAX_BODY_BYTES. */
function bodyBytes(event: APIGatewayProxyEventV2): Buffer {
  const raw = event.body ?? '';
  // Cheap pre-check before decoding: base64 is 4/3 of the bytes, UTF-8 text at least 1 byte per char.
  if (raw.length > (event.isBase64Encoded ? Math.ceil((MAX_BODY_BYTES * 4) / 3) + 4 : MAX_BODY_BYTES)) {
    throw new PayloadTooLargeError(`request body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`request body must be at most ${MAX_BODY_BYTES} bytes`);
  return bytes;
}

type FormKind = 'json' | 'form' | 'empty';

/** Parse a JSON or form body into a plain object (form: repeated `topics` become a list). */
function parseBody(event: APIGatewayProxyEventV2): { kind: FormKind; value: Record<string, unknown> } {
  const bytes = bodyBytes(event);
  const type = header(event, 'content-type').split(';')[0]?.trim().toLowerCase() ?? '';
  if (bytes.length === 0 && type === '') return { kind: 'empty', value: {} };
  const text = bytes.toString('utf8');
  if (type === 'application/json' || type.endsWith('+json')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ValidationError('body is not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError('body must be a JSON object');
    return { kind: 'json', value: value as Record<string, unknown> };
  }
  if (type === 'application/x-www-form-urlencoded') {
    const params = new URLSearchParams(text);
    const value: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of new Set(params.keys())) {
      const all = params.getAll(key);
      if (key === 'topics') value.topics = all.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
      else if (all.length > 1) throw new ValidationError(`field ${key.slice(0, 40).replace(/[^\w.-]/g, '?')} is given more than once`);
      else value[key] = all[0];
    }
    return { kind: 'form', value: { ...value } };
  }
  throw new UnsupportedMediaTypeError('send application/json or application/x-www-form-urlencoded');
}

/** The single `token` query parameter. Other parameters (tracking tags added by mail clients) are ignored. */
function tokenOf(event: APIGatewayProxyEventV2): string {
  const tokens = new URLSearchParams(event.rawQueryString ?? '').getAll('token');
  if (tokens.length !== 1 || !tokens[0]) throw new InvalidTokenError('the link is missing its token');
  return tokens[0];
}

interface ErrorShape {
  status: number;
  code: string;
  title: string;
  message: string;
  headers?: Record<string, string>;
}

function classify(error: unknown): ErrorShape | null {
  if (error instanceof ValidationError) return { status: 400, code: 'invalid_request', title: 'Please check the form', message: error.message };
  if (error instanceof InvalidTokenError) {
    return { status: 400, code: 'invalid_token', title: 'This link does not work', message: 'This link is invalid or incomplete. Please use the link from your latest email.' };
  }
  if (error instanceof ExpiredTokenError) {
    return { status: 410, code: 'expired_token', title: 'This link has expired', message: 'This link has expired. Please subscribe again to get a fresh confirmation email.' };
  }
  if (error instanceof LinkGoneError) return { status: 410, code: 'gone', title: 'This link is no longer valid', message: error.message };
  if (error instanceof PayloadTooLargeError) return { status: 413, code: 'payload_too_large', title: 'Request too large', message: error.message };
  if (error instanceof UnsupportedMediaTypeError) return { status: 415, code: 'unsupported_media_type', title: 'Unsupported request', message: error.message };
  if (error instanceof NotFoundError) return { status: 404, code: 'not_found', title: 'Not found', message: 'There is nothing here.' };
  if (error instanceof MethodNotAllowedError) {
    return { status: 405, code: 'method_not_allowed', title: 'Not allowed', message: 'This address does not take that method.', headers: { allow: error.allow } };
  }
  return null;
}

/** Build the request handler over a subscription service. */
export function createApp(options: AppOptions): App {
  const { service, pages, log } = options;
  const subscribeBody = subscribeSchema(pages.topics, pages.frequencies);
  const preferencesBody = preferencesSchema(pages.topics, pages.frequencies);

  const routes: Record<string, Partial<Record<'GET' | 'POST', (event: APIGatewayProxyEventV2, asHtml: boolean) => Promise<HttpResult>>>> = {
    '/': {
      GET: async () => html(200, subscribePage(pages)),
    },
    '/subscribe': {
      POST: async (event, asHtml) => {
        const { value } = parseBody(event);
        const parsed = subscribeBody.safeParse(value);
        if (!parsed.success) throw new ValidationError(describeIssues(parsed.error));
        await service.subscribe(parsed.data);
        return asHtml ? html(202, messagePage(pages, 'Check your inbox', ACCEPTED.message)) : json(202, ACCEPTED);
      },
    },
    '/confirm': {
      // Mail scanners (Safe Links, corporate gateways) fetch every link in a message: the GET only shows
      // what the button will do, so a scanned link confirms nobody. Only the POST confirms.
      GET: async (event, asHtml) => {
        const token = tokenOf(event);
        const view = await service.checkConfirm(token);
        if (view.status === 'confirmed') return confirmed(asHtml, true, view.preferencesUrl);
        return asHtml
          ? html(200, confirmPage(pages, token, view))
          : json(200, { status: 'pending_confirmation', message: 'POST to this URL to confirm the subscription.' });
      },
      POST: async (event, asHtml) => {
        const token = tokenOf(event);
        bodyBytes(event);
        const result = await service.confirm(token);
        return confirmed(asHtml, result.already, result.preferencesUrl);
      },
    },
    '/unsubscribe': {
      GET: async (event, asHtml) => {
        const token = tokenOf(event);
        service.checkUnsubscribe(token);
        return asHtml
          ? html(200, unsubscribeConfirmPage(pages, token))
          : json(200, { status: 'pending_confirmation', message: 'POST to this URL (List-Unsubscribe=One-Click) to unsubscribe.' });
      },
      // RFC 8058: the token authorises; the body (List-Unsubscribe=One-Click, form-encoded or multipart)
      // is not required to parse, so any provider's variant works. Size is still bounded.
      POST: async (event, asHtml) => {
        const token = tokenOf(event);
        bodyBytes(event);
        await service.unsubscribe(token);
        const message = 'You are unsubscribed and will receive no more emails.';
        return asHtml ? html(200, messagePage(pages, 'Unsubscribed', message)) : json(200, { status: 'unsubscribed', message });
      },
    },
    '/preferences': {
      GET: async (event, asHtml) => {
        const token = tokenOf(event);
        const view = await service.preferences(token);
        const notice = SAVED_NOTICES[new URLSearchParams(event.rawQueryString ?? '').get('result') ?? ''];
        return asHtml ? html(200, preferencesPage(pages, token, view, notice)) : json(200, publicView(view));
      },
      POST: async (event, asHtml) => {
        const token = tokenOf(event);
        const { kind, value } = parseBody(event);
        // An HTML form omits unticked checkboxes: no `topics` there means none ticked (= all topics).
        const input = kind === 'form' && value.topics === undefined ? { ...value, topics: [] } : value;
        const parsed = preferencesBody.safeParse(input);
        if (!parsed.success) throw new ValidationError(describeIssues(parsed.error));
        const change = {
          ...(parsed.data.topics !== undefined ? { topics: parsed.data.topics } : {}),
          ...(parsed.data.frequency !== undefined ? { frequency: parsed.data.frequency } : {}),
        };
        const view = await service.updatePreferences(token, change);
        // Redirect after POST: the browser shows the page by GET, so a reload does not submit the form again.
        const result = view.changed ? 'saved' : 'unchanged';
        return asHtml
          ? html(303, '', { location: `preferences?token=${encodeURIComponent(token)}&result=${result}` })
          : json(200, publicView(view));
      },
    },
    '/forget': {
      GET: async (event, asHtml) => {
        const token = tokenOf(event);
        service.checkForget(token);
        return asHtml ? html(200, forgetConfirmPage(pages, token)) : json(200, { status: 'pending_confirmation', message: 'POST to this URL to erase the address.' });
      },
      POST: async (event, asHtml) => {
        const token = tokenOf(event);
        bodyBytes(event);
        await service.forget(token);
        const message = 'Your address is erased. We will never email it again.';
        return asHtml ? html(200, messagePage(pages, 'Address erased', message)) : json(200, { status: 'forgotten', message });
      },
    },
  };

  return async (event) => {
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    const asHtml = wantsHtml(event, method);
    try {
      const path = (event.rawPath || '/').replace(/(.)\/+$/, '$1');
      const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
      if (!route) throw new NotFoundError();
      const run = method === 'GET' || method === 'POST' ? route[method] : undefined;
      if (!run) throw new MethodNotAllowedError(Object.keys(route).join(', '));
      return await run(event, asHtml);
    } catch (error) {
      const shape = classify(error);
      if (!shape) {
        // Unexpected: log the error's name (never its message: SDK messages can carry request data).
        log.error('unhandled error', { errorName: (error as Error)?.name ?? typeof error, path: event.rawPath?.slice(0, 100) });
        return respondError({ status: 500, code: 'internal', title: 'Something went wrong', message: 'Something went wrong on our side. Please try again later.' }, asHtml);
      }
      if (shape.status >= 500) log.warn('request failed', { code: shape.code });
      return respondError(shape, asHtml);
    }
  };

  function confirmed(asHtml: boolean, already: boolean, preferencesUrl: string): HttpResult {
    const message = already ? 'Your subscription was already confirmed.' : 'Your subscription is confirmed. Welcome!';
    return asHtml
      ? html(200, messagePage(pages, 'Subscription confirmed', message, `<p><a href="${escapeAttr(preferencesUrl)}">Choose topics and frequency</a></p>`))
      : json(200, { status: 'confirmed', message });
  }

  function respondError(shape: ErrorShape, asHtml: boolean): HttpResult {
    return asHtml
      ? html(shape.status, messagePage(pages, shape.title, shape.message), shape.headers)
      : json(shape.status, { error: shape.code, message: shape.message }, shape.headers);
  }
}

function escapeAttr(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function publicView(view: Awaited<ReturnType<SubscriptionService['preferences']>> & { changed?: boolean }) {
  return {
    status: view.status,
    topics: view.topics,
    frequency: view.frequency,
    email: view.maskedEmail,
    ...(view.changed !== undefined ? { changed: view.changed } : {}),
  };
}
