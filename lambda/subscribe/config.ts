import * as z from 'zod';
import { baseEnvSchema } from '../shared/config.ts';
import { FREQUENCIES } from '../shared/subscriptions/model.ts';

/** The subscribe function's environment: the shared variables plus its own, checked at cold start. */
export const subscribeEnvSchema = baseEnvSchema
  .extend({
    /** SES configuration set for confirmation mail (bounce/complaint events). Optional locally. */
    CONFIGURATION_SET: z.string().min(1).optional(),
    /** Frequency of a subscriber who does not choose one. */
    DEFAULT_FREQUENCY: z.enum(FREQUENCIES).default('daily'),
  })
  .refine((env) => env.SIGNING_KEY_SECRET_ARN !== undefined || env.SIGNING_KEYRING !== undefined, {
    message: 'set SIGNING_KEY_SECRET_ARN (AWS) or SIGNING_KEYRING (local)',
    path: ['SIGNING_KEY_SECRET_ARN'],
  });
export type SubscribeEnv = z.infer<typeof subscribeEnvSchema>;
