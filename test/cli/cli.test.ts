import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStackOutputs } from '../../cli/targets.ts';
import { cli, dataFolder, findSubscriber } from './harness.ts';

// The operator command (npx newsbrief). Local targets run against dynalite on a data folder, as
// `npm start` leaves it; stack discovery is tested against a DescribeStacks answer in the API's
// documented XML shape, served on 127.0.0.1 to the real CloudFormation client: that answer is the
// only test double here (no stand-in speaks CloudFormation).

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURES = new URL('./fixtures/', import.meta.url);

describe('newsbrief subscribers add --local', () => {
  const dir = dataFolder();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('puts one confirmed subscriber into the local table, through the subscriber store', async () => {
    const result = await cli('subscribers', 'add', 'Tester@Example.COM', '--confirmed', '--topics', 'asia,diplomacy', '--frequency', 'weekly', '--local', dir);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^subscriber \S+ T\*\*\*@example\.com: confirmed, weekly, topics: asia,diplomacy in local data /);
    expect(result.out).not.toContain('Tester@'); // the address is masked in output
    const subscriber = await findSubscriber(dir, 'Tester@example.com');
    expect(subscriber).toMatchObject({ email: 'Tester@example.com', status: 'confirmed', frequency: 'weekly', topics: ['asia', 'diplomacy'] });
  }, 60_000);

  it('is idempotent: the same address again is the same subscriber', async () => {
    const first = await findSubscriber(dir, 'Tester@example.com');
    const again = await cli('subscribers', 'add', 'tester@example.com', '--confirmed', '--local', dir);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`subscriber ${first!.id} `);
  }, 60_000);

  it.each([
    [['subscribers', 'add', 'a@example.com', '--local'], 'pass --confirmed'],
    [['subscribers', 'add', 'not-an-address', '--confirmed', '--local'], 'address: '],
    [['subscribers', 'add', 'a@example.com', '--confirmed', '--topics', 'World News', '--local'], '--topics: World News not a topic slug'],
    [['subscribers', 'add', 'a@example.com', '--confirmed', '--frequency', 'hourly', '--local'], '--frequency: must be one of immediate, daily, weekly'],
    [['subscribers', 'add', 'a@example.com', '--confirmed'], 'name one target: --local [dir] or --stack NAME'],
    [['subscribers', 'add', 'a@example.com', '--confirmed', '--local', '--stack', 'Newsbrief'], 'name one target'],
    [['digest', 'run', 'hourly', '--local'], 'frequency: must be daily or weekly'],
  ])('exits 2 on a usage error: %j', async (argv, message) => {
    const args = argv.at(-1) === '--local' ? [...argv, dir] : argv;
    const result = await cli(...args);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on an unknown command or option (the parser)', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('subscribers', 'add', 'a@example.com', '--confirmd')).code).toBe(2);
  });

  it('exits 1 when the local data is not there, naming the folder', async () => {
    const missing = path.join(tmpdir(), 'newsbrief-no-such-data');
    const result = await cli('subscribers', 'add', 'a@example.com', '--confirmed', '--local', missing);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${missing}: no local data here`);
  });
});

describe('newsbrief digest run --local', () => {
  const dir = dataFolder();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the digest handler over the local data and reports the run (no article yet: empty)', async () => {
    const result = await cli('digest', 'run', 'daily', '--local', dir);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^digest digest#daily#\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z: empty, 0 article\(s\), 0 recipient\(s\) enqueued/);
    expect(result.out).toContain('sent 0,');
  }, 60_000);
});

describe('--help', () => {
  it.each([[[]], [['subscribers']], [['subscribers', 'add']], [['digest']], [['digest', 'run']]])('is on every command: %j', async (argv) => {
    const result = await cli(...argv, '--help');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Usage: newsbrief');
  });
});

describe('stack discovery (DescribeStacks)', () => {
  let server: Server;
  let endpoint: string;
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        requests.push(body);
        const params = new URLSearchParams(body);
        const found = params.get('Action') === 'DescribeStacks' && params.get('StackName') === 'Newsbrief';
        res.writeHead(found ? 200 : 400, { 'content-type': 'text/xml' });
        res.end(readFileSync(new URL(found ? 'describe-stacks.xml' : 'describe-stacks-missing.xml', FIXTURES)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () =>
    new CloudFormationClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

  it('reads the table, secret, digest function, topics and frequencies from the outputs', async () => {
    const settings = await describeStackOutputs(client(), 'Newsbrief');
    expect(settings).toEqual({
      TableName: 'Newsbrief-DataTableFDBAD0F2-1X2Y3Z4W5V6U',
      SigningKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:SigningKeySecret-Ab12Cd34Ef56-xYz123',
      DigestFunctionName: 'Newsbrief-DeliveryDigest5A3C6E2B-AbCdEfGhIjKl',
      Topics: 'world,asia,us-politics,diplomacy',
      Frequencies: 'immediate,daily,weekly',
      PollFunctionName: 'Newsbrief-FeedsPoll3F9A1B2C-MnOpQrStUvWx',
      ApiUrl: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
    });
    expect(requests.at(-1)).toContain('Action=DescribeStacks');
  });

  it('says when the stack does not exist (exit 1 through the command)', async () => {
    await expect(describeStackOutputs(client(), 'NewsbriefStaging')).rejects.toThrow('stack NewsbriefStaging does not exist in this account and region');
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = endpoint;
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    try {
      const result = await cli('subscribers', 'add', 'a@example.com', '--confirmed', '--stack', 'NewsbriefStaging');
      expect(result.code).toBe(1);
      expect(result.err).toContain('stack NewsbriefStaging does not exist');
    } finally {
      for (const k of ['AWS_ENDPOINT_URL_CLOUDFORMATION', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) delete process.env[k];
    }
  });

  it('names the outputs an older stack lacks', async () => {
    const older = readFileSync(new URL('describe-stacks.xml', FIXTURES), 'utf8').replace(/<member>\s*<OutputKey>(Topics|Frequencies|PollFunctionName)<\/OutputKey>[\s\S]*?<\/member>/g, '');
    const server2 = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(older);
    });
    await new Promise<void>((resolve) => server2.listen(0, '127.0.0.1', resolve));
    try {
      const cfn = new CloudFormationClient({
        endpoint: `http://127.0.0.1:${(server2.address() as AddressInfo).port}`,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      await expect(describeStackOutputs(cfn, 'Newsbrief')).rejects.toThrow('stack Newsbrief has no output Topics, Frequencies: deploy it with this version of newsbrief first');
    } finally {
      await new Promise<void>((resolve) => server2.close(() => resolve()));
    }
  });
});

describe('the newsbrief bin', () => {
  it('runs from package.json\'s bin on this Node, with --help and exit code 0', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const result = spawnSync(process.execPath, [path.join(ROOT, pkg.bin.newsbrief!), 'digest', 'run', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: newsbrief digest run [options] <frequency>');
  }, 60_000);
});
