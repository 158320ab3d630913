import * as z from 'zod';
import type { Log } from '../logger.ts';
import { runOfTags, TAG } from '../message-tags.ts';
import type { SubscriberSuppressor } from '../subscriptions/store.ts';
import type { Clock } from './clock.ts';
import type { MailEventRecord, MailEventRecorder } from './ledger.ts';
import type { MailEventMetrics } from './metrics.ts';

/**
 * Bounces and complaints: SES publishes events of the sender's configuration set to SNS, SNS invokes
 * the mail-events function. A permanent bounce or a complaint suppresses the subscriber at once;
 * transient bounces are counted and 3 in a row suppress; a delivery resets the count.
 *
 * Both SES formats are accepted: event publishing (`eventType`, used with a configuration set) and
 * identity feedback notifications (`notificationType`). The subscriber is found from the message tag
 * `subscriberId` (set by ses-mailer.ts; event publishing puts tags in `mail.tags`) or, failing that,
 * from the `X-Newsbrief-Subscriber` header (in `mail.headers` when headers are included). Addresses in
 * the notification are never logged or used as keys.
 *
 * A bounce or complaint of a digest's or an alert's message is also recorded on that run's ledger
 * entry for the subscriber, found by the message's `runId` tag (message-tags.ts), so `runs show`
 * counts each run's own bounces and complaints exactly. Identity notifications carry no tags: their
 * events suppress but count for no run.
 */

/** Header the sender puts on every message naming the subscriber (composer.ts), for notifications that carry headers. */
export const SUBSCRIBER_HEADER = 'X-Newsbrief-Subscriber';

/** Transient bounces in a row that suppress a subscriber. */
export const TRANSIENT_BOUNCE_LIMIT = 3;

/** The SNS record shape Lambda receives (aws-lambda's SNSEventRecord, validated). */
export const snsRecordSchema = z.object({
  EventSource: z.string().optional(),
  Sns: z.object({
    Type: z.string(),
    MessageId: z.string().min(1),
    Message: z.string(),
  }),
});

const idArray = z.array(z.string());

const mailSchema = z.object({
  messageId: z.string().min(1),
  timestamp: z.string().optional(),
  tags: z.record(z.string(), idArray).optional(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});

const bounceSchema = z.object({
  bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
  bounceSubType: z.string().optional(),
  feedbackId: z.string().min(1),
  timestamp: z.string().optional(),
});

const complaintSchema = z.object({
  feedbackId: z.string().min(1),
  complaintFeedbackType: z.string().optional(),
  timestamp: z.string().optional(),
});

const deliverySchema = z.object({ timestamp: z.string().optional() });

/** The fields of an SES notification this handler relies on; anything else is allowed and ignored. */
export const sesNotificationSchema = z
  .object({
    eventType: z.string().optional(),
    notificationType: z.string().optional(),
    mail: mailSchema,
    bounce: bounceSchema.optional(),
    complaint: complaintSchema.optional(),
    delivery: deliverySchema.optional(),
  })
  .refine((n) => n.eventType !== undefined || n.notificationType !== undefined, {
    message: 'neither eventType nor notificationType is present',
  })
  .refine((n) => (n.eventType ?? n.notificationType) !== 'Bounce' || n.bounce !== undefined, {
    message: 'a Bounce notification lacks its bounce object',
    path: ['bounce'],
  })
  .refine((n) => (n.eventType ?? n.notificationType) !== 'Complaint' || n.complaint !== undefined, {
    message: 'a Complaint notification lacks its complaint object',
    path: ['complaint'],
  });
export type SesNotification = z.infer<typeof sesNotificationSchema>;

/** A record that is not an SES notification we can read: logged and dropped (retrying cannot fix it). */
export class InvalidMailEventError extends Error {
  override readonly name = 'InvalidMailEventError';
}

const SUBSCRIBER_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The subscriber a notification is about, from the message tag or the header; null when absent. */
export function subscriberIdOf(n: SesNotification): string | null {
  const fromTag = n.mail.tags?.[TAG.subscriber]?.[0];
  if (fromTag !== undefined && SUBSCRIBER_ID.test(fromTag)) return fromTag;
  const header = n.mail.headers?.find((h) => h.name.toLowerCase() === SUBSCRIBER_HEADER.toLowerCase());
  if (header !== undefined && SUBSCRIBER_ID.test(header.value.trim())) return header.value.trim();
  return null;
}

/** Parse one SNS record into an SES notification, or throw InvalidMailEventError saying why. */
export function parseSnsRecord(record: unknown): SesNotification {
  const sns = snsRecordSchema.safeParse(record);
  if (!sns.success) throw new InvalidMailEventError(`not an SNS record: ${sns.error.issues[0]?.message ?? 'bad shape'}`);
  if (sns.data.Sns.Type !== 'Notification') throw new InvalidMailEventError(`SNS message type ${sns.data.Sns.Type} is not a Notification`);
  let json: unknown;
  try {
    json = JSON.parse(sns.data.Sns.Message);
  } catch (error) {
    throw new InvalidMailEventError('SNS message is not JSON', { cause: error });
  }
  const parsed = sesNotificationSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InvalidMailEventError(`not an SES notification (${problems})`);
  }
  return parsed.data;
}

export type MailEventOutcome =
  | 'suppressed'
  | 'transient-counted'
  | 'reset'
  | 'duplicate'
  | 'unknown-subscriber'
  | 'no-subscriber-id'
  | 'ignored';

export interface MailEventDeps {
  readonly suppressor: SubscriberSuppressor;
  readonly clock: Clock;
  readonly log: Log;
  readonly transientLimit?: number;
  /** Counts each bounce and complaint (the dashboard's rates); none when absent. */
  readonly metrics?: Pick<MailEventMetrics, 'event'>;
  /** Records each bounce and complaint on the run that sent the message; none when absent. */
  readonly runs?: MailEventRecorder;
}

export interface MailEventsService {
  /** Act on one notification. Store failures throw (the invocation is retried). */
  handle(n: SesNotification): Promise<MailEventOutcome>;
  /** Act on every record of an SNS event; malformed records are logged and skipped. */
  handleRecords(records: readonly unknown[]): Promise<Record<MailEventOutcome | 'invalid', number>>;
}

/** Build the mail-events service over the subscriber store. */
export function createMailEvents(deps: MailEventDeps): MailEventsService {
  const limit = deps.transientLimit ?? TRANSIENT_BOUNCE_LIMIT;
  const { log, clock, suppressor } = deps;

  async function suppress(id: string, reason: string, messageId: string): Promise<MailEventOutcome> {
    const known = await suppressor.suppress(id, reason, new Date(clock.now()).toISOString());
    if (!known) {
      log.warn('mail event for an unknown subscriber', { subscriberId: id, messageId });
      return 'unknown-subscriber';
    }
    log.info('subscriber suppressed', { subscriberId: id, reason, messageId });
    return 'suppressed';
  }

  /** A bounce or complaint of a run's message: kept on the run's ledger entry (idempotent: the first of each kind stays). */
  async function recordOnRun(n: SesNotification, subscriberId: string, type: 'Bounce' | 'Complaint' | 'Delivery'): Promise<void> {
    if (type === 'Delivery' || !deps.runs) return;
    const run = runOfTags(n.mail.tags);
    if (!run) return;
    const at = new Date(clock.now()).toISOString();
    const messageId = n.mail.messageId;
    let record: MailEventRecord;
    if (type === 'Bounce' && n.bounce) {
      const { bounceType, bounceSubType, feedbackId } = n.bounce;
      record = { kind: 'bounce', event: { feedbackId, messageId, at, bounceType, ...(bounceSubType !== undefined ? { bounceSubType } : {}) } };
    } else if (type === 'Complaint' && n.complaint) {
      record = { kind: 'complaint', event: { feedbackId: n.complaint.feedbackId, messageId, at } };
    } else {
      return; // unreachable: the schema requires the object of its type
    }
    const outcome = await deps.runs.recordMailEvent({ runId: run.id, subscriberId }, record);
    if (outcome === 'unknown') log.warn(`${record.kind} for a run without this recipient; counted for no run`, { runId: run.id, subscriberId, messageId });
    else log.info(`${record.kind} ${outcome === 'recorded' ? 'recorded on its run' : 'already recorded on its run'}`, { runId: run.id, kind: run.kind, subscriberId, messageId });
  }

  async function handle(n: SesNotification): Promise<MailEventOutcome> {
    const type = n.eventType ?? n.notificationType;
    const messageId = n.mail.messageId;
    if (type !== 'Bounce' && type !== 'Complaint' && type !== 'Delivery') {
      log.debug('mail event type ignored', { type, messageId });
      return 'ignored';
    }
    // Counted before anything else: SES counts every one in its rates, whoever it was for.
    if (type === 'Complaint') deps.metrics?.event('complaint');
    if (type === 'Bounce') deps.metrics?.event(n.bounce?.bounceType === 'Permanent' ? 'hard-bounce' : 'soft-bounce');
    const id = subscriberIdOf(n);
    if (id === null) {
      log.warn('mail event without a subscriber tag or header', { type, messageId });
      return 'no-subscriber-id';
    }
    await recordOnRun(n, id, type);
    if (type === 'Complaint') return suppress(id, 'complaint', messageId);
    if (type === 'Delivery') {
      await suppressor.resetTransientBounces(id);
      return 'reset';
    }
    const bounce = n.bounce;
    if (bounce === undefined) return 'ignored'; // unreachable: the schema requires it
    if (bounce.bounceType === 'Permanent') {
      return suppress(id, `bounce:permanent:${bounce.bounceSubType ?? 'General'}`, messageId);
    }
    // Transient or Undetermined: counted once per feedback id (one conditional write remembers and
    // counts it, so SNS's redelivery neither inflates nor loses the count), suppressed at the limit.
    // A redelivery at the limit suppresses again: it completes a suppression a failed attempt missed.
    const { count, counted } = await suppressor.recordTransientBounce(id, bounce.feedbackId, new Date(clock.now()).toISOString());
    if (count === 0) {
      log.warn('mail event for an unknown subscriber', { subscriberId: id, messageId });
      return 'unknown-subscriber';
    }
    if (counted) log.info('transient bounce counted', { subscriberId: id, count, messageId });
    if (count >= limit) return suppress(id, `bounce:transient:${count}-in-a-row`, messageId);
    return counted ? 'transient-counted' : 'duplicate';
  }

  return {
    handle,
    async handleRecords(records) {
      const counts: Record<MailEventOutcome | 'invalid', number> = {
        suppressed: 0,
        'transient-counted': 0,
        reset: 0,
        duplicate: 0,
        'unknown-subscriber': 0,
        'no-subscriber-id': 0,
        ignored: 0,
        invalid: 0,
      };
      for (const record of records) {
        let n: SesNotification;
        try {
          n = parseSnsRecord(record);
        } catch (error) {
          if (!(error instanceof InvalidMailEventError)) throw error;
          log.warn('dropping a malformed mail event', { reason: error.message });
          counts.invalid++;
          continue;
        }
        counts[await handle(n)]++;
      }
      return counts;
    },
  };
}
