import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { feedListSchema, type FeedConfig } from '../lambda/shared/feeds/config.ts';
import { DynamoFeedStore } from '../lambda/shared/feeds/state-dynamo.ts';
import type { FeedStore } from '../lambda/shared/feeds/state.ts';
import { FREQUENCIES, type DigestFrequency, type Frequency } from '../lambda/shared/subscriptions/model.ts';
import type { ConfirmationJob, ConfirmationQueue } from '../lambda/shared/subscriptions/requests.ts';
import { createSqsConfirmationQueue } from '../lambda/shared/subscriptions/sqs-confirmation-queue.ts';
import { confirmMailRuntime, createConfirmMailHandler } from '../lambda/confirm-mail/handler.ts';
import { lazy } from '../lambda/shared/lazy.ts';
import { silentLog } from '../lambda/shared/logger.ts';
import type { SesSend } from '../lambda/shared/ses-mailer.ts';
import { startQueueWorker } from '../scripts/local/queue-worker.ts';
import { keyringLoader, parseKeyring, type Keyring } from '../lambda/shared/signing-keys.ts';
import { createDynamoSubscriberStore } from '../lambda/shared/subscriptions/dynamo-store.ts';
import type { SubscriberStore } from '../lambda/shared/subscriptions/store.ts';
import { LOCAL_DATA_DIR } from '../scripts/local/config.ts';
import { keyringFile, LOCAL_FEEDS_LIST, LOCAL_TABLE_NAME, localDeliveryEnvironment, localFeedsUrl, localKeyring } from '../scripts/local/delivery-env.ts';
import { ensureTable, localDynamo, localSes, standinEnvironment, startStandins, type Standins } from '../scripts/local/standins.ts';
import { DynamoLedger } from '../lambda/shared/delivery/ledger-dynamo.ts';
import type { LedgerReader } from '../lambda/shared/delivery/ledger.ts';
import { DynamoRunStore } from '../lambda/shared/delivery/runs-dynamo.ts';
import type { RunStore } from '../lambda/shared/delivery/runs.ts';
import { TargetError } from './errors.ts';

/**
 * Where a command acts: the local data of `npm start` / `npm run serve` (`--local [dir]`), or a
 * deployed stack (`--stack NAME`), found through its CloudFormation outputs with the standard AWS
 * credential chain. Either way the command goes through the stores and handlers the Lambdas use.
 */
export interface Target {
  /** How messages name the target. */
  readonly description: string;
  readonly subscribers: SubscriberStore;
  keyring(): Promise<Keyring>;
  /** The confirmation queue subscribe requests go to (the double opt-in path), where the target has one. */
  pending?(): Promise<PendingPath>;
  /** Where the feed poller keeps its state. */
  readonly feedStore?: FeedStore;
  /** The feeds the target polls (none when it has no feeds configured). */
  feeds?(): Promise<FeedConfig[]>;
  /** The delivery functions' environment (sender, newsletter, topic rules): what `send test` renders and sends with. */
  deliveryEnvironment?(): Promise<Record<string, string>>;
  /** SES as the sender reaches it. */
  ses?(): SesSend;
  /** Digest and alert run records, with the jobs each enqueued. */
  readonly runs?: RunStore;
  /** The delivery ledger, read per run. */
  readonly ledger?: LedgerReader;
  /** Topics and frequencies the target offers, when it says (a stack does; local data takes any). */
  readonly offered?: { readonly topics: readonly string[]; readonly frequencies: readonly Frequency[] };
  close(): Promise<void>;
}

/** Where subscribe requests are queued for the confirmation worker, as the subscribe API queues them. */
export interface PendingPath {
  readonly queue: ConfirmationQueue;
  /** The subscribe API's base URL (the service's links). */
  readonly publicUrl: string;
  /** Resolves once the queued requests are handled (locally: the mails are out); at once on a stack. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** The local data folder `--local` picks without a value: the one `npm start` and `npm run serve` share. */
export const DEFAULT_LOCAL_DIR = LOCAL_DATA_DIR;

/** The local data of `npm start` and `npm run serve` (.data/local), over embedded dynalite. */
export interface LocalTarget extends Target {
  readonly dataDir: string;
  readonly standins: Standins;
}

/** Open the local data in `dataDir` (dynalite on its dynamo/ folder, in this process). */
export async function openLocal(dataDir: string): Promise<LocalTarget> {
  if (!existsSync(keyringFile(dataDir))) {
    throw new TargetError(`${dataDir}: no local data here (no signing-keyring.json); run npm start or npm run serve first, or pass --local DIR`);
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  let standins: Standins;
  try {
    standins = await startStandins({ dataDir: path.join(dataDir, 'dynamo') });
  } catch (cause) {
    throw new TargetError(`${dataDir}: cannot open the local DynamoDB data (is npm start or npm run serve using it? stop it first)`, { cause });
  }
  // The handlers' SDK clients find the stand-ins through the standard endpoint variables.
  Object.assign(process.env, standinEnvironment(standins));
  const { client, doc } = localDynamo(standins.dynamoEndpoint);
  await ensureTable(client, LOCAL_TABLE_NAME);
  const keyringJson = localKeyring(dataDir);
  const store = createDynamoSubscriberStore({ doc, tableName: LOCAL_TABLE_NAME });
  return {
    description: `local data ${dataDir}`,
    dataDir,
    standins,
    subscribers: store,
    runs: new DynamoRunStore(doc, LOCAL_TABLE_NAME),
    ledger: new DynamoLedger(doc, LOCAL_TABLE_NAME),
    feedStore: new DynamoFeedStore(doc, LOCAL_TABLE_NAME),
    // The confirmation worker of `npm run serve`, in this process, mailing the SES emulator.
    pending: () => {
      const env = localDeliveryEnvironment(keyringJson);
      const worker = startQueueWorker<ConfirmationJob>(createConfirmMailHandler(lazy(() => confirmMailRuntime(env, { store, log: silentLog }))));
      return Promise.resolve({ queue: worker, publicUrl: env.PUBLIC_URL!, settled: () => worker.idle(), close: () => worker.stop() });
    },
    feeds: async () => {
      // npm start's example feeds, at the URLs it serves them on (their state is kept by URL).
      if (!existsSync(LOCAL_FEEDS_LIST)) return [];
      const raw = JSON.parse(readFileSync(LOCAL_FEEDS_LIST, 'utf8')) as { url: string }[];
      return feedListSchema.parse(raw.map((f) => ({ ...f, url: new URL(f.url, localFeedsUrl()).href })));
    },
    keyring: () => Promise.resolve(parseKeyring(keyringJson)),
    deliveryEnvironment: () => Promise.resolve(localDeliveryEnvironment(keyringJson)),
    ses: () => localSes(standins.sesEndpoint),
    close: () => standins.stop(),
  };
}

/** The stack outputs the command needs, by output key. */
export const REQUIRED_OUTPUTS = ['TableName', 'SigningKeySecretArn', 'DigestFunctionName', 'Topics', 'Frequencies'] as const;
/** Outputs a stack has only with some configuration (PollFunctionName when feeds are configured) or from some version on. */
export const OPTIONAL_OUTPUTS = ['PollFunctionName', 'ConfirmationQueueUrl', 'ApiUrl', 'SendQueueUrl'] as const;
export type StackSettings = Record<(typeof REQUIRED_OUTPUTS)[number], string> & Partial<Record<(typeof OPTIONAL_OUTPUTS)[number], string>>;

/** The outputs of stack `stackName`, through CloudFormation DescribeStacks. */
export async function describeStackOutputs(cloudFormation: Pick<CloudFormationClient, 'send'>, stackName: string): Promise<StackSettings> {
  let stack;
  try {
    const out = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    stack = out.Stacks?.[0];
  } catch (cause) {
    const message = (cause as Error).message ?? '';
    if (/does not exist/i.test(message)) throw new TargetError(`stack ${stackName} does not exist in this account and region (set AWS_REGION or --region)`, { cause });
    throw new TargetError(`cannot describe stack ${stackName}: ${(cause as Error).name}`, { cause });
  }
  if (!stack) throw new TargetError(`stack ${stackName} does not exist in this account and region`);
  const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const missing = REQUIRED_OUTPUTS.filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new TargetError(`stack ${stackName} has no output ${missing.join(', ')}: deploy it with this version of newsbrief first`);
  }
  const present = [...REQUIRED_OUTPUTS, ...OPTIONAL_OUTPUTS.filter((key) => outputs[key])];
  return Object.fromEntries(present.map((key) => [key, outputs[key]!])) as StackSettings;
}

/** A deployed stack: its table through the subscriber store, its keyring from Secrets Manager. */
export interface StackTarget extends Target {
  readonly settings: StackSettings;
  readonly lambda: LambdaClient;
  /** The region named by --region; absent: the standard chain's. */
  readonly region?: string;
}

/** Open stack `stackName`, with clients for `region` (or the standard chain's region). */
export async function openStack(stackName: string, region?: string): Promise<StackTarget> {
  const config = region ? { region } : {};
  // The handlers' own clients (built from the environment, as in Lambda) take the region from here.
  if (region) process.env.AWS_REGION = region;
  const settings = await describeStackOutputs(new CloudFormationClient(config), stackName);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } });
  const lambda = new LambdaClient(config);
  const frequencies = settings.Frequencies.split(',').filter((f): f is Frequency => (FREQUENCIES as readonly string[]).includes(f));
  return {
    description: `stack ${stackName}`,
    settings,
    lambda,
    ...(region ? { region } : {}),
    subscribers: createDynamoSubscriberStore({ doc, tableName: settings.TableName }),
    runs: new DynamoRunStore(doc, settings.TableName),
    ledger: new DynamoLedger(doc, settings.TableName),
    feedStore: new DynamoFeedStore(doc, settings.TableName),
    ...(settings.ConfirmationQueueUrl && settings.ApiUrl
      ? {
          pending: () =>
            Promise.resolve({
              queue: createSqsConfirmationQueue(new SQSClient(config), settings.ConfirmationQueueUrl!),
              publicUrl: settings.ApiUrl!,
              settled: () => Promise.resolve(),
              close: () => Promise.resolve(),
            }),
        }
      : {}),
    feeds: () => (settings.PollFunctionName ? stackFeeds(lambda, settings.PollFunctionName) : Promise.resolve([])),
    keyring: keyringLoader({ SIGNING_KEY_SECRET_ARN: settings.SigningKeySecretArn }, () => new SecretsManagerClient(config)),
    deliveryEnvironment: () => functionEnvironment(lambda, settings.DigestFunctionName),
    // As the sender's client: one attempt (a test is not retried behind the operator's back), a bounded wait.
    ses: () => new SESClient({ ...config, maxAttempts: 1, requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true } }),
    offered: { topics: settings.Topics.split(',').filter(Boolean), frequencies },
    close: () => Promise.resolve(),
  };
}

/** The feeds of a stack: the poll function's FEEDS, as the function itself reads them at cold start. */
async function stackFeeds(lambda: Pick<LambdaClient, 'send'>, functionName: string): Promise<FeedConfig[]> {
  const variables = await functionEnvironment(lambda, functionName);
  const parsed = feedListSchema.safeParse(JSON.parse(variables.FEEDS ?? '[]'));
  if (!parsed.success) throw new TargetError(`the poll function ${functionName} has no readable FEEDS setting: deploy again`);
  return parsed.data;
}

/** A function's environment variables: the digest function's are the delivery settings the stack deployed. */
async function functionEnvironment(lambda: Pick<LambdaClient, 'send'>, functionName: string): Promise<Record<string, string>> {
  const out = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const variables = out.Environment?.Variables;
  if (!variables) throw new TargetError(`the function ${functionName} has no environment: deploy again`);
  return variables;
}

/** Invoke the stack's digest function asynchronously, as its schedule does (retries and the failed-invocations queue apply). */
export async function invokeDigest(target: StackTarget, frequency: DigestFrequency): Promise<string | undefined> {
  const out = await target.lambda.send(
    new InvokeCommand({
      FunctionName: target.settings.DigestFunctionName,
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify({ frequency })),
    }),
  );
  if (out.StatusCode !== 202) throw new TargetError(`the digest function did not accept the invocation (status ${out.StatusCode})`);
  return out.$metadata.requestId;
}
