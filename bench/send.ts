/**
 * `npm run bench:send`: the delivery benchmarks, bounded and on loopback only.
 *   1. Send rate (bench/send-rate.ts): 10,000 recipients through the sender to the SES emulator at a
 *      configured MaxSendRate. BENCH_SEND_RECIPIENTS, BENCH_SEND_RATE, BENCH_SEND_CONCURRENCY tune it.
 *   2. Fan-out (bench/fanout.ts, when present): subscribers in dynalite paged into send jobs; it exports
 *      `runFanoutBench(): Promise<boolean>`.
 * `--only=rate` or `--only=fanout` runs one part. Exits 1 when a goal is missed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runSendRateBench } from './send-rate.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

async function main(): Promise<void> {
  let ok = true;
  if (only === undefined || only === 'rate') ok = (await runSendRateBench()) && ok;
  if (only === undefined || only === 'fanout') {
    const fanout = path.join(import.meta.dirname, 'fanout.ts');
    if (existsSync(fanout)) {
      const mod = (await import(fanout)) as { runFanoutBench?: () => Promise<boolean> };
      if (typeof mod.runFanoutBench !== 'function') throw new Error('bench/fanout.ts does not export runFanoutBench()');
      ok = (await mod.runFanoutBench()) && ok;
    } else {
      console.log('Fan-out: bench/fanout.ts is not present yet');
    }
  }
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench:send: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
});
