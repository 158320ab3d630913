/**
 * `npm run bench:subscribe`: POST /subscribe under a fixed load of BENCH_RATE req/s (default 200) for
 * BENCH_SECONDS (default 15) against `npm run serve`'s stack started in this process on 127.0.0.1
 * (the real handler behind the node:http adapter, dynalite in memory, the SES emulator). Every request
 * is a new address, so each one does the whole double opt-in write path: lookup, conditional create,
 * mail claim, confirmation MIME and SendRawEmail. Prints req/s and the p50/p99 latency. Goal: p99 ≤ 50 ms.
 * Bounded in count and time; loopback only.
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startServeStack } from '../scripts/serve.ts';
import { clearOutbox, readOutbox } from '../scripts/local/standins.ts';
import { silentLog } from '../lambda/shared/logger.ts';
import { startHttpAdapter } from '../scripts/local/http-adapter.ts';
import { parseKeyring } from '../lambda/shared/signing-keys.ts';
import { createMemorySubscriberStore } from '../lambda/shared/subscriptions/memory-store.ts';
import { createSubscriptionService } from '../lambda/shared/subscriptions/service.ts';
import { createApp } from '../lambda/subscribe/app.ts';
import { createConfirmationComposer } from '../lambda/subscribe/confirmation-mail.ts';
import { ROUTES } from '../lambda/subscribe/routes.ts';

interface AutocannonResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p90: number; p99: number; p99_9?: number; max: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  statusCodeStats?: Record<string, { count: number }>;
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

function subscribeRequest(label: string): AutocannonRequest {
  const run = randomBytes(3).toString('hex');
  let n = 0;
  return {
    method: 'POST',
    path: '/subscribe',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ email: `bench-${label}-${run}-${n++}@example.org`, topics: ['world'] }) }),
  };
}

async function measure(title: string, url: string): Promise<AutocannonResult> {
  const request = subscribeRequest(title.split(' ')[0] ?? 'x');
  // Warm up: the first confirmation mail renders confirm.mjml once per process (as in a Lambda container).
  await autocannon({ url, connections: 2, amount: 50, requests: [request] });
  const cpu = process.cpuUsage();
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, overallRate: RATE, requests: [request] });
  const used = process.cpuUsage(cpu);
  const ok = r.requests.total - r.non2xx;
  console.log(`\n${title}`);
  console.log(`  requests      ${r.requests.total} (${ok} × 2xx, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts)`);
  console.log(`  throughput    ${(r.requests.total / r.duration).toFixed(1)} req/s (target ${RATE})`);
  console.log(`  latency       p50 ${r.latency.p50} ms · p90 ${r.latency.p90} ms · p99 ${r.latency.p99} ms · max ${r.latency.max} ms`);
  console.log(`  CPU           ${((used.user + used.system) / Math.max(1, r.requests.total) / 1000).toFixed(1)} ms per request (this process: load generator included)`);
  console.log(`  goal p99 ≤ 50 ms: ${r.latency.p99 <= 50 ? 'met' : 'NOT met'}`);
  return r;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.log(`POST /subscribe, fixed rate ${RATE} req/s for ${SECONDS} s, ${CONNECTIONS} connections, a new address per request`);
  console.log('(load generator, HTTP adapter, handler and stand-ins share this one Node process on 127.0.0.1)');
  console.log(`machine load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min); latency is meaningful only on an idle machine`);

  // 1. The serve stack: real handler → SDK → dynalite + SES emulator.
  const stack = await startServeStack({ log: silentLog });
  let failed = false;
  try {
    await clearOutbox(stack.sesEndpoint);
    const r = await measure('serve stack (handler + dynalite + SES emulator)', stack.url);
    console.log(`  confirmation mails in the SES emulator: ${(await readOutbox(stack.sesEndpoint)).length}`);
    failed ||= r.non2xx > 0 || r.errors > 0;
  } finally {
    await stack.stop();
  }

  // 2. The same app and composer over the in-memory store and a discarding mailer: the handler's own
  //    cost, without the emulators' CPU (in AWS, DynamoDB and SES run elsewhere).
  const keyring = parseKeyring(JSON.stringify({ current: 'b1', b1: randomBytes(32).toString('base64url') }));
  let sent = 0;
  const service = createSubscriptionService({
    store: createMemorySubscriberStore(),
    mailer: { send: async () => ({ messageId: `m-${++sent}` }) },
    composer: createConfirmationComposer({ newsletterName: 'newsbrief', postalAddress: '1 Example Street', from: { name: 'newsbrief', address: 'news@example.com' } }),
    keyring,
    config: { publicUrl: 'http://127.0.0.1', topics: ['world', 'asia'] },
    log: silentLog,
  });
  const http = await startHttpAdapter(createApp({ service, pages: { newsletterName: 'newsbrief', topics: ['world', 'asia'] }, log: silentLog }), { routes: ROUTES });
  try {
    const r = await measure('handler alone (in-memory store, discarding mailer, same HTTP adapter)', http.url);
    console.log(`  confirmation messages built: ${sent}`);
    failed ||= r.non2xx > 0 || r.errors > 0;
  } finally {
    await http.close();
  }
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench:subscribe: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
});
