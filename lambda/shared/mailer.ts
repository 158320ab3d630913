/**
 * The mailer port, shared by delivery (digests and alerts) and subscriptions (confirmation mail), so it
 * sits below both. The SES adapter is ses-mailer.ts; tests pass the SES emulator or a fault wrapper.
 */

import type { MessageRun } from './message-tags.ts';

/** One raw message for SES SendRawEmail. */
export interface OutgoingMessage {
  readonly raw: Buffer | string;
  readonly to: string;
  /** Logged and tagged instead of the address. */
  readonly subscriberId: string;
  /** The run it belongs to (digests and alerts; none for a confirmation or a test mail): tagged, so its bounces count for the run. */
  readonly run?: MessageRun;
}

/** Sends one raw message; resolves with SES's message id or rejects with the SDK's error. */
export interface Mailer {
  send(message: OutgoingMessage): Promise<{ messageId: string }>;
}
