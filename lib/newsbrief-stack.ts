import { Annotations, CfnOutput, CfnParameter, CfnRule, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { NewsbriefConfig } from './config.ts';
import { adoptBucketNotificationsLogs } from './cdk-internals.ts';
import { Alarms } from './constructs/alarms.ts';
import { ArchiveSite } from './constructs/archive.ts';
import { SubscribeApi } from './constructs/api.ts';
import { ConfirmationMail } from './constructs/confirmation-mail.ts';
import { Data } from './constructs/data.ts';
import { Dashboard } from './constructs/dashboard.ts';
import { Delivery } from './constructs/delivery.ts';
import { FeedPolling } from './constructs/feeds.ts';
import { HouseFunction } from './constructs/house-function.ts';
import { Mail } from './constructs/mail.ts';
import { SigningKey } from './constructs/signing-key.ts';
import { CmsWebhook } from './constructs/webhook.ts';
import { entriesUnder, type FunctionName } from './entries.ts';
import { environmentFor } from './environment.ts';
import { grantTable } from './grants.ts';
import { acknowledgeCdkInternals } from './nag-suppressions.ts';
import { FREQUENCIES } from '../lambda/shared/subscriptions/model.ts';

export interface NewsbriefStackProps extends StackProps {
  /** The validated operator configuration (lib/config.ts). */
  readonly config: NewsbriefConfig;
  /**
   * Folder holding `<function>/handler.ts` for each function.
   * @default the repository's lambda/ folder
   */
  readonly lambdaRoot?: string;
}

/**
 * The functions that render MJML (and so carry mjml and templates/); the others must not. Subscribe
 * sends the confirmation email precompiled (templates/confirm.compiled.json, inlined in its bundle).
 */
export const RENDERING_FUNCTIONS: readonly FunctionName[] = ['ingest', 'digest', 'poll'];

/**
 * Copies templates/ next to the bundle of each function that renders MJML; the email module finds
 * them at $LAMBDA_TASK_ROOT/templates (lambda/shared/email/templates.ts).
 */
export const COPY_TEMPLATES: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir: string, outputDir: string) => [`cp -R "${inputDir}/templates" "${outputDir}/templates"`],
};

/**
 * The whole newsbrief pipeline: data (table, bucket), the signing key, SES (identity,
 * configuration set, event topic), delivery (ingest, digest schedules, send queue, sender), the
 * subscribe API with its confirmation-mail queue and worker, the mail-events consumer and the alarms.
 */
export class NewsbriefStack extends Stack {
  public readonly data: Data;
  public readonly mail: Mail;
  public readonly delivery: Delivery;
  public readonly api: SubscribeApi;
  public readonly subscribe: HouseFunction;
  public readonly mailEvents: HouseFunction;
  public readonly confirmations: ConfirmationMail;
  public readonly confirmMail: HouseFunction;
  public readonly alarms: Alarms;
  public readonly dashboard: Dashboard;
  /** The web archive (absent when `archive: off`). */
  public readonly archive?: ArchiveSite;
  /** The feed poller; absent when no feed is configured. */
  public readonly feeds?: FeedPolling;
  public readonly webhook: CmsWebhook;

  constructor(scope: Construct, id: string, props: NewsbriefStackProps) {
    super(scope, id, props);
    const { config } = props;
    const entries = entriesUnder(props.lambdaRoot);
    // RETAIN_ON_UPDATE_OR_DELETE, not RETAIN: kept on delete and replacement, but a first deploy
    // that fails and rolls back deletes what it created instead of leaving orphans behind.
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const functionDefaults = {
      logRetention: config.logRetentionDays as RetentionDays,
      logRemovalPolicy: removalPolicy,
      logLevel: config.logLevel,
    };

    this.data = new Data(this, 'Data', { removalPolicy });
    const signingKey = new SigningKey(this, 'SigningKey', { removalPolicy }).secret;
    this.mail = new Mail(this, 'Mail', {
      senderAddress: config.senderAddress,
      ...(config.domain !== undefined ? { domain: config.domain } : {}),
      ...(config.hostedZoneId !== undefined ? { hostedZoneId: config.hostedZoneId } : {}),
      ...(config.existingIdentity !== undefined ? { existingIdentity: config.existingIdentity } : {}),
      sandboxRecipients: config.sandboxRecipients,
    });
    this.api = new SubscribeApi(this, 'Api', {
      throttling: config.apiThrottling,
      allowedOrigins: config.allowedOrigins,
      logRetention: functionDefaults.logRetention,
      logRemovalPolicy: removalPolicy,
    });
    // The confirmation-mail queue, before the environment that names it.
    this.confirmations = new ConfirmationMail(this, 'Confirmations');

    // Subscribers may choose alerts and the digests that have a schedule, never one that is not sent;
    // one who picks none gets the daily digest, or the first scheduled one.
    const frequencies = FREQUENCIES.filter((f) => f === 'immediate' || config.schedules[f] !== undefined);
    const defaultFrequency = config.schedules.daily !== undefined ? 'daily' : (frequencies[1] ?? 'immediate');
    const environment = {
      TABLE_NAME: this.data.table.tableName,
      NEWSLETTER_NAME: config.newsletterName,
      SENDER_ADDRESS: config.senderAddress,
      SENDER_NAME: config.senderName,
      POSTAL_ADDRESS: config.postalAddress,
      PUBLIC_URL: config.siteUrl ?? this.api.url,
      TOPICS: config.topics.join(','),
      SIGNING_KEY_SECRET_ARN: signingKey.secretArn,
      FREQUENCIES: frequencies.join(','),
      DEFAULT_FREQUENCY: defaultFrequency,
      ARCHIVE: config.archive,
      CONFIRM_QUEUE_URL: this.confirmations.queue.queueUrl,
    };

    this.delivery = new Delivery(this, 'Delivery', {
      table: this.data.table,
      bucket: this.data.bucket,
      signingKey,
      mail: this.mail,
      environment,
      schedules: config.schedules,
      maxSendRate: config.maxSendRate,
      senderConcurrency: config.senderConcurrency,
      topicRules: config.topicRules,
      digestMaxFullArticles: config.digestMaxFullArticles,
      functionDefaults,
      renderingHooks: COPY_TEMPLATES,
      entries,
    });

    this.subscribe = new HouseFunction(this, 'Subscribe', {
      ...functionDefaults,
      description: 'newsbrief: subscribe API (double opt-in, RFC 8058 one-click unsubscribe, preferences, forget)',
      entry: entries.subscribe,
      // API Gateway gives up at 30 s; a request that cannot finish in 10 s should fail fast instead.
      timeout: Duration.seconds(10),
      environment: environmentFor('subscribe', {
        ...environment,
        ...this.delivery.environment,
      }),
    });
    this.api.addHandler(this.subscribe);
    // The subscriber store: records (versioned conditional Puts) and subscribe requests (Put).
    grantTable(this.data.table, this.subscribe, { items: ['GetItem', 'PutItem'] });
    signingKey.grantRead(this.subscribe);
    // It sends no mail: it queues subscribe requests for the confirmation worker.
    this.confirmations.grantEnqueue(this.subscribe);
    this.confirmMail = this.confirmations.addWorker({
      entry: entries['confirm-mail'],
      environment: environmentFor('confirm-mail', { ...environment, ...this.delivery.environment }),
      table: this.data.table,
      signingKey,
      mail: this.mail,
      functionDefaults,
    });

    this.mailEvents = new HouseFunction(this, 'MailEvents', {
      ...functionDefaults,
      description: 'newsbrief: suppress subscribers on SES bounces and complaints',
      entry: entries['mail-events'],
      deadLetterQueue: this.delivery.failedInvocations,
      retryAttempts: 2,
      environment: environmentFor('mail-events', { ...environment, ...this.delivery.environment }),
    });
    this.mail.subscribe(this.mailEvents);
    // Suppress the subscriber (Get, conditional Put), de-duplicate events (Put), and record each bounce
    // and complaint on the run that sent the message (a conditional Update of its ledger entry).
    grantTable(this.data.table, this.mailEvents, { items: ['GetItem', 'PutItem', 'UpdateItem'] });

    if (config.archive !== 'off') {
      this.archive = new ArchiveSite(this, 'Archive', {
        bucket: this.data.bucket,
        api: this.api.api,
        publishers: [this.delivery.ingest, this.delivery.digest],
        entry: entries.archive,
        environment: environmentFor('archive', { ...environment, ...this.delivery.environment }),
        functionDefaults,
      });
    }
    // Articles in by themselves: feeds polled on a schedule, and the CMS webhook on the same API.
    if (config.feeds.length > 0) {
      this.feeds = new FeedPolling(this, 'Feeds', {
        table: this.data.table,
        bucket: this.data.bucket,
        sendQueue: this.delivery.sendQueue,
        environment: this.delivery.environment,
        feeds: config.feeds,
        functionDefaults,
        renderingHooks: COPY_TEMPLATES,
        entry: entries.poll,
      });
    }
    this.webhook = new CmsWebhook(this, 'Webhook', {
      api: this.api,
      bucket: this.data.bucket,
      environment: this.delivery.environment,
      functionDefaults,
      entry: entries.articles,
      removalPolicy,
    });

    const alarmed = {
      deadLetterQueues: {
        SendJobs: this.delivery.sendDeadLetterQueue,
        FailedInvocations: this.delivery.failedInvocations,
        ConfirmationJobs: this.confirmations.deadLetterQueue,
      },
      functions: {
        Ingest: this.delivery.ingest,
        Digest: this.delivery.digest,
        Sender: this.delivery.sender,
        Subscribe: this.subscribe,
        MailEvents: this.mailEvents,
        ...(this.archive === undefined ? {} : { Archive: this.archive.handler }),
        Articles: this.webhook.handler,
        ...(this.feeds !== undefined ? { Poll: this.feeds.poll } : {}),
        ConfirmMail: this.confirmMail,
      },
    };
    this.alarms = new Alarms(this, 'Alarms', {
      ...alarmed,
      ...(config.alarmEmail !== undefined ? { alarmEmail: config.alarmEmail } : {}),
    });

    if (this.feeds !== undefined) this.alarms.alarms.push(this.feeds.addFailureAlarm(this.alarms.topic));

    this.dashboard = new Dashboard(this, 'Dashboard', {
      queues: { SendJobs: this.delivery.sendQueue, Confirmations: this.confirmations.queue },
      deadLetterQueues: alarmed.deadLetterQueues,
      functions: alarmed.functions,
    });

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the subscribe API (POST /subscribe ...)', value: this.api.url });
    new CfnOutput(this, 'BucketName', { description: 'Upload articles under articles/', value: this.data.bucket.bucketName });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'DigestFunctionName', { description: 'Invoke by hand to run a digest', value: this.delivery.digest.functionName });
    new CfnOutput(this, 'IngestFunctionName', { description: 'Re-run a failed ingest event by hand', value: this.delivery.ingest.functionName });
    new CfnOutput(this, 'SendQueueUrl', { description: 'Send jobs for the sender (npx newsbrief runs resend)', value: this.delivery.sendQueue.queueUrl });
    new CfnOutput(this, 'SendDeadLetterQueueUrl', { value: this.delivery.sendDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'FailedInvocationsQueueUrl', { value: this.delivery.failedInvocations.queueUrl });
    new CfnOutput(this, 'ConfirmationQueueUrl', { description: 'Subscribe requests for the confirmation worker (npx newsbrief subscribers import)', value: this.confirmations.queue.queueUrl });
    new CfnOutput(this, 'ConfirmationDeadLetterQueueUrl', { description: 'Confirmation-mail jobs that failed 5 times', value: this.confirmations.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'CloudWatch dashboard: sends, bounce and complaint rates, queues, dead letters, errors',
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.dashboard.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'SigningKeySecretArn', { description: 'Token signing key ring (rotate by adding a key id)', value: signingKey.secretArn });
    new CfnOutput(this, 'ConfigurationSetName', { value: this.mail.configurationSet.configurationSetName });
    // Read by the operator command (npx newsbrief ... --stack NAME) to check what it adds.
    new CfnOutput(this, 'Topics', { description: 'Topics subscribers may choose', value: environment.TOPICS });
    new CfnOutput(this, 'Frequencies', { description: 'Frequencies subscribers may choose', value: environment.FREQUENCIES });
    new CfnOutput(this, 'WebhookSecretArn', { description: 'CMS webhook HMAC key ring (POST $ApiUrl/articles)', value: this.webhook.secret.secretArn });
    if (this.feeds !== undefined) {
      new CfnOutput(this, 'PollFunctionName', { description: 'Invoke by hand to poll the feeds now', value: this.feeds.poll.functionName });
    }

    if (config.example) refuseToDeploy(this);
    adoptBucketNotificationsLogs(this, { retention: functionDefaults.logRetention, removalPolicy });
    acknowledgeCdkInternals(this);
  }
}

/** What `cdk deploy` says when the configuration is the example. */
export const EXAMPLE_REFUSAL =
  'newsbrief: this template was synthesised from the example configuration (example: true, examples/newsroom.config.yaml), ' +
  'with its example sender and postal address. Deploy your own: cp examples/newsroom.config.yaml newsbrief.config.yaml, ' +
  'edit it and delete "example: true", then npx cdk deploy -c configFile=newsbrief.config.yaml.';

/**
 * Make CloudFormation refuse the template before it creates anything: a rule whose assertion fails
 * on the parameter's default (the same mechanism as CDK's bootstrap-version check). `cdk synth`
 * still works, so CI and readers can synthesise the example offline.
 */
function refuseToDeploy(stack: Stack): void {
  const example = new CfnParameter(stack, 'ExampleConfiguration', {
    type: 'String',
    default: 'true',
    description: 'Set by synth: "true" when the template comes from the example configuration, which cannot be deployed.',
  });
  new CfnRule(stack, 'RefuseExampleConfiguration', {
    assertions: [{ assert: Fn.conditionNot(Fn.conditionEquals(example.valueAsString, 'true')), assertDescription: EXAMPLE_REFUSAL }],
  });
  Annotations.of(stack).addWarningV2('newsbrief:example-configuration', `${EXAMPLE_REFUSAL} (cdk deploy refuses this template.)`);
}
