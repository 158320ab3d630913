import { createHash } from 'node:crypto';
import { InvalidAddressError } from '../email/errors.ts';
import { buildMessage, type Sender } from '../email/mime.ts';
import { personalise } from '../email/personalise.ts';
import type { Keyring } from '../signing-keys.ts';
import { linksFor } from '../subscriptions/tokens.ts';
import type { Clock } from './clock.ts';
import { IssueArchiveError, readIssue, type RenderedIssue } from './issue.ts';
import { SUBSCRIBER_HEADER } from './mail-events.ts';
import type { OutgoingMessage } from '../mailer.ts';
import type { BlobStore, SendJob } from './ports.ts';
import { UndeliverableRecipientError, type MessageComposer, type Sendable } from './sender.ts';

/**
 * The sender's composer: reads the rendered issue a job points to from the issues archive (once per
 * instance, cached), fills in the recipient's signed unsubscribe and preferences links (RFC 8058
 * one-click), and builds the raw MIME. No MJML runs here: the issue was rendered once by the digest.
 */

export interface ComposerOptions {
  readonly blobs: Pick<BlobStore, 'get'>;
  readonly from: Sender;
  readonly publicUrl: string;
  readonly keyring: () => Promise<Keyring>;
  readonly clock: Clock;
  readonly replyTo?: string;
  /** Rendered issues kept in memory (one per topic selection of the runs in flight). */
  readonly cacheSize?: number;
}

/**
 * A stable Message-ID local part per (run, subscriber): a copy sent again in the ledger's crash window
 * carries the same Message-ID, which many mailbox providers use to fold duplicates (RFC 5322 §3.6.4).
 */
export function stableMessageId(runId: string, subscriberId: string): string {
  return `nb.${createHash('sha256').update(`${runId}\u0000${subscriberId}`).digest('hex').slice(0, 40)}`;
}

/** Build the composer over the archive, the keyring and the email module. */
export function createIssueComposer(options: ComposerOptions): MessageComposer {
  const cacheSize = Math.max(1, options.cacheSize ?? 32);
  const cache = new Map<string, Promise<RenderedIssue>>();

  const issueFor = (key: string): Promise<RenderedIssue> => {
    let pending = cache.get(key);
    if (pending === undefined) {
      pending = readIssue(options.blobs, key);
      // A failed read is not cached: the next attempt reads again.
      pending.catch(() => cache.delete(key));
      cache.set(key, pending);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    }
    return pending;
  };

  return {
    async compose(job: SendJob, subscriber: Sendable): Promise<OutgoingMessage> {
      const issue = await issueFor(job.issueKey);
      if (issue.runId !== job.runId) {
        throw new IssueArchiveError(`${job.issueKey}: belongs to run ${issue.runId}, not ${job.runId}`);
      }
      const now = new Date(options.clock.now());
      const links = linksFor(subscriber.id, { publicUrl: options.publicUrl, keyring: await options.keyring(), now });
      const personalised = personalise(issue.email, links);
      let raw: Buffer;
      try {
        raw = await buildMessage(
          personalised,
          { subscriberId: subscriber.id, email: subscriber.email },
          {
            from: options.from,
            replyTo: options.replyTo,
            messageId: stableMessageId(job.runId, subscriber.id),
            date: now,
            headers: { [SUBSCRIBER_HEADER]: subscriber.id },
          },
        );
      } catch (error) {
        // Only this recipient's own address is a per-recipient problem; anything else (From, the issue) is ours.
        if (error instanceof InvalidAddressError && error.field === 'to') {
          throw new UndeliverableRecipientError('the stored address is not a valid mailbox', { cause: error });
        }
        throw error;
      }
      return { raw, to: subscriber.email, subscriberId: subscriber.id, run: { id: job.runId, kind: job.kind } };
    },
  };
}
