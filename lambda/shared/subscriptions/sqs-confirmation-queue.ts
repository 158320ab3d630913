import { SendMessageCommand, type SendMessageCommandOutput } from '@aws-sdk/client-sqs';
import type { ConfirmationJob, ConfirmationQueue } from './requests.ts';

/** The SQS capability the adapter needs (an SQSClient satisfies it). */
export interface SqsSendMessage {
  send(command: SendMessageCommand): Promise<SendMessageCommandOutput>;
}

/**
 * The confirmation queue on SQS: one SendMessage per job (the API queues one per request). A failure
 * surfaces to the API, which answers 500 for every address alike; a duplicate message is harmless
 * (the worker deletes a request once handled and claims each mail before sending it).
 */
export function createSqsConfirmationQueue(sqs: SqsSendMessage, queueUrl: string): ConfirmationQueue {
  return {
    async enqueue(jobs: readonly ConfirmationJob[]): Promise<void> {
      for (const job of jobs) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(job) }));
    },
  };
}
