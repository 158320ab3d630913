import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer, OutgoingMessage } from './mailer.ts';
import { messageTags } from './message-tags.ts';

/**
 * The SES adapter of the `Mailer` port: one SendRawEmail call per message. The MIME is built elsewhere
 * (lambda/shared/email) so this file stays a thin translation; SDK errors (Throttling, MessageRejected,
 * "Daily message quota exceeded") pass through unchanged so the caller can classify them by `name`.
 */

/** The one SES capability this adapter needs: the SDK client's `send`, narrowed. */
export interface SesSend {
  send(command: SendRawEmailCommand): Promise<{ MessageId?: string | undefined }>;
}

export interface SesMailerOptions {
  /** Envelope sender (SES `Source`); bounces go back through SES to the configuration set's events. */
  readonly from: string;
  /** SES configuration set: bounce/complaint event publishing and reputation metrics. */
  readonly configurationSet?: string;
}

/** Thrown when SES answers without a MessageId (should not happen; never treat it as sent). */
export class SesNoMessageIdError extends Error {
  override readonly name = 'SesNoMessageIdError';
}

/** Create a Mailer that sends raw MIME through SES SendRawEmail. */
export function createSesMailer(client: SesSend, options: SesMailerOptions): Mailer {
  return {
    async send(message: OutgoingMessage): Promise<{ messageId: string }> {
      const data = typeof message.raw === 'string' ? Buffer.from(message.raw, 'utf8') : message.raw;
      // The subscriber and the run, for the mail-events function (message-tags.ts).
      const tags = messageTags(message.subscriberId, message.run);
      const out = await client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: data },
          Source: options.from,
          // The envelope recipient is exactly the one subscriber, whatever the To header says.
          Destinations: [message.to],
          ...(options.configurationSet ? { ConfigurationSetName: options.configurationSet } : {}),
          ...(tags.length > 0 ? { Tags: tags } : {}),
        }),
      );
      if (!out.MessageId) throw new SesNoMessageIdError('SES accepted the message without a MessageId');
      return { messageId: out.MessageId };
    },
  };
}
