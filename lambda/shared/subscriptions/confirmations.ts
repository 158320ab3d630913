import type { Log } from '../logger.ts';
import type { Mailer } from '../mailer.ts';
import { sendOutcome } from '../send-outcome.ts';
import type { Keyring } from '../signing-keys.ts';
import type { Subscriber } from './model.ts';
import type { SubscribeRequest } from './requests.ts';
import { CONFIRM_MAIL_INTERVAL_MS, randomSubscriberId } from './service.ts';
import type { SubscriberStore } from './store.ts';
import { confirmUrlFor, emailHashes, mailboxHash } from './tokens.ts';

/**
 * The confirmation worker: the state-dependent half of double opt-in, run from the confirmation queue
 * after POST /subscribe has answered (requests.ts). For each request it finds or creates the
 * subscriber, applies the choice, and sends at most one confirmation mail per address and per
 * mailbox per window. Logs carry subscriber and request ids, never addresses or links.
 */

/** Builds the raw confirmation message for one address (the compiled MJML + MIME live behind this port). */
export interface ConfirmationComposer {
  compose(input: { readonly subscriberId: string; readonly email: string; readonly confirmUrl: string }): Promise<Buffer | string>;
}

export interface ConfirmationWorkerDeps {
  readonly store: SubscriberStore;
  readonly mailer: Mailer;
  readonly composer: ConfirmationComposer;
  readonly keyring: Keyring;
  /** Public base URL the confirm link is built on. */
  readonly publicUrl: string;
  readonly clock?: () => Date;
  readonly log: Log;
  /** Random subscriber ids (not derived from the address); injectable for tests. */
  readonly newId?: () => string;
}

/**
 * What became of one request:
 * - `mailed`: a confirmation mail went out;
 * - `withheld`: the address or its mailbox had one within the window, or nothing changed;
 * - `ignored`: confirmed, suppressed or forgotten (never mailed again), or an older request than the last change;
 * - `gone`: the request was already handled (a redelivered message);
 * - `rejected`: SES refused this message for good (MessageRejected); the next subscribe may try again;
 * - `unknown`: the send timed out or broke after it may have reached SES: not resent inside the window.
 */
export type RequestOutcome = 'mailed' | 'withheld' | 'ignored' | 'gone' | 'rejected' | 'unknown';

/** SES certainly did not take the mail (throttled, paused, no connection): the claims are released and the job fails, so the queue retries it. */
export class ConfirmationNotSentError extends Error {
  override readonly name = 'ConfirmationNotSentError';
}

/** Build the worker from its ports. */
export function createConfirmationWorker(deps: ConfirmationWorkerDeps) {
  const { store, mailer, composer, keyring, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomSubscriberId;

  /** Decide and apply; returns the subscriber whose mail this request has claimed at `at`, if any. */
  async function apply(request: SubscribeRequest, at: string, notSentSince: string): Promise<{ outcome: RequestOutcome; mail?: Subscriber }> {
    const choice = { topics: [...request.topics], frequency: request.frequency };
    const hashes = emailHashes(request.email, keyring).map((h) => h.hash);
    const found = await store.findByEmailHash(hashes);
    let existing = found?.subscriber ?? null;
    if (!existing) {
      // New address, or a lookup left by a crash between the two writes: (re)create the subscriber,
      // with the confirmation-mail claim in the same write.
      const id = found?.subscriberId ?? newId();
      const emailHash = found?.emailHash ?? (hashes[0] as string);
      const created = await store.createPending({ id, email: request.email, emailHash, ...choice }, request.requestedAt, { claimConfirmationMailAt: at });
      if (created.created && created.subscriber) {
        log.info('subscriber created', { subscriberId: created.subscriberId, requestId: request.id });
        return { outcome: 'mailed', mail: created.subscriber };
      }
      // Lost a race with a concurrent request for the same address: carry on with the winner's record.
      existing = await store.get(created.subscriberId);
      if (!existing) return { outcome: 'ignored' };
    }
    if (existing.status === 'confirmed' || existing.status === 'suppressed') {
      log.info(`subscribe request for a ${existing.status} subscriber: nothing sent`, { subscriberId: existing.id, requestId: request.id });
      return { outcome: 'ignored' };
    }
    const result = await store.requestConfirmation(existing.id, choice, { requestedAt: request.requestedAt, at, notSentSince });
    if (result.mail && result.subscriber) return { outcome: 'mailed', mail: result.subscriber };
    log.info('confirmation mail withheld', { subscriberId: existing.id, requestId: request.id, outcome: result.outcome });
    return { outcome: result.outcome === 'refused' ? 'ignored' : 'withheld' };
  }

  /** Send the mail whose address claim was made at `at`, after claiming its mailbox too. */
  async function send(subscriber: Subscriber, at: string): Promise<RequestOutcome> {
    if (!subscriber.email) return 'ignored';
    const mailbox = mailboxHash(subscriber.email, keyring);
    if (!(await store.claimMailbox(mailbox, at, CONFIRM_MAIL_INTERVAL_MS))) {
      // Another address of the same mailbox (a +tag variant) was mailed within the window.
      await store.releaseConfirmationMail(subscriber.id, at);
      log.info('confirmation mail withheld: its mailbox had one within the window', { subscriberId: subscriber.id });
      return 'withheld';
    }
    const release = async () => {
      await store.releaseMailbox(mailbox, at);
      await store.releaseConfirmationMail(subscriber.id, at);
    };
    let raw: Buffer | string;
    try {
      const confirmUrl = confirmUrlFor(subscriber.id, { publicUrl: deps.publicUrl, keyring, now: new Date(at) });
      raw = await composer.compose({ subscriberId: subscriber.id, email: subscriber.email, confirmUrl });
    } catch (error) {
      await release();
      throw error;
    }
    try {
      const { messageId } = await mailer.send({ raw, to: subscriber.email, subscriberId: subscriber.id });
      log.info('confirmation mail sent', { subscriberId: subscriber.id, messageId });
      return 'mailed';
    } catch (error) {
      const errorName = (error as Error)?.name;
      const outcome = sendOutcome(error);
      if (outcome === 'unknown') {
        // SES may have taken it: keep both claims, so nothing resends it inside the window.
        log.warn('confirmation mail outcome unknown; not resent within the window', { subscriberId: subscriber.id, errorName });
        return 'unknown';
      }
      await release();
      if (outcome === 'rejected') {
        log.warn('SES rejected the confirmation mail', { subscriberId: subscriber.id, errorName });
        return 'rejected';
      }
      throw new ConfirmationNotSentError(`confirmation mail for subscriber ${subscriber.id} not sent (${errorName})`, { cause: error });
    }
  }

  return {
    /**
     * Handle one queued request. Idempotent: a redelivered message finds its request gone, or the mail
     * already claimed. Throws when the job should be retried (the mail certainly not sent, a store
     * error); the request is kept for that retry and deleted once handled.
     */
    async handle(requestId: string): Promise<RequestOutcome> {
      const request = await store.getRequest(requestId);
      if (!request) {
        log.info('subscribe request already handled', { requestId });
        return 'gone';
      }
      const now = clock();
      const at = now.toISOString();
      const notSentSince = new Date(now.getTime() - CONFIRM_MAIL_INTERVAL_MS).toISOString();
      const decided = await apply(request, at, notSentSince);
      const outcome = decided.mail ? await send(decided.mail, at) : decided.outcome;
      await store.deleteRequest(requestId);
      return outcome;
    },
  };
}

/** The worker's shape, for the queue handler. */
export type ConfirmationWorker = ReturnType<typeof createConfirmationWorker>;
