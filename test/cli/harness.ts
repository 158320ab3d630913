import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { run, type CommandDeps } from '../../cli/main.ts';
import { parseKeyring } from '../../lambda/shared/signing-keys.ts';
import { createDynamoSubscriberStore } from '../../lambda/shared/subscriptions/dynamo-store.ts';
import { emailHashes } from '../../lambda/shared/subscriptions/tokens.ts';
import { LOCAL_TABLE_NAME } from '../../scripts/local/delivery-env.ts';
import { localDynamo, startStandins } from '../../scripts/local/standins.ts';

/** What the operator command tests share: running it in-process, and local data folders. */

/** Run the command in-process; returns its exit code and what it printed. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWith({}, ...argv);
}

/** Run the command in-process with substituted parts (`deps`). */
export async function cliWith(deps: CommandDeps, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, deps);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A data folder like the one `npm start` leaves: its keyring (dynalite's files appear on first use). */
export function dataFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'newsbrief-cli-'));
  writeFileSync(path.join(dir, 'signing-keyring.json'), JSON.stringify({ current: 'local1', local1: 'k'.repeat(43) }));
  return dir;
}

/** Read the subscriber of `address` back from the folder's table, the way the subscribe API finds it. */
export async function findSubscriber(dir: string, address: string) {
  const standins = await startStandins({ dataDir: path.join(dir, 'dynamo') });
  try {
    const store = createDynamoSubscriberStore({ doc: localDynamo(standins.dynamoEndpoint).doc, tableName: LOCAL_TABLE_NAME });
    const keyring = parseKeyring(readFileSync(path.join(dir, 'signing-keyring.json'), 'utf8'));
    const found = await store.findByEmailHash(emailHashes(address, keyring).map((h) => h.hash));
    return found?.subscriber ?? null;
  } finally {
    await standins.stop();
  }
}

/** Every item of `table`, serialised and sorted: compare before and after to see that a command wrote nothing. */
export async function tableItems(dynamoEndpoint: string, table: string = LOCAL_TABLE_NAME): Promise<string[]> {
  const out = await localDynamo(dynamoEndpoint).doc.send(new ScanCommand({ TableName: table }));
  return (out.Items ?? []).map((i) => JSON.stringify(i)).sort();
}
