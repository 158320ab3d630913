import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoArticleStore } from '../../lambda/shared/delivery/articles-dynamo.ts';
import { LOCAL_SENDER_ADDRESS, LOCAL_TABLE_NAME } from '../../scripts/local/delivery-env.ts';
import { clearOutbox, ensureTable, localDynamo, readOutbox, startStandins, type Standins } from '../../scripts/local/standins.ts';
import { brief } from '../email/fixtures.ts';
import { cli, dataFolder, tableItems } from './harness.ts';

// `send test` over the local data of `npm start`: the articles wait in dynalite, the message goes
// through the real SES SDK to the SES emulator (read back with GET /store), and the table is compared
// item for item before and after, so "records nothing" is checked, not assumed.

/** Every item of the local table, sorted, to compare before and after. */
async function localItems(dir: string): Promise<string[]> {
  const standins = await startStandins({ dataDir: path.join(dir, 'dynamo') });
  try {
    return await tableItems(standins.dynamoEndpoint);
  } finally {
    await standins.stop();
  }
}

describe('send test --local', () => {
  const dir = dataFolder();
  let ses: Standins;
  const ids = ['a1'.repeat(16), 'b2'.repeat(16)];

  beforeAll(async () => {
    const standins = await startStandins({ dataDir: path.join(dir, 'dynamo') });
    const { client, doc } = localDynamo(standins.dynamoEndpoint);
    await ensureTable(client, LOCAL_TABLE_NAME);
    const articles = new DynamoArticleStore(doc, LOCAL_TABLE_NAME);
    // As the ingest step stores them: the record, then an entry in each digest frequency's queue.
    for (const record of [
      { id: ids[0]!, ingestedAt: '2026-11-27T06:00:00.000Z', origin: 'articles/one.md', brief: brief(1, { topics: ['asia'] }) },
      { id: ids[1]!, ingestedAt: '2026-11-27T07:00:00.000Z', origin: 'articles/two.md', brief: brief(2, { topics: ['world'] }) },
    ]) {
      await articles.putIfAbsent(record);
      await articles.queueForDigests(record);
    }
    await standins.stop();
    // The emulators of one process share their store; this one is only for reading it.
    ses = await startStandins();
  }, 60_000);
  afterAll(async () => {
    await ses.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the next daily digest, "[Test]"-marked, to one address and writes nothing', async () => {
    await clearOutbox(ses.sesEndpoint);
    const before = await localItems(dir);
    const result = await cli('send', 'test', 'Operator@Example.COM', '--json', '--local', dir);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as { kind: string; frequency: string; articleIds: string[]; subject: string; messageId: string };
    expect(report).toMatchObject({ kind: 'digest', frequency: 'daily', articleIds: ids });
    const mails = await readOutbox(ses.sesEndpoint);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.destination.to).toEqual(['Operator@example.com']);
    expect(mail!.from).toContain(LOCAL_SENDER_ADDRESS);
    expect(mail!.subject).toMatch(/^\[Test\] /);
    expect(mail!.subject).toBe(report.subject);
    // The real digest: both waiting articles, with the personal links the sender adds.
    expect(mail!.body.html).toContain(brief(1).title);
    expect(mail!.body.html).toContain(brief(2).title);
    expect(mail!.body.html).toMatch(/unsubscribe/i);
    expect(await localItems(dir)).toEqual(before);
  }, 60_000);

  it('sends one article\'s alert with --article', async () => {
    await clearOutbox(ses.sesEndpoint);
    const result = await cli('send', 'test', 'operator@example.com', '--article', ids[1]!, '--local', dir);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`the alert of article ${ids[1]}`);
    expect(result.out).toContain('nothing was recorded');
    const [mail, ...more] = await readOutbox(ses.sesEndpoint);
    expect(more).toHaveLength(0);
    expect(mail!.subject).toMatch(/^\[Test\] /);
    expect(mail!.body.html).toContain(brief(2).title);
    expect(mail!.body.html).not.toContain(brief(1).title);
  }, 60_000);

  it('leaves the articles to the digest: the real run after a test still carries both', async () => {
    const run = await cli('digest', 'run', 'daily', '--local', dir);
    expect(run.err).toBe('');
    expect(run.out).toContain('complete, 2 article(s)');
    // Now nothing waits: the test says so instead of sending an empty issue.
    await clearOutbox(ses.sesEndpoint);
    const result = await cli('send', 'test', 'operator@example.com', '--local', dir);
    expect(result.code).toBe(1);
    expect(result.err).toContain('no article waits for the next daily digest');
    expect(await readOutbox(ses.sesEndpoint)).toHaveLength(0);
  }, 60_000);

  it.each([
    [['send', 'test', 'not-an-address'], 'address:'],
    [['send', 'test', 'a@example.com', '--digest', 'hourly'], '--digest: must be daily or weekly'],
    [['send', 'test', 'a@example.com', '--digest', 'daily', '--article', 'x'], '--digest and --article: choose one'],
  ])('exits 2 on a usage error: %s', async (argv, message) => {
    const result = await cli(...argv, '--local', dir);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it('exits 1 naming an article that does not exist', async () => {
    const result = await cli('send', 'test', 'operator@example.com', '--article', 'f'.repeat(32), '--local', dir);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`no article ${'f'.repeat(32)}`);
  }, 60_000);
});
