import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendRawEmailCommand, GetSendQuotaCommand } from '@aws-sdk/client-ses';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  clearOutbox,
  ensureTable,
  localDynamo,
  localSes,
  readOutbox,
  startStandins,
  type Standins,
} from '../../scripts/local/standins.ts';

describe('local stand-ins over the real SDK', () => {
  let standins: Standins;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'newsbrief-standins-'));

  beforeAll(async () => {
    standins = await startStandins({ dataDir });
  });
  afterAll(async () => {
    await standins.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the table idempotently and round-trips an item through dynalite', async () => {
    const { client, doc } = localDynamo(standins.dynamoEndpoint);
    await ensureTable(client, 'standins');
    await ensureTable(client, 'standins');
    await doc.send(new PutCommand({ TableName: 'standins', Item: { pk: 'A', sk: 'B', n: 1 } }));
    const { Item } = await doc.send(new GetCommand({ TableName: 'standins', Key: { pk: 'A', sk: 'B' } }));
    expect(Item).toEqual({ pk: 'A', sk: 'B', n: 1 });
  });

  it('accepts SendRawEmail and gives the message back through /store', async () => {
    await clearOutbox(standins.sesEndpoint);
    const raw = 'From: a@example.com\r\nTo: b@example.com\r\nSubject: hello\r\n\r\nbody text\r\n';
    const ses = localSes(standins.sesEndpoint);
    const out = await ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } }));
    expect(out.MessageId).toBeTruthy();
    const mail = await readOutbox(standins.sesEndpoint);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe('hello');
  });

  it('times out instead of hanging on an action the emulator lacks', async () => {
    const ses = localSes(standins.sesEndpoint, 300);
    await expect(ses.send(new GetSendQuotaCommand({}))).rejects.toThrow();
  });
});
