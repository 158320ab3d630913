/**
 * The mailer port, shared by delivery (digests and alerts) and subscriptions (confirmation mail), so it
 * sits below both. The SES adapter is ses-mailer.ts; tests pass the SES emulator or a fault wrapper.
 */

/** One raw message for SES SendRawEmail. */
export interface OutgoingMessage {
  readonly raw: Buffer | string;
  readonly to: string;
  /** Logged and tagged instead of the address. */
  readonly subscriberId: string;
}

/** Sends one raw message; resolves with SES's message id or rejects with the SDK's error. */
export interface Mailer {
  send(message: OutgoingMessage): Promise<{ messageId: string }>;
}
