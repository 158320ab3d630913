import * as z from 'zod';
import { baseEnvSchema, list } from '../shared/config.ts';
import { FREQUENCIES } from '../shared/subscriptions/model.ts';

/**
 * The subscribe function's environment, checked at cold start: the shared variables it uses (it sends
 * no mail, so no sender or postal address) plus its own.
 */
export const subscribeEnvSchema = baseEnvSchema
  .pick({ TABLE_NAME: true, NEWSLETTER_NAME: true, PUBLIC_URL: true, TOPICS: true, SIGNING_KEY_SECRET_ARN: true, SIGNING_KEYRING: true })
  .extend({
    /**
     * The confirmation queue (SQS URL) that subscribe requests go to; the confirmation worker drains it.
     * Required in AWS; the local runners pass an in-process queue instead.
     */
    CONFIRM_QUEUE_URL: z.string().min(1).optional(),
    /**
     * The frequencies subscribers may choose, comma-separated: `immediate` and each digest with a
     * schedule. A choice the operator does not send is refused, so no subscriber waits for mail that never comes.
     */
    FREQUENCIES: list.pipe(z.array(z.enum(FREQUENCIES)).min(1)).default([...FREQUENCIES]),
    /** Frequency of a subscriber who does not choose one; one of FREQUENCIES. */
    DEFAULT_FREQUENCY: z.enum(FREQUENCIES).default('daily'),
  })
  .refine((env) => env.FREQUENCIES.includes(env.DEFAULT_FREQUENCY), {
    message: 'DEFAULT_FREQUENCY must be one of FREQUENCIES',
    path: ['DEFAULT_FREQUENCY'],
  })
  .refine((env) => env.SIGNING_KEY_SECRET_ARN !== undefined || env.SIGNING_KEYRING !== undefined, {
    message: 'set SIGNING_KEY_SECRET_ARN (AWS) or SIGNING_KEYRING (local)',
    path: ['SIGNING_KEY_SECRET_ARN'],
  });
export type SubscribeEnv = z.infer<typeof subscribeEnvSchema>;
