import { randomBytes } from 'node:crypto';
import type { Mailer } from '../mailer.ts';
import type { Log } from '../logger.ts';
import type { Keyring } from '../signing-keys.ts';
import { LinkGoneError } from './errors.ts';
import type { Frequency, Subscriber } from './model.ts';
import type { SubscriberStore } from './store.ts';
import { confirmUrlFor, emailHashes, linksFor, signToken, verifyToken } from './tokens.ts';
import type { PreferencesBody, SubscribeBody } from './validation.ts';

/**
 * The subscription use cases (double opt-in, one-click unsubscribe, preferences, forget) over injected
 * ports. Pure of HTTP: the edge parses and validates, calls one method, and maps results and named
 * errors to responses. Logs carry subscriber ids only, never addresses or tokens.
 */

/** At most one confirmation mail per address per this window. */
export const CONFIRM_MAIL_INTERVAL_MS = 10 * 60 * 1000;

/** Builds the raw confirmation message for one address (MJML render + MIME live behind this port). */
export interface ConfirmationComposer {
  compose(input: { readonly subscriberId: string; readonly email: string; readonly confirmUrl: string }): Promise<Buffer | string>;
}

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
  readonly mailer: Mailer;
  readonly composer: ConfirmationComposer;
  readonly keyring: Keyring;
  readonly config: SubscriptionConfig;
  readonly clock?: () => Date;
  readonly log: Log;
  /** Random subscriber ids (not derived from the address); injectable for tests. */
  readonly newId?: () => string;
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

/** Mask "reader@example.org" as "r•••r@example.org" for display. */
export function maskEmail(email: string | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const shown = local.length <= 2 ? `${local[0] ?? ''}•••` : `${local[0]}•••${local[local.length - 1]}`;
  return `${shown}${email.slice(at)}`;
}

/** 16 random bytes, base64url: unguessable and token-safe. */
export function randomSubscriberId(): string {
  return randomBytes(16).toString('base64url');
}

/** Build the subscription service from its ports. */
export function createSubscriptionService(deps: SubscriptionDeps) {
  const { store, mailer, composer, keyring, config, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomSubscriberId;
  const defaultFrequency = config.defaultFrequency ?? 'daily';

  /**
   * Send the confirmation mail whose claim the store already recorded at `at`. On failure the claim
   * is released and the error logged, but not surfaced: the caller still answers the same 202, or an
   * SES outage (or throttling an attacker provokes) would tell new addresses from subscribed ones.
   * The person who gets no mail subscribes again, and that try sends.
   */
  async function sendConfirmation(subscriber: Subscriber, now: Date, at: string): Promise<void> {
    if (!subscriber.email) return;
    try {
      const confirmUrl = confirmUrlFor(subscriber.id, { publicUrl: config.publicUrl, keyring, now });
      const raw = await composer.compose({ subscriberId: subscriber.id, email: subscriber.email, confirmUrl });
      const { messageId } = await mailer.send({ raw, to: subscriber.email, subscriberId: subscriber.id });
      log.info('confirmation mail sent', { subscriberId: subscriber.id, messageId });
    } catch (error) {
      await store.releaseConfirmationMail(subscriber.id, at);
      log.error('confirmation mail failed; claim released for the next try', { subscriberId: subscriber.id, errorName: (error as Error)?.name });
    }
  }

  return {
    /**
     * Double opt-in. The caller answers the same 202 whatever happens here, so addresses cannot be
     * enumerated: a new, pending or previously unsubscribed address gets a confirmation mail (rate
     * limited); a confirmed one is left alone; a suppressed or forgotten one is never mailed again.
     */
    async subscribe(body: SubscribeBody): Promise<void> {
      if (body.website) {
        log.info('honeypot filled: request ignored');
        return;
      }
      const now = clock();
      const at = now.toISOString();
      const topics = body.topics ?? [];
      const frequency = body.frequency ?? defaultFrequency;
      const hashes = emailHashes(body.email, keyring).map((h) => h.hash);
      const found = await store.findByEmailHash(hashes);
      const notSentSince = new Date(now.getTime() - CONFIRM_MAIL_INTERVAL_MS).toISOString();

      let existing = found?.subscriber ?? null;
      if (!existing) {
        // New address, or a lookup left by a crash between the two writes: (re)create the subscriber,
        // with the confirmation-mail claim in the same write (one round trip fewer on the hot path).
        const id = found?.subscriberId ?? newId();
        const emailHash = found?.emailHash ?? (hashes[0] as string);
        const created = await store.createPending({ id, email: body.email, emailHash, topics, frequency }, at, { claimConfirmationMail: true });
        if (created.created && created.subscriber) {
          log.info('subscriber created', { subscriberId: created.subscriberId });
          await sendConfirmation(created.subscriber, now, at);
          return;
        }
        // Lost a race with a concurrent request for the same address: carry on with the winner's record.
        existing = await store.get(created.subscriberId);
        if (!existing) return;
      }

      if (existing.status === 'confirmed' || existing.status === 'suppressed') {
        log.info(`subscribe request for a ${existing.status} subscriber: nothing sent`, { subscriberId: existing.id });
        return;
      }
      const result = await store.requestConfirmation(existing.id, { topics, frequency }, at, notSentSince);
      if (!result.mail || !result.subscriber) {
        log.info('confirmation mail withheld', { subscriberId: existing.id, outcome: result.outcome });
        return;
      }
      await sendConfirmation(result.subscriber, now, at);
    },

    /** GET /confirm: pending → confirmed. Idempotent; an unsubscribed or forgotten subscriber's link is gone. */
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
