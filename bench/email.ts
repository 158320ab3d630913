/**
 * `npm run bench:email`: what rendering once per issue buys. Prints the median time of one
 * 10-article digest render (MJML, strict validation, minified), the median per-recipient time of
 * personalise() + buildMessage() (raw MIME), and their ratio. Goal: per recipient ≤ 2% of a render.
 */
import type { Brief, Quote } from '../lambda/shared/article/model.ts';
import { buildMessage } from '../lambda/shared/email/mime.ts';
import { personalise } from '../lambda/shared/email/personalise.ts';
import { renderDigest } from '../lambda/shared/email/render.ts';
import type { DigestOptions } from '../lambda/shared/email/types.ts';
import { median } from '../scripts/stats.ts';

const RENDERS = Number(process.env.BENCH_RENDERS ?? 15);
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 1000);

function quote(i: number, n: number): Quote {
  const text = `Quote ${i} on story ${n}: we will not accept another winter of sandbags and broken promises for the towns on this coast, and we said so plainly.`;
  return { text, start: 0, end: text.length, speaker: { name: `Speaker ${i} Okafor`, role: 'Deputy Chair of the Flood Defence Committee' } };
}

function brief(n: number): Brief {
  return {
    title: `Regional parliament votes to overhaul flood defence funding after storm season ${n}`,
    publishedAt: '2026-11-26T09:30:00+01:00',
    source: 'Harbour Gazette',
    url: `https://news.example.org/2026/11/flood-defences-${n}?utm_source=feed`,
    topics: ['environment'],
    summary: [
      `The government and regional councils agreed on Tuesday to spend £${n}.4 billion on sea walls, dunes and drainage along the east coast over the next four years.`,
      'Work on the most exposed stretches is due to start within weeks, ahead of the storm season that flooded thousands of homes last year.',
      'Opposition parties welcomed the money but said the timetable left little room for consultation with the towns most affected.',
    ],
    keyQuotes: [quote(1, n), quote(2, n), quote(3, n)],
  };
}

const options: DigestOptions = {
  newsletterName: 'newsbrief',
  postalAddress: 'newsbrief Ltd, 1 Harbour Street, Portsmouth PO1 2AB, United Kingdom',
  issueDate: '2026-11-27',
  frequency: 'daily',
  topics: ['environment', 'politics'],
};

const briefs = Array.from({ length: 10 }, (_, i) => brief(i + 1));

// Cold: the first render also pays for loading mjml and the minifier (a Lambda cold start).
let t = performance.now();
let rendered = await renderDigest(briefs, options);
const cold = performance.now() - t;

const renderTimes: number[] = [];
let cpu = process.cpuUsage();
for (let i = 0; i < RENDERS; i++) {
  t = performance.now();
  rendered = await renderDigest(briefs, options);
  renderTimes.push(performance.now() - t);
}
const renderCpu = process.cpuUsage(cpu);

const from = { name: 'newsbrief', address: 'digest@news.example.com' };
const token = 'v1.k1.'.padEnd(160, 'x');
const perRecipient: number[] = [];
let bytes = 0;
cpu = process.cpuUsage();
for (let i = 0; i < RECIPIENTS + 50; i++) {
  const recipient = {
    subscriberId: `sub-${i}`,
    email: `reader${i}@example.org`,
    unsubscribeUrl: `https://subscribe.news.example.com/unsubscribe?token=${token}${i}`,
    preferencesUrl: `https://subscribe.news.example.com/preferences?token=${token}${i}`,
  };
  t = performance.now();
  const raw = await buildMessage(personalise(rendered, recipient), recipient, { from, messageId: `run-1.sub-${i}` });
  const elapsed = performance.now() - t;
  if (i >= 50) perRecipient.push(elapsed); // the first 50 warm the JIT
  bytes = raw.length;
}
const recipientCpu = process.cpuUsage(cpu);
// CPU time is steadier than wall time on a shared machine; report both.
const cpuMs = (u: NodeJS.CpuUsage, n: number): number => (u.user + u.system) / 1000 / n;

const render = median(renderTimes);
const recipient = median(perRecipient);
const ratio = recipient / render;
console.log(`digest render (10 articles × 3 quotes): cold ${cold.toFixed(0)} ms, median ${render.toFixed(1)} ms over ${RENDERS} renders; HTML ${(Buffer.byteLength(rendered.html) / 1024).toFixed(1)} KiB`);
console.log(`per recipient (personalise + MIME):      median ${(recipient * 1000).toFixed(0)} µs over ${RECIPIENTS} recipients; message ${(bytes / 1024).toFixed(1)} KiB`);
console.log(`mean CPU time: render ${cpuMs(renderCpu, RENDERS).toFixed(1)} ms, per recipient ${(cpuMs(recipientCpu, RECIPIENTS + 50) * 1000).toFixed(0)} µs (${((cpuMs(recipientCpu, RECIPIENTS + 50) / cpuMs(renderCpu, RENDERS)) * 100).toFixed(2)}%)`);
console.log(`ratio per-recipient / render:            ${(ratio * 100).toFixed(2)}% (goal ≤ 2%) ${ratio <= 0.02 ? 'OK' : 'ABOVE GOAL'}`);
