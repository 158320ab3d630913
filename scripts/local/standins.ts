/**
 * Embedded stand-ins that speak the real AWS protocols: dynalite for DynamoDB and aws-ses-v2-local for
 * SES. Tests, `npm run serve` and `npm start` all start them through here, on 127.0.0.1, and talk to
 * them through the real SDK clients. Nothing here is bundled into a Lambda.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import dynalite from 'dynalite';
import sesLocalModule from 'aws-ses-v2-local';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { TABLE_KEYS } from '../../lambda/shared/table.ts';

export interface StandinOptions {
  /** Persist DynamoDB data under this folder; in memory when absent. */
  readonly dataDir?: string;
  /** 0 (the default) picks a free port. */
  readonly dynamoPort?: number;
  /** 0 (the default) picks a free port; `npm run serve` uses 8005 so the SES mail UI is where the README says. */
  readonly sesPort?: number;
  readonly host?: string;
}

export interface Standins {
  readonly dynamoEndpoint: string;
  readonly sesEndpoint: string;
  stop(): Promise<void>;
}

// aws-ses-v2-local is CommonJS with `exports.default`; Node's ESM loader hands us module.exports,
// while vitest's interop hands us the function itself. Accept both.
type StartSes = (config?: { host?: string; port?: number }) => Promise<Server>;
const startSes: StartSes =
  (sesLocalModule as unknown as { default?: StartSes }).default ?? (sesLocalModule as unknown as StartSes);

/** Fake credentials: the stand-ins require a signed request but check nothing. */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** Start dynalite and the SES emulator on loopback. */
export async function startStandins(options: StandinOptions = {}): Promise<Standins> {
  const host = options.host ?? '127.0.0.1';
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const dynamo: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir ? { path: options.dataDir } : {}),
  });
  const dynamoPort = await listen(dynamo, options.dynamoPort ?? 0, host);
  const ses: Server = await startSes({ host, port: options.sesPort ?? 0 });
  const sesPort = (ses.address() as AddressInfo).port;
  return {
    dynamoEndpoint: `http://${host}:${dynamoPort}`,
    sesEndpoint: `http://${host}:${sesPort}`,
    async stop() {
      await Promise.all([close(dynamo), close(ses)]);
    },
  };
}

/**
 * The standard AWS SDK variables that point every client a handler builds at the stand-ins, so the
 * handlers run unchanged: fake credentials and per-service endpoint URLs.
 */
export function standinEnvironment(standins: Pick<Standins, 'dynamoEndpoint' | 'sesEndpoint'>): Record<string, string> {
  return {
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: standins.dynamoEndpoint,
    AWS_ENDPOINT_URL_SES: standins.sesEndpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** A DynamoDB document client for the local endpoint. */
export function localDynamo(endpoint: string): { client: DynamoDBClient; doc: DynamoDBDocumentClient } {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client, doc };
}

/**
 * An SES client for the emulator. The emulator never answers actions it does not implement, so the
 * client gives up after `requestTimeoutMs` instead of hanging.
 */
export function localSes(endpoint: string, requestTimeoutMs = 5_000): SESClient {
  return new SESClient({
    ...LOCAL_AWS,
    endpoint,
    requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
  });
}

/** Create the single table with the stack's key schema (idempotent). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey, gsi } = TABLE_KEYS;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: partitionKey, AttributeType: 'S' },
          { AttributeName: sortKey, AttributeType: 'S' },
          { AttributeName: gsi.partitionKey, AttributeType: 'S' },
          { AttributeName: gsi.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: gsi.name,
            KeySchema: [
              { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
              { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // dynalite creates instantly with createTableMs: 0, but wait for ACTIVE to be safe.
  for (let i = 0; i < 50; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

/** One message as the SES emulator stores it (headers are lost; the bodies are kept). */
export interface EmulatedMail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { to: string[]; cc: string[]; bcc: string[] };
  readonly subject: string;
  readonly body: { text?: string; html?: string };
  readonly at: number;
}

/** Every message the SES emulator has received. (Its store is per process, shared by all emulators in it.) */
export async function readOutbox(sesEndpoint: string): Promise<EmulatedMail[]> {
  const res = await fetch(`${sesEndpoint}/store`);
  if (!res.ok) throw new Error(`SES emulator /store answered ${res.status}`);
  const body = (await res.json()) as { emails: EmulatedMail[] };
  return body.emails;
}

/** Empty the SES emulator's store. */
export async function clearOutbox(sesEndpoint: string): Promise<void> {
  const res = await fetch(`${sesEndpoint}/clear-store`, { method: 'POST' });
  if (!res.ok) throw new Error(`SES emulator /clear-store answered ${res.status}`);
}
