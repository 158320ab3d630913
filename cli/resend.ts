import { SQSClient } from '@aws-sdk/client-sqs';
import type { SendJob } from '../lambda/shared/delivery/ports.ts';
import { SqsJobQueue } from '../lambda/shared/delivery/sqs-queue.ts';
import { TargetError } from './errors.ts';
import { localSender, type LocalSendOptions } from './local-sender.ts';
import type { ResendSender } from './runs.ts';
import type { LocalTarget, StackTarget, Target } from './targets.ts';

/**
 * Where `runs resend` puts its send jobs: on a stack, onto the send queue, for the sender function
 * (its ledger, rate and retries apply; the outcomes land in the ledger); locally, through the sender
 * handler to the SES emulator at once, returning the sender's outcomes.
 */
export function resendVia(options: LocalSendOptions = {}): ResendSender {
  return async (target: Target, jobs: readonly SendJob[]) => {
    if ('settings' in target) {
      const stack = target as StackTarget;
      if (!stack.settings.SendQueueUrl) throw new TargetError(`${stack.description} has no output SendQueueUrl: deploy it with this version of newsbrief first`);
      await new SqsJobQueue(new SQSClient(stack.region ? { region: stack.region } : {}), stack.settings.SendQueueUrl).enqueue(jobs);
      return undefined;
    }
    const sender = localSender(target as LocalTarget, options);
    await sender.queue.enqueue(jobs);
    return sender.drain();
  };
}

/** The resend of the operator command: the real mailer. */
export const resendThroughTarget: ResendSender = resendVia();
