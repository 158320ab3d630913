import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BOUNCE_RATE_THRESHOLD, COMPLAINT_RATE_THRESHOLD } from '../../lib/constructs/alarms.ts';
import {
  CONFIRM_BATCH_SIZE,
  CONFIRM_MAX_CONCURRENCY,
  CONFIRM_MAX_RECEIVE_COUNT,
  CONFIRM_QUEUE_VISIBILITY,
  CONFIRM_WORKER_TIMEOUT,
} from '../../lib/constructs/confirmation-mail.ts';
import { confirmMailEnvSchema } from '../../lambda/confirm-mail/handler.ts';
import { SEND_MAX_RECEIVE_COUNT, SEND_QUEUE_VISIBILITY, SENDER_TIMEOUT, senderBatchSize } from '../../lib/constructs/delivery.ts';
import { deliveryEnvSchema } from '../../lambda/shared/config.ts';
import { mailEventsEnvSchema } from '../../lambda/mail-events/handler.ts';
import { senderEnvSchema } from '../../lambda/sender/handler.ts';
import { subscribeEnvSchema } from '../../lambda/subscribe/config.ts';
import { resolve, servicePublishAllowed, type Template } from './policies.ts';
import { archiveEnvSchema } from '../../lambda/archive/config.ts';
import { pollEnvSchema } from '../../lambda/poll/handler.ts';
import { articlesEnvSchema } from '../../lambda/articles/handler.ts';
import { FEED_FAILURE_ALARM_SECONDS, POLL_TIMEOUT } from '../../lib/constructs/feeds.ts';
import { LEASE_MS } from '../../lambda/shared/feeds/poll.ts';
import { synthesise, type Synthesised } from './synth.ts';
import { EXAMPLE_REFUSAL } from '../../lib/newsbrief-stack.ts';
import { REQUIRED_OUTPUTS } from '../../cli/targets.ts';
import { DELIVERY_METRICS } from '../../lambda/shared/delivery/metrics.ts';

// One synthesis of the example configuration (with cdk-nag) shared by every test in this file.
let s: Synthesised;
beforeAll(() => {
  s = synthesise({}, { nag: true });
}, 240_000);

type Json = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

const resources = (type: string): Record<string, Json> => s.template.findResources(type) as Record<string, Json>;
const props = (r: Json): Json => r.Properties as Json;
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Logical id of the function whose description starts with `newsbrief: <prefix>`. */
function functionId(prefix: string): string {
  const [id] = Object.entries(resources('AWS::Lambda::Function')).find(([, r]) =>
    String(props(r).Description ?? '').startsWith(`newsbrief: ${prefix}`),
  ) ?? [undefined];
  if (id === undefined) throw new Error(`no function described as "${prefix}"`);
  return id;
}
const FUNCTIONS = {
  ingest: () => functionId('parse and analyse'),
  digest: () => functionId('render the scheduled digest'),
  sender: () => functionId('send each recipient'),
  subscribe: () => functionId('subscribe API'),
  mailEvents: () => functionId('suppress subscribers'),
  archive: () => functionId('serve the archive'),
  poll: () => functionId('poll the configured feeds'),
  articles: () => functionId('CMS webhook'),
  confirmMail: () => functionId('confirmation mail'),
};

/** Every statement of the inline policies attached to the role of function `fnId`. */
function statementsOf(fnId: string): Statement[] {
  const role = (props(resources('AWS::Lambda::Function')[fnId]!).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(resources('AWS::IAM::Policy'))
    .filter((p) => (props(p).Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap((p) => (props(p).PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (fnId: string): string[] => statementsOf(fnId).flatMap((st) => asArray(st.Action)).sort();
const envOf = (fnId: string): Json => ((props(resources('AWS::Lambda::Function')[fnId]!).Environment as Json).Variables as Json);

describe('the example configuration', () => {
  it('synthesises, but carries a rule that makes CloudFormation refuse to deploy it', () => {
    const template = s.template.toJSON() as { Rules?: Record<string, Json>; Parameters?: Record<string, Json> };
    expect(template.Parameters?.ExampleConfiguration).toMatchObject({ Type: 'String', Default: 'true' });
    // CloudFormation evaluates the assertion against the parameter before touching any resource: false → refused.
    expect(template.Rules?.RefuseExampleConfiguration).toEqual({
      Assertions: [
        {
          Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ExampleConfiguration' }, 'true'] }] },
          AssertDescription: EXAMPLE_REFUSAL,
        },
      ],
    });
    expect(EXAMPLE_REFUSAL).toContain('-c configFile=');
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    expect(s.nagViolations).toEqual([]);
  });
});

describe('IAM', () => {
  const allStatements = (): Statement[] =>
    [...Object.values(resources('AWS::IAM::Policy')), ...Object.values(resources('AWS::IAM::Role'))].flatMap((r) => {
      const p = props(r);
      const docs = [p.PolicyDocument, ...((p.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((x) => x.PolicyDocument)];
      return docs.filter(Boolean).flatMap((d) => (d as { Statement: Statement[] }).Statement);
    });

  it('grants no "*" or "service:*" action anywhere', () => {
    const actions = allStatements().flatMap((st) => asArray(st.Action));
    expect(actions.length).toBeGreaterThan(20);
    expect(actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a))).toEqual([]);
  });

  it('allows no "*" or "service:*" action in resource policies either, but the KMS key\'s delegation to IAM', () => {
    const docs: { type: string; doc: unknown }[] = [
      ...Object.values(resources('AWS::KMS::Key')).map((r) => ({ type: 'key', doc: props(r).KeyPolicy })),
      ...Object.values(resources('AWS::S3::BucketPolicy')).map((r) => ({ type: 'bucket', doc: props(r).PolicyDocument })),
      ...Object.values(resources('AWS::SQS::QueuePolicy')).map((r) => ({ type: 'queue', doc: props(r).PolicyDocument })),
      ...Object.values(resources('AWS::SNS::TopicPolicy')).map((r) => ({ type: 'topic', doc: props(r).PolicyDocument })),
    ];
    expect(docs.map((d) => d.type)).toContain('key');
    const wide = docs.flatMap(({ type, doc }) =>
      (doc as { Statement: Statement[] }).Statement.filter(
        (st) => st.Effect === 'Allow' && asArray(st.Action).some((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a)),
      ).map((st) => ({ type, st })),
    );
    // KMS's default key policy: the account root may use the key, so IAM policies (above) decide who
    // may. Without it the key could become unmanageable; no other principal gets a wildcard.
    expect(wide).toHaveLength(1);
    expect(wide[0]!.type).toBe('key');
    expect(asArray(wide[0]!.st.Action)).toEqual(['kms:*']);
    expect(JSON.stringify((wide[0]!.st as { Principal?: unknown }).Principal)).toMatch(/:root/);
  });

  it('uses Resource "*" only for the X-Ray actions that have no resource-level permissions', () => {
    const starred = allStatements().filter((st) => asArray(st.Resource).includes('*'));
    expect(starred.length).toBeGreaterThan(0);
    for (const st of starred) expect(asArray(st.Action).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('allows ses:SendRawEmail only to sender and the confirmation worker, only on the identity and configuration-set ARNs', () => {
    const identity = Object.keys(resources('AWS::SES::EmailIdentity'))[0]!;
    const configSet = Object.keys(resources('AWS::SES::ConfigurationSet'))[0]!;
    for (const [name, id] of Object.entries(FUNCTIONS)) {
      const ses = statementsOf(id()).filter((st) => asArray(st.Action).some((a) => a.startsWith('ses:')));
      if (name === 'sender' || name === 'confirmMail') {
        expect(ses).toHaveLength(1);
        expect(ses[0]!.Action).toBe('ses:SendRawEmail');
        const arns = asArray(ses[0]!.Resource).map((r) => JSON.stringify(r));
        expect(arns).toHaveLength(2);
        expect(arns.some((a) => a.includes(':identity/') && a.includes(`"Ref":"${identity}"`))).toBe(true);
        expect(arns.some((a) => a.includes(':configuration-set/') && a.includes(`"Ref":"${configSet}"`))).toBe(true);
      } else {
        expect(ses, name).toEqual([]);
      }
    }
  });

  it('gives each function only the table, bucket and queue actions it needs', () => {
    const xray = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    const secret = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
    const enqueue = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
    const failed = ['sqs:SendMessage']; // the failed-invocations queue (Lambda asynchronous DLQ)
    const sort = (a: string[]) => [...a].sort();
    expect(actionsOf(FUNCTIONS.sender())).toEqual(
      sort([...logs, ...xray, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', ...secret,
        's3:GetObject', 's3:ListBucket', 'ses:SendRawEmail',
        'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']),
    );
    // ...plus s3:PutObject below archive/ for the web versions they render (test/infra/archive.test.ts).
    expect(actionsOf(FUNCTIONS.digest())).toEqual(
      sort([...logs, ...xray, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query',
        's3:GetObject', 's3:PutObject', 's3:ListBucket', ...enqueue, ...failed, 's3:PutObject']),
    );
    expect(actionsOf(FUNCTIONS.ingest())).toEqual(
      sort([...logs, ...xray, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query',
        's3:GetObject', 's3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:ListBucket', ...enqueue, ...failed, 's3:PutObject']),
    );
    // The public API sends no mail: it stores subscribe requests and queues their ids.
    expect(actionsOf(FUNCTIONS.subscribe())).toEqual(sort([...logs, ...xray, 'dynamodb:GetItem', 'dynamodb:PutItem', ...secret, 'sqs:SendMessage']));
    expect(actionsOf(FUNCTIONS.confirmMail())).toEqual(
      sort([...logs, ...xray, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', ...secret, 'ses:SendRawEmail',
        'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']),
    );
    expect(actionsOf(FUNCTIONS.mailEvents())).toEqual(sort([...logs, ...xray, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', ...failed]));
    // The poller runs the ingest path (articles, alert runs, subscribers, issues/, the send queue) and keeps feed state; it reads no uploads.
    expect(actionsOf(FUNCTIONS.poll())).toEqual(
      sort([...logs, ...xray, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query',
        's3:GetObject', 's3:PutObject', 's3:ListBucket', ...enqueue]),
    );
    // The webhook only stores articles for ingest and reads its secret: no table, no queue, no mail.
    expect(actionsOf(FUNCTIONS.articles())).toEqual(sort([...logs, ...xray, 's3:GetObject', 's3:PutObject', 's3:ListBucket', ...secret]));
  });

  it('lets the webhook touch only articles/cms/, and the poller only issues/', () => {
    const objects = (fnId: string) =>
      statementsOf(fnId)
        .filter((st) => asArray(st.Action).some((a) => a === 's3:GetObject' || a === 's3:PutObject'))
        .flatMap((st) => asArray(st.Resource).map((r) => JSON.stringify(r)));
    expect(objects(FUNCTIONS.articles())).toHaveLength(1);
    expect(objects(FUNCTIONS.articles())[0]).toContain('/articles/cms/*');
    expect(objects(FUNCTIONS.poll())).toHaveLength(1);
    expect(objects(FUNCTIONS.poll())[0]).toContain('/issues/*');
    const lists = (fnId: string) => statementsOf(fnId).filter((st) => asArray(st.Action).includes('s3:ListBucket')).map((st) => st.Condition);
    expect(lists(FUNCTIONS.articles())).toEqual([{ StringLike: { 's3:prefix': ['articles/cms/*'] } }]);
    const secrets = statementsOf(FUNCTIONS.articles()).filter((st) => asArray(st.Action).includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(secrets.map((st) => st.Resource))).toMatch(/WebhookSecret/);
  });

  it('limits object access to the prefixes: ingest reads articles/, nobody else touches them', () => {
    const objectResources = (fnId: string, action: string): string[] =>
      statementsOf(fnId)
        .filter((st) => asArray(st.Action).includes(action))
        .flatMap((st) => asArray(st.Resource).map((r) => JSON.stringify(r)));
    expect(objectResources(FUNCTIONS.ingest(), 's3:GetObject').some((r) => r.includes('/articles/*'))).toBe(true);
    for (const fn of [FUNCTIONS.digest(), FUNCTIONS.sender()]) {
      const reads = objectResources(fn, 's3:GetObject');
      expect(reads.length).toBeGreaterThan(0);
      for (const r of reads) expect(r).toContain('/issues/*');
    }
    expect(objectResources(FUNCTIONS.sender(), 's3:PutObject')).toEqual([]);
    const lists = statementsOf(FUNCTIONS.sender()).filter((st) => asArray(st.Action).includes('s3:ListBucket'));
    expect(lists.map((st) => st.Condition)).toEqual([{ StringLike: { 's3:prefix': ['issues/*'] } }]);
  });

  it('lets Query reach only the byFrequency index, by name', () => {
    for (const fn of [FUNCTIONS.ingest(), FUNCTIONS.digest(), FUNCTIONS.poll()]) {
      const query = statementsOf(fn).filter((st) => asArray(st.Action).includes('dynamodb:Query'));
      expect(query).toHaveLength(1);
      expect(asArray(query[0]!.Resource)).toHaveLength(1);
      expect(JSON.stringify(query[0]!.Resource)).toMatch(/"\/index\/byFrequency"\]\]\}$/);
    }
  });
});

describe('functions', () => {
  it('all run Node.js 24 on ARM64 with tracing, source maps and a log group with retention', () => {
    const fns = Object.entries(resources('AWS::Lambda::Function')).filter(([, r]) =>
      String(props(r).Description ?? '').startsWith('newsbrief:'),
    );
    expect(fns).toHaveLength(9);
    for (const [id, r] of fns) {
      const p = props(r);
      expect(p.Runtime, id).toBe('nodejs24.x');
      expect(p.Architectures, id).toEqual(['arm64']);
      expect(p.TracingConfig, id).toEqual({ Mode: 'Active' });
      const env = envOf(id);
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(env.POWERTOOLS_SERVICE_NAME).toBe('newsbrief');
      expect(env.POWERTOOLS_LOG_LEVEL).toBe('INFO');
      const logGroup = (p.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(props(resources('AWS::Logs::LogGroup')[logGroup]!).RetentionInDays).toBe(30);
    }
  });

  it('gives the delivery functions the values from the configuration', () => {
    for (const id of [FUNCTIONS.ingest(), FUNCTIONS.digest()]) {
      const env = envOf(id);
      expect(env).toMatchObject({
        NEWSLETTER_NAME: 'The Newsroom Brief',
        SENDER_ADDRESS: 'briefs@newsroom.example.com',
        SENDER_NAME: 'The Newsroom Brief',
        POSTAL_ADDRESS: s.config.postalAddress,
        TOPICS: 'world,asia,us-politics,diplomacy',
        MAX_SEND_RATE: '14',
        SENDER_CONCURRENCY: '2',
        DIGEST_MAX_FULL_ARTICLES: '8',
      });
      expect(JSON.parse(env.TOPIC_RULES as string)).toEqual(s.config.topicRules);
      // No siteUrl in the example: links point at the HTTP API itself.
      const api = Object.keys(resources('AWS::ApiGatewayV2::Api'))[0]!;
      expect(env.PUBLIC_URL).toEqual({ 'Fn::GetAtt': [api, 'ApiEndpoint'] });
    }
    expect(envOf(FUNCTIONS.sender())).toMatchObject({ MAX_SEND_RATE: '14', SENDER_CONCURRENCY: '2' });
    expect(envOf(FUNCTIONS.subscribe())).toMatchObject({
      FREQUENCIES: 'immediate,daily,weekly',
      DEFAULT_FREQUENCY: 'daily',
      TOPICS: 'world,asia,us-politics,diplomacy',
    });
  });

  it.each([
    ['ingest', deliveryEnvSchema],
    ['digest', deliveryEnvSchema],
    ['sender', senderEnvSchema],
    ['subscribe', subscribeEnvSchema],
    ['mailEvents', mailEventsEnvSchema],
    ['archive', archiveEnvSchema],
    ['poll', pollEnvSchema],
    ['articles', articlesEnvSchema],
    ['confirmMail', confirmMailEnvSchema],
  ] as const)('gives %s exactly the variables its cold-start schema reads', (name, schema) => {
    const env = envOf(FUNCTIONS[name]());
    const house = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL'];
    const own = Object.keys(env).filter((k) => !house.includes(k));
    // Nothing the handler does not read...
    expect(own.filter((k) => !(k in schema.shape))).toEqual([]);
    // ...and everything it needs: deploy-time tokens stand in as plausible values.
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : k === 'PUBLIC_URL' ? 'https://abc.execute-api.eu-west-1.amazonaws.com' : `${k}-at-deploy`]),
    );
    const parsed = schema.safeParse(resolved);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('parks failed asynchronous events (S3, schedule, SNS) in the failed-invocations queue', () => {
    for (const id of [FUNCTIONS.ingest(), FUNCTIONS.digest(), FUNCTIONS.mailEvents()]) {
      expect(props(resources('AWS::Lambda::Function')[id]!).DeadLetterConfig).toEqual({
        TargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^DeliveryFailedInvocations/), 'Arn'] },
      });
    }
  });
});

describe('send queue and sender', () => {
  it('consumes the queue with bounded concurrency, a rate-derived batch size and partial batch failures', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: FUNCTIONS.sender() },
      BatchSize: senderBatchSize(14, 2),
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(senderBatchSize(14, 2)).toBe(10);
    // 1 message/s shared by 2 instances: 50 recipients take 100 s, so one job per batch.
    expect(senderBatchSize(1, 2)).toBe(1);
    expect(props(resources('AWS::Lambda::Function')[FUNCTIONS.sender()]!).Timeout).toBe(SENDER_TIMEOUT.toSeconds());
  });

  it('encrypts the queue, redrives to an encrypted DLQ and outlasts the sender timeout', () => {
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: SEND_QUEUE_VISIBILITY.toSeconds(),
      RedrivePolicy: { maxReceiveCount: SEND_MAX_RECEIVE_COUNT, deadLetterTargetArn: Match.anyValue() },
    });
    expect(SEND_QUEUE_VISIBILITY.toSeconds()).toBeGreaterThanOrEqual(6 * SENDER_TIMEOUT.toSeconds());
    const queues = Object.values(resources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(5);
    for (const q of queues) expect(props(q).SqsManagedSseEnabled).toBe(true);
    // enforceSSL: every queue policy denies insecure transport.
    const policies = Object.values(resources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(5);
    for (const p of policies) {
      expect(JSON.stringify(props(p).PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });
});

describe('confirmation queue and worker', () => {
  const queueId = (prefix: string) => Object.keys(resources('AWS::SQS::Queue')).find((id) => id.startsWith(prefix))!;

  it('drains the confirmation queue in small batches, two instances at most, reporting partial batch failures', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: FUNCTIONS.confirmMail() },
      EventSourceArn: { 'Fn::GetAtt': [queueId('ConfirmationsQueue'), 'Arn'] },
      BatchSize: CONFIRM_BATCH_SIZE,
      ScalingConfig: { MaximumConcurrency: CONFIRM_MAX_CONCURRENCY },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect([CONFIRM_BATCH_SIZE, CONFIRM_MAX_CONCURRENCY]).toEqual([10, 2]);
    expect(props(resources('AWS::Lambda::Function')[FUNCTIONS.confirmMail()]!).Timeout).toBe(CONFIRM_WORKER_TIMEOUT.toSeconds());
  });

  it('is encrypted, outlasts the worker timeout and redrives to its own dead-letter queue, which alarms', () => {
    const queue = props(resources('AWS::SQS::Queue')[queueId('ConfirmationsQueue')]!);
    const dlq = queueId('ConfirmationsDeadLetterQueue');
    expect(queue).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: CONFIRM_QUEUE_VISIBILITY.toSeconds(),
      RedrivePolicy: { maxReceiveCount: CONFIRM_MAX_RECEIVE_COUNT, deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
    });
    expect(CONFIRM_QUEUE_VISIBILITY.toSeconds()).toBeGreaterThanOrEqual(6 * CONFIRM_WORKER_TIMEOUT.toSeconds());
    expect(props(resources('AWS::SQS::Queue')[dlq]!)).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    const alarm = Object.values(resources('AWS::CloudWatch::Alarm')).map(props).find((a) =>
      a.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Dimensions).includes(dlq),
    );
    expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('lets the subscribe function send to the confirmation queue only, and the worker consume it only', () => {
    const arnOf = (id: string) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });
    const send = statementsOf(FUNCTIONS.subscribe()).filter((st) => asArray(st.Action).some((a) => a.startsWith('sqs:')));
    expect(send).toHaveLength(1);
    expect(send[0]!.Action).toBe('sqs:SendMessage');
    expect(asArray(send[0]!.Resource).map((r) => JSON.stringify(r))).toEqual([arnOf(queueId('ConfirmationsQueue'))]);
    const consume = statementsOf(FUNCTIONS.confirmMail()).filter((st) => asArray(st.Action).some((a) => a.startsWith('sqs:')));
    expect(consume.flatMap((st) => asArray(st.Resource)).map((r) => JSON.stringify(r))).toEqual([arnOf(queueId('ConfirmationsQueue'))]);
    // The worker's table access is the table itself, no index.
    const table = Object.keys(resources('AWS::DynamoDB::GlobalTable'))[0]!;
    const dynamo = statementsOf(FUNCTIONS.confirmMail()).filter((st) => asArray(st.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap((st) => asArray(st.Resource)).map((r) => JSON.stringify(r))).toEqual([arnOf(table)]);
  });

  it('names the queue in the subscribe function\'s environment, and gives it no sender or SES settings', () => {
    const env = envOf(FUNCTIONS.subscribe());
    expect(env.CONFIRM_QUEUE_URL).toEqual({ Ref: queueId('ConfirmationsQueue') });
    for (const key of ['SENDER_ADDRESS', 'CONFIGURATION_SET', 'POSTAL_ADDRESS']) expect(env[key], key).toBeUndefined();
    expect(envOf(FUNCTIONS.confirmMail())).toMatchObject({ SENDER_ADDRESS: 'briefs@newsroom.example.com', CONFIGURATION_SET: { Ref: expect.any(String) as string } });
  });
});

describe('schedules', () => {
  it('invokes the digest per configured frequency with its cron, IANA time zone and scheduled time', () => {
    const schedules = Object.values(resources('AWS::Scheduler::Schedule'))
      .map(props)
      .filter((p) => JSON.stringify((p.Target as { Arn: unknown }).Arn).includes(FUNCTIONS.digest()));
    expect(schedules).toHaveLength(2);
    const byInput = Object.fromEntries(
      schedules.map((p) => [JSON.parse((p.Target as { Input: string }).Input).frequency as string, p]),
    );
    expect(byInput.daily).toMatchObject({ ScheduleExpression: 'cron(0 7 * * ? *)', ScheduleExpressionTimezone: 'Asia/Kolkata' });
    expect(byInput.weekly).toMatchObject({ ScheduleExpression: 'cron(0 8 ? * SUN *)', ScheduleExpressionTimezone: 'Asia/Kolkata' });
    for (const p of schedules) {
      const target = p.Target as { Arn: unknown; Input: string; DeadLetterConfig?: { Arn: unknown } };
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [FUNCTIONS.digest(), 'Arn'] });
      // An invocation Scheduler gave up on lands where the alarmed failed-invocations queue is.
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^DeliveryFailedInvocations/), 'Arn'] } });
      expect(JSON.parse(target.Input).scheduledTime).toBe('<aws.scheduler.scheduled-time>');
    }
  });
});

describe('feeds', () => {
  it('polls every 10 minutes, or as often as the most frequent feed asks', () => {
    const poll = Object.values(resources('AWS::Scheduler::Schedule'))
      .map(props)
      .filter((p) => JSON.stringify((p.Target as { Arn: unknown }).Arn).includes(FUNCTIONS.poll()));
    expect(poll).toHaveLength(1);
    // The example's feeds ask for 10 minutes (default) and 30m: the schedule keeps the default.
    expect(poll[0]).toMatchObject({ ScheduleExpression: 'rate(10 minutes)', FlexibleTimeWindow: { Mode: 'OFF' } });
    const target = poll[0]!.Target as { Arn: unknown; Input: string; RetryPolicy: Json };
    expect(JSON.parse(target.Input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
    expect(target.RetryPolicy).toMatchObject({ MaximumEventAgeInSeconds: 540 });
    const fn = props(resources('AWS::Lambda::Function')[FUNCTIONS.poll()]!);
    // Shorter than the shortest period a feed may ask for (5 minutes): two polls never overlap.
    expect(fn.Timeout).toBe(POLL_TIMEOUT.toSeconds());
    expect(POLL_TIMEOUT.toMinutes()).toBeLessThan(5);
    // A crashed poller's lease on a feed outlasts no poll.
    expect(POLL_TIMEOUT.toMilliseconds()).toBeLessThan(LEASE_MS);
    expect(JSON.parse(envOf(FUNCTIONS.poll()).FEEDS as string)).toEqual(s.config.feeds);
  });

  it('alarms when a feed has failed for 24 hours', () => {
    const alarm = Object.values(resources('AWS::CloudWatch::Alarm')).map(props).find((a) => a.MetricName === 'FeedFailingSeconds');
    expect(FEED_FAILURE_ALARM_SECONDS).toBe(86_400);
    expect(alarm).toMatchObject({
      Namespace: 'Newsbrief',
      Dimensions: [{ Name: 'service', Value: 'newsbrief' }],
      Statistic: 'Maximum',
      Threshold: 86_400,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm!.Period).toBeLessThanOrEqual(1800);
  });
});

describe('CMS webhook', () => {
  it('routes POST /articles to its own function, and generates its secret at deploy', () => {
    const routes = Object.values(resources('AWS::ApiGatewayV2::Route')).map(props);
    const integration = (r: Json) => JSON.stringify(r.Target);
    const articles = routes.filter((r) => r.RouteKey === 'POST /articles');
    expect(articles).toHaveLength(1);
    const [id] = Object.entries(resources('AWS::ApiGatewayV2::Integration')).find(([, r]) => JSON.stringify(props(r).IntegrationUri).includes(FUNCTIONS.articles()))!;
    expect(integration(articles[0]!)).toContain(id);
    expect(envOf(FUNCTIONS.articles()).WEBHOOK_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^WebhookSecret/) });
    s.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('webhook'),
      GenerateSecretString: { SecretStringTemplate: '{"current":"k1"}', GenerateStringKey: 'k1', ExcludePunctuation: true, PasswordLength: 64 },
    });
    const outputs = s.template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['WebhookSecretArn', 'PollFunctionName']));
  });
});

describe('dashboard', () => {
  interface Widget {
    properties: { title?: string; metrics?: unknown[][]; annotations?: { horizontal?: { value: number; label: string }[] } };
  }
  /** The dashboard's widgets, with each deploy-time value ({Ref}, {Fn::GetAtt}) written as "<Ref X>" / "<X.Attr>". */
  function widgets(): Widget[] {
    const [dashboard] = Object.values(resources('AWS::CloudWatch::Dashboard')).map(props);
    const body = dashboard!.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
    const text =
      typeof body === 'string'
        ? body
        : body['Fn::Join'][1]
            .map((part) => {
              if (typeof part === 'string') return part;
              const p = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
              return p.Ref !== undefined ? `<Ref ${p.Ref}>` : `<${p['Fn::GetAtt']!.join('.')}>`;
            })
            .join('');
    return (JSON.parse(text) as { widgets: Widget[] }).widgets;
  }
  const widget = (title: string): Widget => {
    const found = widgets().find((w) => w.properties.title === title);
    if (!found) throw new Error(`no widget "${title}"`);
    return found;
  };
  /** The [namespace, name, ...dimensions] part of each metric line (the options object dropped). */
  const named = (w: Widget): string[][] =>
    (w.properties.metrics ?? []).map((line) => line.filter((x): x is string => typeof x === 'string')).filter((line) => line.length > 0);

  it('shows sends per hour by each outcome the sender reports, from its EMF metrics', () => {
    const w = widget('Sends per hour, by outcome');
    expect(named(w).map(([ns, name, ...dims]) => [ns, name, dims.join('=')])).toEqual(
      Object.values(DELIVERY_METRICS.outcomes).map((name) => ['Newsbrief', name, 'service=newsbrief']),
    );
    for (const line of w.properties.metrics!) expect(line.at(-1)).toMatchObject({ stat: 'Sum', period: 3600 });
  });

  it.each([
    ['Bounce rate', 'Reputation.BounceRate', 'MailHardBounces', [5, 10]],
    ['Complaint rate', 'Reputation.ComplaintRate', 'MailComplaints', [0.1, 0.5]],
  ])('draws the %s, SES\'s and this stack\'s in percent, against SES\'s review and pause thresholds', (title, reputation, ours, limits) => {
    const w = widget(title);
    expect(named(w)).toEqual(expect.arrayContaining([['AWS/SES', reputation], ['Newsbrief', ours, 'service', 'newsbrief'], ['Newsbrief', 'SendSent', 'service', 'newsbrief']]));
    expect(JSON.stringify(w.properties.metrics)).toContain('"expression":"100 * r"');
    expect(w.properties.annotations?.horizontal?.map((a) => a.value)).toEqual(limits);
  });

  it('shows the work queues\' depth and age, every dead-letter queue, and every function\'s errors', () => {
    const queue = (pattern: RegExp) => Object.keys(resources('AWS::SQS::Queue')).find((id) => pattern.test(id))!;
    const work = [queue(/^DeliverySendQueue(?!.*Dead)/), queue(/^ConfirmationsQueue/)].map((id) => `<${id}.QueueName>`).sort();
    const queuesOf = (title: string, metric: string) =>
      named(widget(title)).map(([ns, name, , value]) => { expect([ns, name]).toEqual(['AWS/SQS', metric]); return value; }).sort();
    expect(queuesOf('Queue depth', 'ApproximateNumberOfMessagesVisible')).toEqual(work);
    expect(queuesOf('Oldest message age', 'ApproximateAgeOfOldestMessage')).toEqual(work);
    // The same dead-letter queues the alarms watch.
    const dlqAlarms = Object.values(resources('AWS::CloudWatch::Alarm')).map(props).filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    const dlqs = dlqAlarms.map((a) => `<${((a.Dimensions as { Value: { 'Fn::GetAtt': string[] } }[])[0]!.Value['Fn::GetAtt']).join('.')}>`).sort();
    expect(dlqs).toHaveLength(3);
    expect(queuesOf('Dead-letter queues', 'ApproximateNumberOfMessagesVisible')).toEqual(dlqs);
    const errors = named(widget('Function errors'));
    for (const [ns, name] of errors) expect([ns, name]).toEqual(['AWS/Lambda', 'Errors']);
    expect(errors.map(([, , , fn]) => fn).sort()).toEqual(Object.values(FUNCTIONS).map((f) => `<Ref ${f()}>`).sort());
  });

  it('is named after the stack and linked from an output', () => {
    const [id, dashboard] = Object.entries(resources('AWS::CloudWatch::Dashboard'))[0]!;
    expect(props(dashboard).DashboardName).toBe(s.stack.stackName);
    expect((s.template.toJSON().Outputs as Record<string, { Value: unknown }>).DashboardUrl?.Value).toEqual({
      'Fn::Join': ['', ['https://console.aws.amazon.com/cloudwatch/home?region=', { Ref: 'AWS::Region' }, '#dashboards:name=', { Ref: id }]],
    });
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(resources('AWS::CloudWatch::Alarm')).map(props);

  it('alarm on SES bounce rate >= 4% and complaint rate >= 0.08%', () => {
    expect(BOUNCE_RATE_THRESHOLD).toBe(0.04);
    expect(COMPLAINT_RATE_THRESHOLD).toBe(0.0008);
    expect(alarms()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate', Threshold: 0.04, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
        expect.objectContaining({ Namespace: 'AWS/SES', MetricName: 'Reputation.ComplaintRate', Threshold: 0.0008, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
      ]),
    );
  });

  it('alarm on any message in a dead-letter queue and on any function error', () => {
    const dlq = alarms().filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(dlq).toHaveLength(3);
    for (const a of dlq) expect(a).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    const errors = alarms().filter((a) => a.MetricName === 'Errors');
    expect(errors.map((a) => (a.Dimensions as { Value: { Ref: string } }[])[0]!.Value.Ref).sort()).toEqual(
      Object.values(FUNCTIONS).map((f) => f()).sort(),
    );
    for (const a of errors) expect(a).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('notify the alarm topic, which has no subscription without alarmEmail', () => {
    const topic = Object.keys(resources('AWS::SNS::Topic')).find((id) => id.startsWith('AlarmsTopic'))!;
    for (const a of alarms()) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    s.template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
  });

  it('reach someone: CloudWatch may publish every alarm and recovery to the topic it names (policy and key)', () => {
    const template = s.template.toJSON() as Template;
    const entries = Object.entries(resources('AWS::CloudWatch::Alarm'));
    expect(entries.length).toBeGreaterThanOrEqual(9);
    for (const [alarmId, alarm] of entries) {
      const actions = [...((props(alarm).AlarmActions as unknown[]) ?? []), ...((props(alarm).OKActions as unknown[]) ?? [])];
      expect(actions, alarmId).toHaveLength(2);
      for (const action of actions) {
        const topicId = (action as { Ref?: string }).Ref;
        expect(template.Resources[topicId ?? '']?.Type, `${alarmId} acts on an SNS topic of this stack`).toBe('AWS::SNS::Topic');
        // What CloudWatch sends with its Publish: the alarm's ARN and this account.
        const allowed = servicePublishAllowed(template, topicId!, 'cloudwatch.amazonaws.com', {
          'aws:sourcearn': { 'Fn::GetAtt': [alarmId, 'Arn'] },
          'aws:sourceaccount': { Ref: 'AWS::AccountId' },
        });
        expect(allowed, alarmId).toEqual({ topic: true, key: expect.anything() });
        expect(allowed.key, alarmId).not.toBe(false);
      }
    }
    // ...and nobody else's alarm: another account, or an alarm the policy does not name.
    const topic = Object.keys(resources('AWS::SNS::Topic')).find((id) => id.startsWith('AlarmsTopic'))!;
    const [firstAlarm] = entries[0]!;
    expect(servicePublishAllowed(template, topic, 'cloudwatch.amazonaws.com', {
      'aws:sourcearn': { 'Fn::GetAtt': [firstAlarm, 'Arn'] },
      'aws:sourceaccount': '999999999999',
    }).topic).toBe(false);
    expect(servicePublishAllowed(template, topic, 'cloudwatch.amazonaws.com', {
      'aws:sourcearn': 'arn:aws:cloudwatch:eu-west-1:999999999999:alarm:other',
      'aws:sourceaccount': { Ref: 'AWS::AccountId' },
    }).topic).toBe(false);
  });
});

describe('data', () => {
  it('keeps the table on delete, on demand, with point-in-time recovery, TTL and the byFrequency index', () => {
    s.template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byFrequency', Projection: { ProjectionType: 'ALL' } })],
        // Deletion protection would make a failed first deploy's rollback fail on the table.
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: false })],
      }),
    });
  });

  it('keeps table, buckets, secret and every log group on delete and replacement, but not after a failed create', () => {
    const kept = ['AWS::DynamoDB::GlobalTable', 'AWS::S3::Bucket', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup'];
    for (const type of kept) {
      for (const [id, r] of Object.entries(resources(type))) {
        // RETAIN_ON_UPDATE_OR_DELETE: a rolled-back first deploy deletes them instead of orphaning them.
        expect(r.DeletionPolicy, id).toBe('RetainExceptOnCreate');
        expect(r.UpdateReplacePolicy, id).toBe('Retain');
      }
    }
    // Nothing else in the stack is retained in any way.
    const retained = Object.entries(s.template.toJSON().Resources as Record<string, Json>)
      .filter(([, r]) => /^Retain/.test(String(r.DeletionPolicy ?? '')))
      .map(([, r]) => r.Type as string);
    expect([...new Set(retained)].sort()).toEqual([...kept].sort());
  });

  it('gives every function a log group of the stack, CDK\'s bucket-notifications handler included', () => {
    for (const [id, r] of Object.entries(resources('AWS::Lambda::Function'))) {
      const logGroup = (props(r).LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
      expect(logGroup, `${id} logs to a log group of this stack`).toBeDefined();
      expect(resources('AWS::Logs::LogGroup')[logGroup!], id).toBeDefined();
      expect(props(resources('AWS::Logs::LogGroup')[logGroup!]!).RetentionInDays, id).toBe(30);
    }
  });

  it('blocks public access, encrypts, enforces TLS and versions the articles bucket', () => {
    const buckets = Object.entries(resources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(2);
    for (const [id, b] of buckets) {
      expect(props(b).PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
      expect(JSON.stringify(props(b).BucketEncryption), id).toContain('AES256');
    }
    const data = buckets.find(([id]) => id.startsWith('DataBucket'))![1];
    expect(props(data).VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(props(data).LoggingConfiguration).toBeDefined();
    for (const p of Object.values(resources('AWS::S3::BucketPolicy'))) {
      expect(JSON.stringify(props(p).PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('triggers ingest for objects created under articles/ only', () => {
    s.template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'articles/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [FUNCTIONS.ingest(), 'Arn'] },
          },
        ],
      },
    });
  });

  it('generates the signing key ring at deploy', () => {
    s.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { SecretStringTemplate: '{"current":"k1"}', GenerateStringKey: 'k1', ExcludePunctuation: true, PasswordLength: 64 },
    });
  });
});

describe('mail', () => {
  it('verifies the sender address and sends through a configuration set with reputation metrics', () => {
    s.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'briefs@newsroom.example.com',
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
    s.template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('publishes bounce, complaint, delivery and reject events to an encrypted topic that feeds mail-events', () => {
    s.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'delivery', 'reject'],
        SnsDestination: { TopicARN: { Ref: Match.stringLikeRegexp('^MailEventsTopic') } },
      }),
    });
    const topic = Object.entries(resources('AWS::SNS::Topic')).find(([id]) => id.startsWith('MailEventsTopic'))!;
    expect(props(topic[1]).KmsMasterKeyId).toBeDefined();
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topic[0] },
      Endpoint: { 'Fn::GetAtt': [FUNCTIONS.mailEvents(), 'Arn'] },
    });
  });
});

describe('SES events reach mail-events', () => {
  // The SES Developer Guide, "Set up an Amazon SNS event destination for event publishing": SES
  // publishes with aws:SourceAccount and aws:SourceArn = the configuration set's ARN.
  const configurationSetArn = () => `arn:aws:ses:eu-west-1:123456789012:configuration-set/${Object.keys(resources('AWS::SES::ConfigurationSet'))[0]!}`;
  const eventsTopic = () => Object.keys(resources('AWS::SNS::Topic')).find((id) => id.startsWith('MailEventsTopic'))!;

  it('lets SES publish to the encrypted events topic: topic policy and key policy', () => {
    const template = s.template.toJSON() as Template;
    const ses = { 'aws:sourcearn': configurationSetArn(), 'aws:sourceaccount': { Ref: 'AWS::AccountId' } };
    expect(servicePublishAllowed(template, eventsTopic(), 'ses.amazonaws.com', ses)).toEqual({ topic: true, key: true });
    // Not for another configuration set (another stack's) nor another account.
    const other = { ...ses, 'aws:sourcearn': 'arn:aws:ses:eu-west-1:123456789012:configuration-set/someone-else' };
    expect(servicePublishAllowed(template, eventsTopic(), 'ses.amazonaws.com', other)).toEqual({ topic: false, key: false });
    const stranger = { ...ses, 'aws:sourceaccount': '999999999999' };
    expect(servicePublishAllowed(template, eventsTopic(), 'ses.amazonaws.com', stranger)).toEqual({ topic: false, key: false });
  });

  it('pins the key statement SES needs (GenerateDataKey* and Decrypt, this account, this configuration set)', () => {
    const template = s.template.toJSON() as Template;
    const keyId = (props(resources('AWS::SNS::Topic')[eventsTopic()]!).KmsMasterKeyId as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const statements = (props(resources('AWS::KMS::Key')[keyId]!).KeyPolicy as { Statement: (Statement & { Sid?: string; Principal: unknown })[] }).Statement;
    const forSes = statements.filter((st) => JSON.stringify(st.Principal).includes('ses.amazonaws.com'));
    expect(forSes).toHaveLength(1);
    const [st] = forSes;
    expect(st).toMatchObject({ Effect: 'Allow', Principal: { Service: 'ses.amazonaws.com' }, Resource: '*' });
    expect(asArray(st!.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    const condition = st!.Condition as { StringEquals: Json; ArnLike: Record<string, unknown> };
    expect(Object.keys(condition).sort()).toEqual(['ArnLike', 'StringEquals']);
    expect(condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(Object.keys(condition.ArnLike)).toEqual(['aws:SourceArn']);
    expect(resolve(template, condition.ArnLike['aws:SourceArn'])).toBe(configurationSetArn());
  });
});

describe('subscribe API', () => {
  it('routes every endpoint to the subscribe function (the archive\'s and the webhook\'s have their own)', () => {
    // The archive's own GET routes are checked in test/infra/archive.test.ts; POST /articles below.
    const subscribeRoutes = Object.values(resources('AWS::ApiGatewayV2::Route')).filter(
      (r) => !String(props(r).RouteKey).startsWith('GET /archive') && props(r).RouteKey !== 'POST /articles',
    );
    const routes = subscribeRoutes.map((r) => props(r).RouteKey).sort();
    expect(routes).toEqual([
      'GET /', 'GET /confirm', 'GET /forget', 'GET /preferences', 'GET /unsubscribe',
      'POST /confirm', 'POST /forget', 'POST /preferences', 'POST /subscribe', 'POST /unsubscribe',
    ]);
    const integrations = Object.entries(resources('AWS::ApiGatewayV2::Integration')).filter(
      ([, r]) => JSON.stringify(props(r).IntegrationUri) === JSON.stringify({ 'Fn::GetAtt': [FUNCTIONS.subscribe(), 'Arn'] }),
    );
    expect(integrations).toHaveLength(1);
    for (const r of subscribeRoutes) {
      expect(JSON.stringify(props(r).Target)).toContain(integrations[0]![0]);
    }
  });

  it('throttles the stage, logs access without query strings, and allows the configured origins', () => {
    const stage = Object.values(resources('AWS::ApiGatewayV2::Stage')).map(props)[0]!;
    expect(stage).toMatchObject({ StageName: '$default', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 } });
    const format = (stage.AccessLogSettings as { Format: string }).Format;
    expect(format).toContain('$context.routeKey');
    expect(format).not.toMatch(/querystring|\$context\.path|requestOverride/i);
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://newsroom.example.com'], AllowMethods: ['GET', 'POST'] }),
    });
  });

  it('outputs the API URL and the bucket name', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['ApiUrl', 'BucketName', 'DigestFunctionName', 'IngestFunctionName', 'AlarmTopicArn', 'SigningKeySecretArn']),
    );
    // Everything the operator command discovers a stack by (cli/targets.ts).
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining([...REQUIRED_OUTPUTS]));
    // The confirmation queue the command queues imported subscribe requests on (subscribers import without --confirmed).
    const queue = Object.entries(resources('AWS::SQS::Queue')).find(([id]) => /Confirmations.*Queue/.test(id) && !/DeadLetter|Dlq/i.test(id))?.[0];
    expect((outputs.ConfirmationQueueUrl as { Value: unknown }).Value).toEqual({ Ref: queue });
    expect((outputs.Topics as { Value: unknown }).Value).toBe('world,asia,us-politics,diplomacy');
    expect((outputs.Frequencies as { Value: unknown }).Value).toBe('immediate,daily,weekly');
    const api = Object.keys(resources('AWS::ApiGatewayV2::Api'))[0]!;
    expect((outputs.ApiUrl as { Value: unknown }).Value).toEqual({ 'Fn::GetAtt': [api, 'ApiEndpoint'] });
  });
});
