import path from 'node:path';
import { createSenderHandler, senderRuntime } from '../lambda/sender/handler.ts';
import { FolderBlobStore } from '../lambda/shared/delivery/folder-blobs.ts';
import { MemoryJobQueue } from '../lambda/shared/delivery/memory-queue.ts';
import { emptyCounts, type BatchReport, type RecipientOutcome } from '../lambda/shared/delivery/sender.ts';
import { lazy } from '../lambda/shared/lazy.ts';
import { silentLog } from '../lambda/shared/logger.ts';
import type { Mailer } from '../lambda/shared/mailer.ts';
import { createSesMailer } from '../lambda/shared/ses-mailer.ts';
import { LOCAL_SENDER_ADDRESS, localDeliveryEnvironment, localKeyring } from '../scripts/local/delivery-env.ts';
import { localSes } from '../scripts/local/standins.ts';
import type { LocalTarget } from './targets.ts';

/**
 * The send path of local data, in this process: an in-process send queue drained by the sender
 * handler (the ledger on dynalite, the SES emulator as SES), as `digest run --local` and
 * `runs resend --local` use it.
 */

export interface LocalSendOptions {
  /** Wraps the SES-emulator mailer (the tests inject faults here). */
  readonly wrapMailer?: (mailer: Mailer) => Mailer;
  /** Receives before a job is dead-lettered. Default 5, as the stack's queue. */
  readonly maxReceives?: number;
}

export interface LocalSender {
  readonly env: Record<string, string>;
  readonly blobs: FolderBlobStore;
  readonly queue: MemoryJobQueue;
  /** Send every queued job through the sender handler; the sender's outcomes, summed. */
  drain(): Promise<Record<RecipientOutcome, number>>;
}

/** The local send path over `target`'s data. */
export function localSender(target: LocalTarget, options: LocalSendOptions = {}): LocalSender {
  const env = localDeliveryEnvironment(localKeyring(target.dataDir));
  const blobs = new FolderBlobStore(path.join(target.dataDir, 'blobs'));
  const queue = new MemoryJobQueue({ visibilityTimeoutMs: 2_000, maxReceives: options.maxReceives ?? 5 });
  const ses = createSesMailer(localSes(target.standins.sesEndpoint), { from: LOCAL_SENDER_ADDRESS, configurationSet: env.CONFIGURATION_SET! });
  const mailer = options.wrapMailer ? options.wrapMailer(ses) : ses;
  return {
    env,
    blobs,
    queue,
    async drain() {
      const counts: Record<RecipientOutcome, number> = emptyCounts();
      const onReport = (report: BatchReport) => {
        for (const job of report.jobs) for (const [k, n] of Object.entries(job.counts)) counts[k as RecipientOutcome] += n;
      };
      await queue.drain(createSenderHandler(lazy(() => senderRuntime(env, { blobs, mailer, log: silentLog })), { onReport }));
      return counts;
    },
  };
}
