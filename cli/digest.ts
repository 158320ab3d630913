import { Command } from 'commander';
import { createDigestHandler } from '../lambda/digest/handler.ts';
import { deliveryRuntime } from '../lambda/shared/delivery/runtime.ts';
import { lazy } from '../lambda/shared/lazy.ts';
import { silentLog } from '../lambda/shared/logger.ts';
import type { DigestFrequency } from '../lambda/shared/subscriptions/model.ts';
import { UsageError } from './errors.ts';
import { localSender, type LocalSendOptions } from './local-sender.ts';
import { onTarget, withTargetOptions, type TargetOptions } from './target-options.ts';
import { invokeDigest, type LocalTarget } from './targets.ts';

/**
 * `newsbrief digest run FREQUENCY`: run a digest now. On a stack it invokes the digest function
 * the way its schedule does (asynchronously, so Lambda's retries and the failed-invocations queue
 * apply; the run id is the current minute). Locally it runs the digest handler over the data of
 * `npm start` and sends through the sender handler to the SES emulator.
 */

const DIGEST_FREQUENCIES: readonly DigestFrequency[] = ['daily', 'weekly'];

/** Run the digest and its sends over local data; returns the lines to print. */
export async function runLocalDigest(target: LocalTarget, frequency: DigestFrequency, options: LocalSendOptions = {}): Promise<string[]> {
  const { env, blobs, queue, drain } = localSender(target, options);
  const runtime = lazy(() => deliveryRuntime(env, { blobs, queue, log: silentLog }));
  const result = await createDigestHandler(runtime, env)({ frequency });
  const sent = await drain();
  return [
    `digest ${result.runId}: ${result.outcome}, ${result.articleIds.length} article(s), ${result.counts.enqueued} recipient(s) enqueued`,
    `sent ${sent.sent}, already sent before ${sent['already-done']}, skipped ${sent.skipped}, rejected ${sent.rejected}, failed ${sent.failed} (to the SES emulator of this run)`,
  ];
}

export function digestCommand(print: (line: string) => void): Command {
  const group = new Command('digest').description('digests of a target');
  withTargetOptions(
    group
      .command('run')
      .description('run a digest now (a stack: invoke its digest function as the schedule does)')
      .argument('<frequency>', DIGEST_FREQUENCIES.join(' or ')),
  ).action(async (frequency: string, options: TargetOptions) => {
    if (!(DIGEST_FREQUENCIES as readonly string[]).includes(frequency)) throw new UsageError(`frequency: must be ${DIGEST_FREQUENCIES.join(' or ')}`);
    const f = frequency as DigestFrequency;
    await onTarget(options, async (target) => {
      if ('lambda' in target) {
        if (!target.offered?.frequencies.includes(f)) throw new UsageError(`frequency: ${target.description} has no ${f} digest`);
        const requestId = await invokeDigest(target, f);
        print(`${f} digest started in ${target.description} (request ${requestId ?? '?'}); it runs for up to 15 minutes.`);
        print(`Follow it: aws logs tail "$(aws lambda get-function-configuration --function-name ${target.settings.DigestFunctionName} --query LoggingConfig.LogGroup --output text)" --follow`);
      } else {
        for (const line of await runLocalDigest(target, f)) print(line);
      }
    });
  });
  return group;
}
