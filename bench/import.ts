/**
 * `npm run bench:import`: `subscribers import --confirmed` of a generated Mailchimp-shaped export
 * (BENCH_IMPORT_ROWS, default 100,000 rows, 1 in 50 repeated and 1 in 100 unsubscribed) into
 * dynalite, through the same importFile the command runs, at BENCH_IMPORT_CONCURRENCY rows in flight
 * (batches of 100 rows; default 4, the command's default). dynalite runs in a child process (bench/child-standins.ts), in
 * memory. Then the same file again, which must change nothing. Prints rows/s for both (goal ≥ 2,000
 * rows/s on the first), the CPU time per row of the import and of dynalite, and the load average. Bounded, loopback only, nothing persisted but a temp file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { importFile } from '../cli/import.ts';
import type { Io } from '../cli/output.ts';
import type { Target } from '../cli/targets.ts';
import { parseKeyring } from '../lambda/shared/signing-keys.ts';
import { createDynamoSubscriberStore } from '../lambda/shared/subscriptions/dynamo-store.ts';
import { ensureTable, localDynamo } from '../scripts/local/standins.ts';
import { startChildStandins } from './child-standins.ts';

const GOAL_ROWS_PER_SECOND = 2_000;
const TAGS = ['"Asia"', '"Climate","VIP"', '', '"Diplomacy","Asia"', '"Sports"'];

/** A Mailchimp audience export of `rows` rows (header included in the line count, not in `rows`). */
function mailchimpExport(rows: number): string {
  const lines = ['\uFEFF"Email Address","First Name","Last Name",MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,LEID,STATUS,TAGS'];
  for (let i = 0; i < rows; i++) {
    const n = i % 50 === 49 ? i - 1 : i; // a repeat of the row before
    const status = i % 100 === 7 ? 'unsubscribed' : 'subscribed';
    const tags = TAGS[i % TAGS.length]!.replace(/"/g, '""');
    lines.push(`"reader${n}@example.com","Reader","No. ${n}",2,"2023-02-11 08:14:02","2023-02-11 08:15:40",${40_000_000 + i},${status},"${tags}"`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
  const concurrency = Number(process.env.BENCH_IMPORT_CONCURRENCY ?? 4);
  const dir = mkdtempSync(path.join(tmpdir(), 'newsbrief-bench-import-'));
  const file = path.join(dir, 'members_export.csv');
  writeFileSync(file, mailchimpExport(rows));
  const standins = await startChildStandins();
  try {
    const { client, doc } = localDynamo(standins.dynamoEndpoint);
    await ensureTable(client, 'bench-import');
    const keyring = parseKeyring(JSON.stringify({ current: 'b1', b1: 'b'.repeat(43) }));
    const target: Target = {
      description: 'dynalite (bench)',
      subscribers: createDynamoSubscriberStore({ doc, tableName: 'bench-import' }),
      keyring: () => Promise.resolve(keyring),
      close: () => Promise.resolve(),
    };
    const io: Io = { out: () => {}, err: (l) => console.error(l), ...(process.stderr.isTTY ? { progress: process.stderr } : {}) };
    const options = { confirmed: true, frequency: 'daily' as const, rate: 10, concurrency, json: false };
    console.log(`bench:import: ${rows.toLocaleString('en-US')} rows, concurrency ${concurrency}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    // CPU per row, of this process (CSV, checks, SDK calls) and of dynalite's: unlike rows/s, barely moved by other load on the machine.
    const timed = async (label: string) => {
      const cpu = process.cpuUsage();
      const standinsCpu = standins.cpuMs();
      const report = await importFile(target, file, options, io);
      const own = process.cpuUsage(cpu);
      const theirs = standinsCpu === undefined ? undefined : (standins.cpuMs() ?? 0) - standinsCpu;
      const counts = Object.entries(report.counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`).join(', ');
      const perRow = (ms: number) => (ms / report.rows).toFixed(2);
      console.log(`${label}: ${report.seconds.toFixed(1)} s, ${Math.round(report.rows / report.seconds).toLocaleString('en-US')} rows/s (${counts})`);
      console.log(`  CPU ms per row: import ${perRow((own.user + own.system) / 1000)}, dynalite ${theirs === undefined ? 'n/a' : perRow(theirs)}`);
      return report;
    };
    const first = await timed('first import ');
    const again = await timed('same file again');
    const rate = first.rows / first.seconds;
    const changed = again.counts.confirmed + again.counts['opted-out'];
    console.log(`goal ≥ ${GOAL_ROWS_PER_SECOND.toLocaleString('en-US')} rows/s: ${rate >= GOAL_ROWS_PER_SECOND ? 'met' : 'MISSED'}; second import changed ${changed} row(s)`);
    console.log(`load average after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (rate < GOAL_ROWS_PER_SECOND || changed !== 0) process.exitCode = 1;
  } finally {
    standins.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:import: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
});
