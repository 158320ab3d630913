import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, dataFolder } from './harness.ts';
import { DynamoFeedStore } from '../../lambda/shared/feeds/state-dynamo.ts';
import { LOCAL_FEEDS_LIST, LOCAL_TABLE_NAME, localFeedsUrl } from '../../scripts/local/delivery-env.ts';
import { ensureTable, localDynamo, startStandins } from '../../scripts/local/standins.ts';

// `newsbrief feeds list --local`: npm start's example feeds, with the state the poller recorded in
// dynalite (written here through the same feed store the poller uses).

describe('feeds list --local', () => {
  const dir = dataFolder();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const examples = (JSON.parse(readFileSync(LOCAL_FEEDS_LIST, 'utf8')) as { url: string }[]).map((f) => new URL(f.url, localFeedsUrl()).href);

  it('lists each feed with its last fetch, status, failures, last error and waiting items', async () => {
    const standins = await startStandins({ dataDir: path.join(dir, 'dynamo') });
    try {
      const { client, doc } = localDynamo(standins.dynamoEndpoint);
      await ensureTable(client, LOCAL_TABLE_NAME);
      const store = new DynamoFeedStore(doc, LOCAL_TABLE_NAME);
      const [ok, failing] = examples;
      const a = await store.claim(ok!, Date.now(), Date.now() + 60_000);
      await store.save({ ...a!, lastAttemptAt: '2026-11-27T08:00:00.000Z', lastSuccessAt: '2026-11-27T08:00:00.000Z', nextPollAt: '2026-11-27T08:10:00.000Z' });
      const b = await store.claim(failing!, Date.now(), Date.now() + 60_000);
      await store.save({
        ...b!,
        lastAttemptAt: '2026-11-27T08:00:00.000Z',
        lastSuccessAt: '2026-11-26T20:00:00.000Z',
        failingSince: '2026-11-27T07:40:00.000Z',
        failures: 3,
        lastError: 'HTTP 503 from the feed',
        pending: { 'guid:1': { since: '2026-11-27T07:40:00.000Z', attempts: 2, reason: 'page timed out' } },
      });
    } finally {
      await standins.stop();
    }

    const json = await cli('feeds', 'list', '--json', '--local', dir);
    expect(json.err).toBe('');
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.out) as Record<string, unknown>[];
    expect(rows.map((r) => r.url)).toEqual(examples);
    expect(rows[0]).toMatchObject({ status: 'ok', lastFetchAt: '2026-11-27T08:00:00.000Z', failures: 0, nextPollAt: '2026-11-27T08:10:00.000Z', deferredItems: 0 });
    expect(rows[1]).toMatchObject({ status: 'failing', failingSince: '2026-11-27T07:40:00.000Z', failures: 3, lastError: 'HTTP 503 from the feed', deferredItems: 1 });
    expect(rows[2]).toMatchObject({ status: 'never polled', failures: 0 });

    const human = await cli('feeds', 'list', '--local', dir);
    expect(human.out).toMatch(/failing since 2026-11-27T07:40:00.000Z \(3 in a row\)/);
    expect(human.out).toContain(`${examples[1]}: HTTP 503 from the feed`);
    expect(human.out).toContain('never polled');
  }, 60_000);

  it('has --help', async () => {
    expect((await cli('feeds', 'list', '--help')).code).toBe(0);
  });
});
