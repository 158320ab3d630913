import { describe, expect, it } from 'vitest';
import { sendOutcome } from '../../lambda/shared/send-outcome.ts';
import { SesNoMessageIdError } from '../../lambda/shared/ses-mailer.ts';
import type { OutgoingMessage } from '../../lambda/shared/mailer.ts';
import { ConfirmationNotSentError } from '../../lambda/shared/subscriptions/confirmations.ts';
import { harness, subscribeJson } from './harness.ts';

/**
 * The confirmation worker's handling of a failed send. The errors are the shapes the SDK v3 throws
 * (a mailer double stands in for SES: the emulator cannot throttle, reject or reset a connection).
 */
const sesError = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : { $metadata: {} }) });

describe('sendOutcome', () => {
  it.each([
    ['MessageRejected (400)', sesError('MessageRejected', 400), 'rejected'],
    ['Throttling (400)', sesError('Throttling', 400), 'not-sent'],
    ['AccountSendingPausedException (400)', sesError('AccountSendingPausedException', 400), 'not-sent'],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'not-sent'],
    ['no credentials', sesError('CredentialsProviderError'), 'not-sent'],
    ['request timeout', sesError('TimeoutError'), 'unknown'],
    ['connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'unknown'],
    ['InternalFailure (500)', sesError('InternalFailure', 500), 'unknown'],
    ['ServiceUnavailable (503)', sesError('ServiceUnavailable', 503), 'unknown'],
    ['an answer without a message id', new SesNoMessageIdError('no id'), 'unknown'],
    ['not an error', 'boom', 'unknown'],
  ] as const)('%s → %s', (_label, error, outcome) => {
    expect(sendOutcome(error)).toBe(outcome);
  });
});

/** A harness whose mailer fails the way `fail` says for the next send(s). */
function failing(fail: () => unknown) {
  const sent: OutgoingMessage[] = [];
  let failures = 0;
  const mailer = {
    sent,
    failTimes: 0,
    async send(message: OutgoingMessage) {
      if (mailer.failTimes > failures) {
        failures++;
        throw fail();
      }
      sent.push(message);
      return { messageId: `m-${sent.length}` };
    },
  };
  return { ...harness(undefined, undefined, undefined, mailer), mailer };
}

describe('the confirmation worker on a failed send', () => {
  it('an unknown outcome (timeout) keeps both claims and acknowledges the job: nothing resends inside the window', async () => {
    const h = failing(() => sesError('TimeoutError'));
    h.mailer.failTimes = 1;
    await h.api(subscribeJson({ email: 'ann+a@example.org' }));
    const requestId = h.queue.enqueued[0]?.requestId ?? '';
    expect(await h.worker.handle(requestId)).toBe('unknown');
    expect(await h.store.getRequest(requestId)).toBeNull();
    // Neither the address nor its mailbox may have another mail in the window.
    await h.app(subscribeJson({ email: 'ann+a@example.org' }));
    await h.app(subscribeJson({ email: 'ann+b@example.org' }));
    expect(h.mailer.sent).toHaveLength(0);
    h.advance(10 * 60_000);
    await h.app(subscribeJson({ email: 'ann+a@example.org' }));
    expect(h.mailer.sent.map((m) => m.to)).toEqual(['ann+a@example.org']);
  });

  it('a refusal (throttled) releases both claims and fails the job, so the queue retries it and keeps the request', async () => {
    const h = failing(() => sesError('Throttling', 400));
    h.mailer.failTimes = 1;
    await h.api(subscribeJson({ email: 'bob@example.org' }));
    const requestId = h.queue.enqueued[0]?.requestId ?? '';
    await expect(h.worker.handle(requestId)).rejects.toBeInstanceOf(ConfirmationNotSentError);
    expect(await h.store.getRequest(requestId)).not.toBeNull();
    expect(await h.worker.handle(requestId)).toBe('mailed');
    expect(h.mailer.sent.map((m) => m.to)).toEqual(['bob@example.org']);
    // Redelivered once more after it was handled: nothing left to do.
    expect(await h.worker.handle(requestId)).toBe('gone');
  });

  it('a rejection (MessageRejected) releases the claims and acknowledges the job: the next subscribe may try again', async () => {
    const h = failing(() => sesError('MessageRejected', 400));
    h.mailer.failTimes = 1;
    await h.app(subscribeJson({ email: 'cy@example.org' }));
    expect(h.queue.deadLetters).toEqual([]);
    expect(h.mailer.sent).toHaveLength(0);
    await h.app(subscribeJson({ email: 'cy@example.org' }));
    expect(h.mailer.sent.map((m) => m.to)).toEqual(['cy@example.org']);
  });

  it('SES refusing every try: the job reaches the dead-letter list after 5 receives, one request, no mail', async () => {
    const h = failing(() => sesError('AccountSendingPausedException', 400));
    h.mailer.failTimes = 99;
    expect((await h.app(subscribeJson({ email: 'dee@example.org' }))).statusCode).toBe(202);
    expect(h.queue.deadLetters.map((d) => d.receiveCount)).toEqual([5]);
    expect(h.mailer.sent).toHaveLength(0);
    // The request waits for a redrive (it expires after 15 days otherwise).
    expect(await h.store.getRequest(h.queue.deadLetters[0]?.job.requestId ?? '')).not.toBeNull();
  });

  it('a message that is no confirmation job fails alone, and reaches the dead-letter list', async () => {
    const h = harness();
    await h.queue.enqueue([{ requestId: 'not a valid id!' }]);
    await h.api(subscribeJson({ email: 'eve@example.org' }));
    await h.drain();
    expect(h.queue.deadLetters).toHaveLength(1);
    expect(h.mailer.sent.map((m) => m.to)).toEqual(['eve@example.org']);
  });
});
