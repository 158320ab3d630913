/**
 * A background consumer of an in-process queue, as Lambda's SQS event source is for a real one: every
 * enqueue wakes it, it drains the queue through the handler in batches (visibility timeout, redelivery
 * of reported failures, dead-letter list: lambda/shared/delivery/memory-queue.ts), and goes back to
 * sleep when the queue is empty. `npm run serve` runs the confirmation worker this way.
 */
import { MemoryJobQueue, type SqsHandler } from '../../lambda/shared/delivery/memory-queue.ts';

export interface QueueWorkerOptions {
  /** How long a failed job stays invisible before its retry. Default 5 s (SQS's is minutes; locally, seconds). */
  readonly visibilityTimeoutMs?: number;
  /** Receives before a job moves to the dead-letter list. Default 5, as the stack's redrive policy. */
  readonly maxReceives?: number;
  /** Jobs per handler call. Default 10, as the stack's event source. */
  readonly batchSize?: number;
  /**
   * How long after an enqueue the worker starts, as an SQS poller picks a message up some milliseconds
   * after it is sent. Default 10 ms: the producer's response is out before the job competes with it
   * for this process's one event loop (in AWS the worker is another function).
   */
  readonly pickupDelayMs?: number;
}

export interface QueueWorker<J> {
  readonly queue: MemoryJobQueue<J>;
  /** Queue jobs; the worker starts on them after the pickup delay. */
  enqueue(jobs: readonly J[]): Promise<void>;
  /** Resolves once every job so far is handled or dead-lettered. */
  idle(): Promise<void>;
  /** Stop after the batch in hand; jobs still queued are abandoned. */
  stop(): Promise<void>;
}

/** Start a worker that drains its queue through `handler`. */
export function startQueueWorker<J>(handler: SqsHandler, options: QueueWorkerOptions = {}): QueueWorker<J> {
  let stopped = false;
  let wake = () => {};
  const queue = new MemoryJobQueue<J>({
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? 5_000,
    maxReceives: options.maxReceives ?? 5,
    // Waits for jobs still invisible after a failure; stop() cuts the wait short.
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  });
  let running: Promise<void> | undefined;
  let pickup: Promise<void> | undefined;
  const run = (): void => {
    if (running || stopped) return;
    running = queue
      .drain(handler, { batchSize: options.batchSize ?? 10, stopped: () => stopped })
      .then(() => undefined, () => undefined)
      .finally(() => {
        running = undefined;
        if (queue.size > 0) run();
      });
  };
  return {
    queue,
    async enqueue(jobs) {
      await queue.enqueue(jobs);
      pickup ??= new Promise<void>((resolve) =>
        setTimeout(() => {
          pickup = undefined;
          run();
          resolve();
        }, options.pickupDelayMs ?? 10),
      );
    },
    async idle() {
      while (pickup || running) await (pickup ?? running);
    },
    async stop() {
      stopped = true;
      wake();
      while (running) await running;
    },
  };
}
