import { randomBytes } from 'node:crypto';
import { domainToUnicode } from 'node:url';
import type { Log } from '../logger.ts';
import type { Keyring } from '../signing-keys.ts';
import { LinkGoneError } from './errors.ts';
import type { Frequency, Subscriber } from './model.ts';
import type { ConfirmationQueue, SubscribeRequest } from './requests.ts';
import type { SubscriberStore } from './store.ts';
import { linksFor, signToken, verifyToken } from './tokens.ts';
import type { PreferencesBody, SubscribeBody } from './validation.ts';

/**
 * The subscription use cases the API serves (double opt-in, one-click unsubscribe, preferences,
 * forget) over injected ports. Pure of HTTP: the edge parses and validates, calls one method, and
 * maps results and named errors to responses. A subscribe request is only stored and queued here; the
 * confirmation worker (confirmations.ts) does the rest. Logs carry ids only, never addresses or tokens.
 */

/** At most one confirmation mail per address, and per mailbox, per this window (the worker keeps to it; the 202 says so). */
export const CONFIRM_MAIL_INTERVAL_MS = 10 * 60 * 1000;

export interface SubscriptionConfig {
  /** Public base URL the links are built on. */
  readonly publicUrl: string;
  /** The operator's topic slugs. */
  readonly topics: readonly string[];
  /** Frequency of a subscriber who does not choose one. */
  readonly defaultFrequency?: Frequency;
}

export interface SubscriptionDeps {
  readonly store: SubscriberStore;
  /** Where subscribe requests go for the confirmation worker. */
  readonly queue: ConfirmationQueue;
  readonly keyring: Keyring;
  readonly config: SubscriptionConfig;
  readonly clock?: () => Date;
  readonly log: Log;
  /** Random request ids; injectable for tests. */
  readonly newId?: () => string;
}

/** What the confirm page shows before the button is pressed (never the full address). */
export interface ConfirmView {
  readonly subscriberId: string;
  readonly status: 'pending' | 'confirmed';
  readonly topics: readonly string[];
  readonly frequency: Frequency;
  readonly maskedEmail: string | null;
  readonly preferencesUrl: string;
}

/** What the preferences page shows (never the full address). */
export interface PreferencesView {
  readonly subscriberId: string;
  readonly status: Subscriber['status'];
  readonly topics: readonly string[];
  readonly frequency: Frequency;
  /** The address with the local part masked, so the reader knows which subscription this is. */
  readonly maskedEmail: string | null;
  readonly unsubscribeUrl: string;
  /** A fresh, short-lived link for the "forget me" button. */
  readonly forgetToken: string;
  readonly changed?: boolean;
}

/** Mask "reader@example.org" as "r•••r@example.org" for display; an IDN domain is shown in Unicode. */
export function maskEmail(email: string | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const shown = local.length <= 2 ? `${local[0] ?? ''}•••` : `${local[0]}•••${local[local.length - 1]}`;
  const domain = email.slice(at + 1);
  return `${shown}@${domainToUnicode(domain) || domain}`;
}

/** 16 random bytes, base64url: unguessable and token-safe. */
export function randomSubscriberId(): string {
  return randomBytes(16).toString('base64url');
}

/** Build the subscription service from its ports. */
export function createSubscriptionService(deps: SubscriptionDeps) {
  const { store, queue, keyring, config, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomSubscriberId;
  const defaultFrequency = config.defaultFrequency ?? 'daily';

  return {
    /**
     * Double opt-in, first half. The same two writes for every address (store the request, queue its
     * id) and the same 202 at the edge, so neither the answer nor its time tells whether the address is
     * new, pending, subscribed, suppressed or forgotten. The worker decides: a new, pending or
     * unsubscribed address gets a confirmation mail (rate limited), a confirmed one is left alone, a
     * suppressed or forgotten one is never mailed again.
     */
    async subscribe(body: SubscribeBody): Promise<void> {
      if (body.website) {
        log.info('honeypot filled: request ignored');
        return;
      }
      const request: SubscribeRequest = {
        id: newId(),
        email: body.email,
        topics: body.topics ?? [],
        frequency: body.frequency ?? defaultFrequency,
        requestedAt: clock().toISOString(),
      };
      await store.saveRequest(request);
      await queue.enqueue([{ requestId: request.id }]);
      log.info('subscribe request queued', { requestId: request.id });
    },

    /**
     * GET /confirm: what the button will confirm, changing nothing (mail scanners fetch every link).
     * An unsubscribed, suppressed or forgotten subscriber's link is gone.
     */
    async checkConfirm(token: string): Promise<ConfirmView> {
      const now = clock();
      const id = verifyToken(token, 'confirm', keyring, now);
      const s = await store.get(id);
      if (!s || (s.status !== 'pending' && s.status !== 'confirmed')) {
        throw new LinkGoneError('this confirmation link is no longer valid; please subscribe again');
      }
      const { preferencesUrl } = linksFor(id, { publicUrl: config.publicUrl, keyring, now });
      return { subscriberId: id, status: s.status, topics: s.topics, frequency: s.frequency, maskedEmail: maskEmail(s.email), preferencesUrl };
    },

    /** POST /confirm: pending → confirmed. Idempotent; an unsubscribed or forgotten subscriber's link is gone. */
    async confirm(token: string): Promise<{ subscriberId: string; already: boolean; preferencesUrl: string }> {
      const now = clock();
      const id = verifyToken(token, 'confirm', keyring, now);
      const outcome = await store.confirm(id, now.toISOString());
      if (outcome === 'refused' || outcome === 'unknown') {
        throw new LinkGoneError('this confirmation link is no longer valid; please subscribe again');
      }
      log.info(outcome === 'changed' ? 'subscriber confirmed' : 'confirm link reused', { subscriberId: id });
      const { preferencesUrl } = linksFor(id, { publicUrl: config.publicUrl, keyring, now });
      return { subscriberId: id, already: outcome === 'unchanged', preferencesUrl };
    },

    /** Check an unsubscribe link without acting on it (GET shows a button: link scanners fetch GETs). */
    checkUnsubscribe(token: string): string {
      return verifyToken(token, 'unsubscribe', keyring, clock());
    },

    /** POST /unsubscribe (RFC 8058 one-click): unsubscribed at once; idempotent, whatever the state. */
    async unsubscribe(token: string): Promise<{ subscriberId: string }> {
      const now = clock();
      const id = verifyToken(token, 'unsubscribe', keyring, now);
      const outcome = await store.unsubscribe(id, now.toISOString());
      log.info(outcome === 'changed' ? 'subscriber unsubscribed' : 'unsubscribe repeated', { subscriberId: id, outcome });
      return { subscriberId: id };
    },

    /** GET /preferences: the current choice, for the form. */
    async preferences(token: string): Promise<PreferencesView> {
      const now = clock();
      const id = verifyToken(token, 'preferences', keyring, now);
      return view(id, now);
    },

    /** POST /preferences: change topics and/or frequency. */
    async updatePreferences(token: string, change: PreferencesBody): Promise<PreferencesView> {
      const now = clock();
      const id = verifyToken(token, 'preferences', keyring, now);
      const outcome = await store.updatePreferences(id, change, now.toISOString());
      if (outcome === 'unknown') throw new LinkGoneError('this subscription no longer exists');
      if (outcome === 'refused') {
        throw new LinkGoneError('you are not subscribed any more; subscribe again to choose topics');
      }
      if (outcome === 'changed') log.info('preferences changed', { subscriberId: id });
      return { ...(await view(id, now)), changed: outcome === 'changed' };
    },

    /** Check a forget link without acting on it. */
    checkForget(token: string): string {
      return verifyToken(token, 'forget', keyring, clock());
    },

    /** POST /forget: erase the address; the keyed hash and status stay so it is never mailed again. */
    async forget(token: string): Promise<{ subscriberId: string }> {
      const now = clock();
      const id = verifyToken(token, 'forget', keyring, now);
      const outcome = await store.forget(id, now.toISOString());
      log.info(outcome === 'changed' ? 'subscriber forgotten' : 'forget repeated', { subscriberId: id, outcome });
      return { subscriberId: id };
    },
  };

  async function view(id: string, now: Date): Promise<PreferencesView> {
    const s = await store.get(id);
    if (!s || s.status === 'suppressed') throw new LinkGoneError('this subscription no longer exists');
    return {
      subscriberId: id,
      status: s.status,
      topics: s.topics,
      frequency: s.frequency,
      maskedEmail: maskEmail(s.email),
      unsubscribeUrl: linksFor(id, { publicUrl: config.publicUrl, keyring, now }).unsubscribeUrl,
      forgetToken: signToken(id, 'forget', keyring, now),
    };
  }
}

/** The service's shape, for the HTTP edge. */
export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
