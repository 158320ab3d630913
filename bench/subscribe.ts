/**
 * `npm run bench:subscribe`: POST /subscribe on two targets (bench/subscribe-targets.ts: the local
 * stack, and the handler alone), all in this process on 127.0.0.1, bounded in count and time.
 *   1. states (bench/subscribe-states.ts): median and p99 per address state, 200 interleaved requests
 *      each; goals: medians within 15 % of each other (timing reveals no state), p99 ≤ 50 ms for the
 *      handler alone.
 *   2. rate: BENCH_RATE req/s (default 200) for BENCH_SECONDS (default 15), a new address per request;
 *      req/s and p50/p90/p99.
 * `--only=states` or `--only=rate` runs one part. Exits 1 when a response is not 2xx or a goal is missed.
 * Latency is meaningful only on an idle machine: the load average is printed first.
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { measureStates } from './subscribe-states.ts';
import { startHandlerAlone, startLocalStack, type BenchTarget } from './subscribe-targets.ts';

interface AutocannonResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p90: number; p99: number; p99_9?: number; max: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
interface AutocannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  setupRequest?: (req: { body?: string }) => { body?: string };
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  overallRate?: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 15), 120);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

function subscribeRequest(): AutocannonRequest {
  const run = randomBytes(3).toString('hex');
  let n = 0;
  return {
    method: 'POST',
    path: '/subscribe',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ email: `bench-rate-${run}-${n++}@example.org`, topics: ['world'] }) }),
  };
}

async function measureRate(target: BenchTarget): Promise<boolean> {
  const request = subscribeRequest();
  await autocannon({ url: target.url, connections: 2, amount: 50, requests: [request] });
  await target.settled();
  const before = await target.mails();
  const cpu = process.cpuUsage();
  const r = await autocannon({ url: target.url, connections: CONNECTIONS, duration: SECONDS, overallRate: RATE, requests: [request] });
  await target.settled();
  const used = process.cpuUsage(cpu);
  console.log(`\n${target.title}: ${RATE} req/s for ${SECONDS} s, ${CONNECTIONS} connections, a new address per request`);
  console.log(`  requests      ${r.requests.total} (${r.requests.total - r.non2xx} × 2xx, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts)`);
  console.log(`  throughput    ${(r.requests.total / r.duration).toFixed(1)} req/s (target ${RATE})`);
  console.log(`  latency       p50 ${r.latency.p50} ms · p90 ${r.latency.p90} ms · p99 ${r.latency.p99} ms · max ${r.latency.max} ms`);
  console.log(`  CPU           ${((used.user + used.system) / Math.max(1, r.requests.total) / 1000).toFixed(1)} ms per request (this process: load generator and confirmation worker included)`);
  console.log(`  confirmation mails sent by the worker: ${(await target.mails()) - before}`);
  return r.non2xx === 0 && r.errors === 0;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.log('POST /subscribe: load generator, HTTP adapter, handlers, confirmation worker and stand-ins share this one Node process on 127.0.0.1');
  console.log(`machine load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min); latency is meaningful only on an idle machine`);
  let ok = true;
  for (const start of [startLocalStack, startHandlerAlone]) {
    const target = await start();
    try {
      if (only === undefined || only === 'states') {
        const r = await measureStates(target);
        ok &&= r.non202 === 0 && r.spread <= 0.15;
        if (start === startHandlerAlone) {
          const p99 = Math.max(...Object.values(r.perState).map((v) => v.p99));
          console.log(`  worst p99 ${p99.toFixed(2)} ms (goal ≤ 50 ms): ${p99 <= 50 ? 'met' : 'NOT met'}`);
          ok &&= p99 <= 50;
        }
      }
      if (only === undefined || only === 'rate') ok = (await measureRate(target)) && ok;
    } finally {
      await target.stop();
    }
  }
  console.log(`\nmachine load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} at the end`);
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench:subscribe: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
});
