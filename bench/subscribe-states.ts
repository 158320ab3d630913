/**
 * Does POST /subscribe tell address states apart by its timing? For each state (new, pending,
 * confirmed, unsubscribed, suppressed, forgotten) BENCH_STATE_REQUESTS addresses (default 200) are set
 * up through the store, then one request per address is sent, all states interleaved in a shuffled
 * order (seed BENCH_SEED), one at a time over a keep-alive connection, each timed from send to the
 * end of the body. The confirmation worker finishes each request's job before the next request, out
 * of the timing: in AWS it is another function, while here it shares this process and its event loop,
 * so a job still running (a new address's mail being composed) would slow whatever request came next.
 * Prints per state the median, p99 and the mean of the middle half (steadier than the median where the
 * latency has two modes), how far apart the medians are (goal ≤ 15 %), and how well one request tells
 * a new address from a confirmed one by a threshold on its time, beside the same on shuffled labels
 * (chance). Bounded in count; loopback only.
 */
import { performance } from 'node:perf_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { median, quantile } from '../scripts/stats.ts';
import { seedConfirmedSubscriber } from '../lambda/shared/subscriptions/seed.ts';
import { emailHashes } from '../lambda/shared/subscriptions/tokens.ts';
import { randomSubscriberId } from '../lambda/shared/subscriptions/service.ts';
import type { BenchTarget } from './subscribe-targets.ts';

export const STATES = ['new', 'pending', 'confirmed', 'unsubscribed', 'suppressed', 'forgotten'] as const;
export type State = (typeof STATES)[number];

const PER_STATE = Math.min(Number(process.env.BENCH_STATE_REQUESTS ?? 200), 2000);
const SEED = Number(process.env.BENCH_SEED ?? 11);

/** `items` in an order fixed by `seed`: sorted by a hash of (seed, position), so every run interleaves alike. */
function shuffled<T>(items: readonly T[], seed: string): T[] {
  const key = (i: number) => createHash('sha256').update(`${seed}:${i}`).digest('hex');
  return items.map((item, i) => ({ item, k: key(i) })).sort((a, b) => (a.k < b.k ? -1 : 1)).map((x) => x.item);
}

/** The mean of the values between the first and third quartile. */
function interquartileMean(xs: readonly number[]): number {
  const lo = quantile(xs, 0.25);
  const hi = quantile(xs, 0.75);
  const middle = xs.filter((x) => x >= lo && x <= hi);
  return middle.reduce((a, b) => a + b, 0) / Math.max(1, middle.length);
}

/** Best accuracy of "slower than t ⇒ state a" (or the reverse) over every threshold t, on equal-sized samples. */
export function thresholdAccuracy(a: readonly number[], b: readonly number[]): number {
  const points = [...a.map((v) => ({ v, a: true })), ...b.map((v) => ({ v, a: false }))].sort((x, y) => x.v - y.v);
  let best = 0.5;
  let aBelow = 0;
  let bBelow = 0;
  for (const p of points) {
    if (p.a) aBelow++;
    else bBelow++;
    // Threshold just above p.v: "a" are those above it, "b" those at or below (and the reverse).
    const accuracy = ((a.length - aBelow) / a.length + bBelow / b.length) / 2;
    best = Math.max(best, accuracy, 1 - accuracy);
  }
  return best;
}

/** Put one address in `state` through the store (each address is used for one request). */
async function prepare(target: BenchTarget, state: State, email: string, at: string): Promise<void> {
  if (state === 'new') return;
  if (state === 'pending') {
    const [hash] = emailHashes(email, target.keyring);
    // As after a subscribe whose confirmation mail went out just now.
    await target.store.createPending({ id: randomSubscriberId(), email, emailHash: hash?.hash ?? '', topics: ['world'], frequency: 'daily' }, at, { claimConfirmationMailAt: at });
    return;
  }
  const s = await seedConfirmedSubscriber(target.store, target.keyring, { email, topics: ['world'] }, at);
  if (state === 'unsubscribed') await target.store.unsubscribe(s.id, at);
  if (state === 'suppressed') await target.store.suppress(s.id, 'complaint', at);
  if (state === 'forgotten') await target.store.forget(s.id, at);
}

async function post(url: string, email: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ email, topics: ['world'] }),
  });
  await res.arrayBuffer();
  return { ms: performance.now() - started, status: res.status };
}

export interface StatesResult {
  readonly perState: Record<State, { median: number; p99: number; iqMean: number }>;
  readonly spread: number;
  readonly newVsConfirmed: number;
  readonly worstPair: { pair: string; accuracy: number };
  readonly non202: number;
}

/** Run the per-state measurement on one target and print it. */
export async function measureStates(target: BenchTarget): Promise<StatesResult> {
  const run = randomBytes(3).toString('hex');
  const at = new Date().toISOString();
  const plan: { state: State; email: string }[] = [];
  for (const state of STATES) {
    for (let i = 0; i < PER_STATE; i++) plan.push({ state, email: `bench-${run}-${state}-${i}@example.org` });
  }
  for (let i = 0; i < plan.length; i += 50) {
    await Promise.all(plan.slice(i, i + 50).map((p) => prepare(target, p.state, p.email, at)));
  }
  const order = shuffled(plan, String(SEED));
  // Warm up: JIT, connection, the worker's first compose (as in a warm Lambda container).
  for (let i = 0; i < 40; i++) await post(target.url, `bench-${run}-warm-${i}@example.org`);
  await target.settled();

  const times: Record<State, number[]> = Object.fromEntries(STATES.map((s) => [s, []])) as unknown as Record<State, number[]>;
  let non202 = 0;
  for (const p of order) {
    const { ms, status } = await post(target.url, p.email);
    if (status !== 202) non202++;
    times[p.state].push(ms);
    await target.settled();
  }
  await target.settled();

  const perState = {} as Record<State, { median: number; p99: number; iqMean: number }>;
  console.log(`\n${target.title}`);
  console.log(`  ${PER_STATE} requests per state, ${plan.length} in all, interleaved (seed ${SEED}), one at a time`);
  console.log('  state          median ms   p99 ms   IQ mean ms');
  for (const state of STATES) {
    perState[state] = { median: median(times[state]), p99: quantile(times[state], 0.99), iqMean: interquartileMean(times[state]) };
    const { median: m, p99, iqMean } = perState[state];
    console.log(`  ${state.padEnd(14)} ${m.toFixed(2).padStart(9)} ${p99.toFixed(2).padStart(8)} ${iqMean.toFixed(2).padStart(12)}`);
  }
  const medians = STATES.map((s) => perState[s].median);
  const iqMeans = STATES.map((s) => perState[s].iqMean);
  const spread = Math.max(...medians) / Math.min(...medians) - 1;
  const newVsConfirmed = thresholdAccuracy(times.new, times.confirmed);
  let worstPair = { pair: '', accuracy: 0 };
  for (const [i, a] of STATES.entries()) {
    for (const b of STATES.slice(i + 1)) {
      const accuracy = thresholdAccuracy(times[a], times[b]);
      if (accuracy > worstPair.accuracy) worstPair = { pair: `${a}/${b}`, accuracy };
    }
  }
  // The best threshold fits noise too: the same statistic on the same times with the labels shuffled is the real chance level.
  const pooled = [...times.new, ...times.confirmed];
  let chance = 0;
  for (let k = 0; k < 20; k++) {
    const relabelled = shuffled(pooled, `${SEED}/${k}`);
    chance += thresholdAccuracy(relabelled.slice(0, PER_STATE), relabelled.slice(PER_STATE)) / 20;
  }
  console.log(`  medians within ${(spread * 100).toFixed(1)} % of each other (goal ≤ 15 %): ${spread <= 0.15 ? 'met' : 'NOT met'}`);
  // dynalite's own latency is bimodal (a bare PutItem: ~2 ms or ~6 ms), so a median can sit in either
  // mode; the mean of the middle half does not jump between them.
  console.log(`  interquartile means within ${((Math.max(...iqMeans) / Math.min(...iqMeans) - 1) * 100).toFixed(1)} % of each other`);
  console.log(`  one request tells new from confirmed with ${(newVsConfirmed * 100).toFixed(1)} % accuracy (chance: ${(chance * 100).toFixed(1)} % with shuffled labels); most distinct pair ${worstPair.pair} ${(worstPair.accuracy * 100).toFixed(1)} %`);
  console.log(`  responses other than 202: ${non202}; confirmation mails sent: ${await target.mails()}`);
  return { perState, spread, newVsConfirmed, worstPair, non202 };
}
