import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { digestRunId, runDigest, type DigestResult } from '../shared/delivery/digest.ts';
import { deliveryRuntime, remainingTime, type DeliveryRuntime } from '../shared/delivery/runtime.ts';
import { lazy } from '../shared/lazy.ts';

/**
 * Lambda entry point of the scheduled digest (EventBridge Scheduler, one schedule per frequency).
 *
 * Event: `{"frequency":"daily","scheduledTime":"<aws.scheduler.scheduled-time>"}`. The run id is
 * `digest#<frequency>#<scheduledTime>`, so the same event delivered twice is one run. A manual
 * invoke may leave scheduledTime out: the current time truncated to the minute is used, so two
 * manual invokes within one minute are also one run.
 *
 * Resume: the handler stops before the Lambda limit (DIGEST_RESERVE_SECONDS left) with its
 * checkpoint saved and then FAILS with DigestRunPausedError, so Lambda's asynchronous retry invokes
 * it again with the same event and it continues from the checkpoint (up to 2 retries, ~45 min of
 * fan-out in all). Anything still open after that is finished first by the next scheduled event.
 */

/** The schedule payload. Unknown fields are ignored (the scheduler may add its own). */
export const digestEventSchema = z.object({
  frequency: z.enum(['daily', 'weekly']),
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
});

/** The event is not a digest schedule payload. */
export class InvalidDigestEventError extends Error {
  override readonly name = 'InvalidDigestEventError';
}

/** The run stopped before the time limit with its checkpoint saved; failing makes Lambda retry and resume it. */
export class DigestRunPausedError extends Error {
  override readonly name = 'DigestRunPausedError';
}

/**
 * Another run of this frequency (an earlier event's) is being fanned out by a live invocation, or a
 * run is being set up (its lock held, its record not written yet). Failing makes Lambda retry this
 * event in a minute or two, when that run is likely done; a duplicate delivery of the same event
 * finding its own run fanned out by another invocation is not an error.
 */
export class DigestRunBusyError extends Error {
  override readonly name = 'DigestRunBusyError';
}

/** Handler-only settings, read with the rest of the environment. */
const digestEnvSchema = z.object({
  /** Stop fanning out when this little time is left. */
  DIGEST_RESERVE_SECONDS: z.coerce.number().int().positive().default(30),
  /** Subscribers per page and checkpoint. */
  DIGEST_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
});

/** The run id's time part: an ISO instant, or now truncated to the minute for a manual invoke. */
export function scheduledTimeOf(event: { scheduledTime?: string | undefined }, now: number): string {
  if (event.scheduledTime !== undefined) return new Date(event.scheduledTime).toISOString();
  return new Date(Math.floor(now / 60_000) * 60_000).toISOString();
}

/** Build the handler over a runtime (the Lambda builds it from the environment; npm start and tests pass their own). */
export function createDigestHandler(
  runtime: () => Promise<DeliveryRuntime>,
  env: Record<string, string | undefined> = process.env,
): (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>) => Promise<DigestResult> {
  const settings = digestEnvSchema.parse(env);
  return async (event, context) => {
    const parsed = digestEventSchema.safeParse(event);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new InvalidDigestEventError(`not a digest schedule event: ${problems}`);
    }
    const rt = await runtime();
    const scheduledTime = scheduledTimeOf(parsed.data, rt.now());
    const result = await runDigest(
      { frequency: parsed.data.frequency, scheduledTime },
      { ...rt, render: rt.renderDigest, remainingMs: remainingTime(context) },
      {
        owner: context?.awsRequestId ?? `local-${process.pid}-${rt.now()}`,
        maxArticles: 200,
        pageSize: settings.DIGEST_PAGE_SIZE,
        reserveMs: settings.DIGEST_RESERVE_SECONDS * 1000,
      },
    );
    rt.log.info('digest invocation done', {
      runId: result.runId,
      outcome: result.outcome,
      articles: result.articleIds.length,
      resumed: result.resumed,
      ...result.counts,
    });
    if (result.outcome === 'paused') {
      throw new DigestRunPausedError(`run ${result.runId} paused at page ${result.counts.pages}; the retry resumes it`);
    }
    if (result.outcome === 'locked') {
      throw new DigestRunBusyError(`run ${result.runId} is being set up (its lock lease has not run out); this event is retried after it`);
    }
    if (result.outcome === 'busy' && result.runId !== digestRunId(parsed.data.frequency, scheduledTime)) {
      throw new DigestRunBusyError(`run ${result.runId} is still being fanned out; this event is retried after it`);
    }
    return result;
  };
}

/** The Lambda handler. */
export const handler = createDigestHandler(lazy(() => deliveryRuntime()));
