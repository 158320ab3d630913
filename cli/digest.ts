import path from 'node:path';
import { Command } from 'commander';
import { createDigestHandler } from '../lambda/digest/handler.ts';
import { createSenderHandler, senderRuntime } from '../lambda/sender/handler.ts';
import { FolderBlobStore } from '../lambda/shared/delivery/folder-blobs.ts';
import { MemoryJobQueue } from '../lambda/shared/delivery/memory-queue.ts';
import { deliveryRuntime } from '../lambda/shared/delivery/runtime.ts';
import { emptyCounts, type BatchReport, type RecipientOutcome } from '../lambda/shared/delivery/sender.ts';
import { lazy } from '../lambda/shared/lazy.ts';
import { silentLog } from '../lambda/shared/logger.ts';
import { createSesMailer } from '../lambda/shared/ses-mailer.ts';
import type { DigestFrequency } from '../lambda/shared/subscriptions/model.ts';
import { LOCAL_SENDER_ADDRESS, localDeliveryEnvironment, localKeyring } from '../scripts/local/delivery-env.ts';
import { localSes } from '../scripts/local/standins.ts';
import { UsageError } from './errors.ts';
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
export async function runLocalDigest(target: LocalTarget, frequency: DigestFrequency): Promise<string[]> {
  const env = localDeliveryEnvironment(localKeyring(target.dataDir));
  const blobs = new FolderBlobStore(path.join(target.dataDir, 'blobs'));
  const queue = new MemoryJobQueue({ visibilityTimeoutMs: 2_000, maxReceives: 5 });
  const runtime = lazy(() => deliveryRuntime(env, { blobs, queue, log: silentLog }));
  const result = await createDigestHandler(runtime, env)({ frequency });
  const sent: Record<RecipientOutcome, number> = emptyCounts();
  const mailer = createSesMailer(localSes(target.standins.sesEndpoint), { from: LOCAL_SENDER_ADDRESS, configurationSet: env.CONFIGURATION_SET! });
  const onReport = (report: BatchReport) => {
    for (const job of report.jobs) for (const [k, n] of Object.entries(job.counts)) sent[k as RecipientOutcome] += n;
  };
  await queue.drain(createSenderHandler(lazy(() => senderRuntime(env, { blobs, mailer, log: silentLog })), { onReport }));
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
