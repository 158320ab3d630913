import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tableItems } from './harness.ts';
import { DynamoArticleStore } from '../../lambda/shared/delivery/articles-dynamo.ts';
import { DynamoFeedStore } from '../../lambda/shared/feeds/state-dynamo.ts';
import { createDynamoSubscriberStore } from '../../lambda/shared/subscriptions/dynamo-store.ts';
import { clearOutbox, ensureTable, localDynamo, readOutbox, startStandins, type Standins } from '../../scripts/local/standins.ts';
import { brief } from '../email/fixtures.ts';

// The --stack path end to end: the command finds the stack through CloudFormation, reads the poll
// function's settings from Lambda and the signing key ring from Secrets Manager, and works on the
// stack's table, here dynalite. CloudFormation, Lambda and Secrets Manager have no stand-in, so one
// local server answers the three calls with recorded answers in each API's documented shape (the only
// test doubles); the SDK clients find everything through the standard AWS_ENDPOINT_URL_* variables.

const FIXTURES = new URL('./fixtures/', import.meta.url);
const TABLE = 'Newsbrief-DataTableFDBAD0F2-1X2Y3Z4W5V6U';
const POLL = 'Newsbrief-FeedsPoll3F9A1B2C-MnOpQrStUvWx';
const DIGEST = 'Newsbrief-DeliveryDigest5A3C6E2B-AbCdEfGhIjKl';
/** The digest function's environment as the stack deploys it (lib/environment.ts: the delivery runtime's keys). */
const DIGEST_ENV = {
  TABLE_NAME: TABLE, NEWSLETTER_NAME: 'The Harbour Brief', SENDER_ADDRESS: 'brief@harbour.example.org', SENDER_NAME: 'The Harbour Brief',
  POSTAL_ADDRESS: '1 Quay Street, Harbourtown', PUBLIC_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod', TOPICS: 'world,asia,us-politics,diplomacy',
  BUCKET_NAME: 'newsbrief-databucket-abc', SEND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Newsbrief-SendQueue', CONFIGURATION_SET: 'newsbrief-events',
  MAX_SEND_RATE: '14', SENDER_CONCURRENCY: '2', TOPIC_RULES: '{}', DIGEST_MAX_FULL_ARTICLES: '10', ARCHIVE: 'public',
};
/** SES's answer to SendRawEmail in the sandbox for an address nobody verified (SES API reference, "Common errors"). */
const SANDBOX_REFUSAL = `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>MessageRejected</Code><Message>Email address is not verified. The following identities failed the check in region EU-WEST-1: someone@example.net</Message></Error><RequestId>6f8a1c2e-0b3d-4e5f-8a9b-0c1d2e3f4a5b</RequestId></ErrorResponse>`;
const FEEDS = [{ url: 'https://news.example.com/world.rss', topics: ['world'] }, { url: 'https://desk.example.org/asia.atom' }];

describe('npx newsbrief --stack', () => {
  let aws: Server;
  let standins: Standins;
  const calls: string[] = [];
  const sent: { QueueUrl: string; MessageBody: string }[] = [];
  // The SQS client sends to the queue URL's own host (as in AWS), so the recorded URL names the local server.
  let QUEUE = '';
  let awsEndpoint = '';
  const dir = mkdtempSync(path.join(tmpdir(), 'newsbrief-stack-'));
  const saved = { ...process.env };

  beforeAll(async () => {
    standins = await startStandins();
    await ensureTable(localDynamo(standins.dynamoEndpoint).client, TABLE);
    aws = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        if (req.method === 'GET' && req.url === `/2015-03-31/functions/${DIGEST}/configuration`) {
          calls.push('lambda:GetFunctionConfiguration digest');
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ FunctionName: DIGEST, Runtime: 'nodejs24.x', Environment: { Variables: DIGEST_ENV } }));
        } else if (new URLSearchParams(body).get('Action') === 'SendRawEmail') {
          calls.push('ses:SendRawEmail');
          res.writeHead(400, { 'content-type': 'text/xml' });
          res.end(SANDBOX_REFUSAL);
        } else if (req.method === 'GET' && req.url === `/2015-03-31/functions/${POLL}/configuration`) {
          calls.push('lambda:GetFunctionConfiguration');
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ FunctionName: POLL, Runtime: 'nodejs24.x', Environment: { Variables: { FEEDS: JSON.stringify(FEEDS), TABLE_NAME: TABLE } } }));
        } else if (target === 'secretsmanager.GetSecretValue') {
          calls.push('secretsmanager:GetSecretValue');
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ ARN: JSON.parse(body).SecretId, Name: 'SigningKeySecret', SecretString: JSON.stringify({ current: 'k1', k1: 's'.repeat(43) }), VersionId: 'v1' }));
        } else if (target === 'AmazonSQS.SendMessage') {
          const message = JSON.parse(body) as { QueueUrl: string; MessageBody: string };
          sent.push(message);
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ MessageId: `m${sent.length}`, MD5OfMessageBody: createHash('md5').update(message.MessageBody).digest('hex') }));
        } else if (new URLSearchParams(body).get('Action') === 'DescribeStacks') {
          calls.push('cloudformation:DescribeStacks');
          res.writeHead(200, { 'content-type': 'text/xml' });
          const xml = readFileSync(new URL('describe-stacks.xml', FIXTURES), 'utf8');
          // A stack of this version also outputs its confirmation queue; "NewsbriefOld" predates it.
          res.end(new URLSearchParams(body).get('StackName') === 'NewsbriefOld' ? xml : xml.replace('<Outputs>', `<Outputs><member><OutputKey>ConfirmationQueueUrl</OutputKey><OutputValue>${QUEUE}</OutputValue></member>`));
        } else {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ __type: 'UnknownOperationException', message: `${req.method} ${req.url} ${target}` }));
        }
      });
    });
    await new Promise<void>((resolve) => aws.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(aws.address() as AddressInfo).port}`;
    QUEUE = `${endpoint}/123456789012/Newsbrief-ConfirmationsQueue-AbC123`;
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
      AWS_ENDPOINT_URL_LAMBDA: endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_ENDPOINT_URL_SQS: endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: standins.dynamoEndpoint,
      AWS_ENDPOINT_URL_SES: standins.sesEndpoint,
    });
    awsEndpoint = endpoint;
  });
  afterAll(async () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await new Promise<void>((resolve) => aws.close(() => resolve()));
    await standins.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('feeds list: the poll function\'s feeds, with their state from the stack\'s table', async () => {
    const store = new DynamoFeedStore(localDynamo(standins.dynamoEndpoint).doc, TABLE);
    const claimed = await store.claim(FEEDS[0]!.url, Date.now(), Date.now() + 60_000);
    await store.save({ ...claimed!, lastAttemptAt: '2026-11-27T08:00:00.000Z', lastSuccessAt: '2026-11-27T08:00:00.000Z' });
    const result = await cli('feeds', 'list', '--json', '--stack', 'Newsbrief');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual([
      { url: FEEDS[0]!.url, topics: ['world'], status: 'ok', lastFetchAt: '2026-11-27T08:00:00.000Z', lastSuccessAt: '2026-11-27T08:00:00.000Z', failures: 0, deferredItems: 0 },
      { url: FEEDS[1]!.url, topics: [], status: 'never polled', failures: 0, deferredItems: 0 },
    ]);
    expect(calls).toContain('lambda:GetFunctionConfiguration');
  }, 60_000);

  it('subscribers import --confirmed: into the stack\'s table, topics checked against the stack\'s, then show', async () => {
    const file = path.join(dir, 'list.csv');
    writeFileSync(file, 'email,topics,frequency\nann@example.com,Asia,weekly\nbob@example.com,sports,daily\n');
    const result = await cli('subscribers', 'import', file, '--confirmed', '--json', '--stack', 'Newsbrief');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as { counts: Record<string, number>; ignoredTags: Record<string, number> };
    expect(report.counts.confirmed).toBe(2);
    // The stack offers world, asia, us-politics, diplomacy: "sports" is no topic there.
    expect(report.ignoredTags).toEqual({ sports: 1 });
    expect(calls).toContain('secretsmanager:GetSecretValue');
    const shown = await cli('subscribers', 'show', 'ann@example.com', '--json', '--stack', 'Newsbrief');
    expect(JSON.parse(shown.out)).toMatchObject({ status: 'confirmed', topics: 'asia', frequency: 'weekly', consent: expect.stringContaining('plain:list.csv') });
  }, 60_000);

  it('subscribers import without --confirmed: each new person stored as a subscribe request and queued for the confirmation worker', async () => {
    const file = path.join(dir, 'pending.csv');
    writeFileSync(file, 'email,topics\ncarl@example.com,asia\ndora@example.com,\n');
    const result = await cli('subscribers', 'import', file, '--json', '--stack', 'Newsbrief');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.out) as { counts: Record<string, number> }).counts.requested).toBe(2);
    expect(sent.map((m) => m.QueueUrl)).toEqual([QUEUE, QUEUE]);
    // The message is a claim check: the request id only, never the address.
    const store = createDynamoSubscriberStore({ doc: localDynamo(standins.dynamoEndpoint).doc, tableName: TABLE });
    const requests = await Promise.all(sent.map((m) => store.getRequest((JSON.parse(m.MessageBody) as { requestId: string }).requestId)));
    expect(requests.map((r) => [r?.email, r?.topics])).toEqual([
      ['carl@example.com', ['asia']],
      ['dora@example.com', []],
    ]);
    for (const m of sent) expect(m.MessageBody).not.toContain('@');
  }, 60_000);

  it('refuses a pending import on a stack without a confirmation queue output, naming the file, before writing anything', async () => {
    const file = path.join(dir, 'older.csv');
    writeFileSync(file, 'email\nerin@example.com\n');
    const before = sent.length;
    const result = await cli('subscribers', 'import', file, '--stack', 'NewsbriefOld');
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${file}: stack NewsbriefOld has no confirmation queue output (ConfirmationQueueUrl): deploy it with this version`);
    expect(sent.length).toBe(before);
  }, 60_000);

  describe('send test', () => {
    const articleId = 'c3'.repeat(16);
    beforeAll(async () => {
      const articles = new DynamoArticleStore(localDynamo(standins.dynamoEndpoint).doc, TABLE);
      const record = { id: articleId, ingestedAt: '2026-11-27T06:00:00.000Z', origin: 'articles/harbour.md', brief: brief(7, { topics: ['world'] }) };
      await articles.putIfAbsent(record);
      await articles.queueForDigests(record);
    });

    it('renders with the settings the digest function was deployed with and sends through SES, recording nothing', async () => {
      await clearOutbox(standins.sesEndpoint);
      const before = await tableItems(standins.dynamoEndpoint, TABLE);
      const result = await cli('send', 'test', 'ops@harbour.example.org', '--stack', 'Newsbrief');
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      expect(calls).toContain('lambda:GetFunctionConfiguration digest');
      const mails = await readOutbox(standins.sesEndpoint);
      expect(mails.map((m) => [m.destination.to.join(), m.from])).toEqual([['ops@harbour.example.org', expect.stringContaining('brief@harbour.example.org')]]);
      expect(mails[0]!.subject).toMatch(/^\[Test\] /);
      expect(mails[0]!.body.html).toContain(brief(7).title);
      // The links point at the stack's API, signed with the stack's key ring.
      expect(mails[0]!.body.text).toContain(`${DIGEST_ENV.PUBLIC_URL}/unsubscribe?token=k1.`);
      expect(await tableItems(standins.dynamoEndpoint, TABLE)).toEqual(before);
    }, 60_000);

    it('says plainly when SES refuses an unverified address in the sandbox, and what to do', async () => {
      process.env.AWS_ENDPOINT_URL_SES = awsEndpoint;
      try {
        const result = await cli('send', 'test', 'someone@example.net', '--stack', 'Newsbrief');
        expect(calls).toContain('ses:SendRawEmail');
        expect(result.code).toBe(1);
        expect(result.err).toContain('SES refused the test message (MessageRejected: Email address is not verified.');
        expect(result.err).toContain('In the SES sandbox mail goes only to verified addresses.');
        expect(result.err).toContain('aws sesv2 create-email-identity --email-identity someone@example.net');
        expect(result.err).not.toMatch(/\n\s+at /);
      } finally {
        process.env.AWS_ENDPOINT_URL_SES = standins.sesEndpoint;
      }
    }, 60_000);
  });
});
