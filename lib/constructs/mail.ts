import { Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { PublicHostedZone } from 'aws-cdk-lib/aws-route53';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** The custom MAIL FROM domain of a sending domain. */
export function mailFromDomain(domain: string): string {
  return `bounce.${domain}`;
}

export interface MailProps {
  /** The From address, e.g. briefs@newsroom.example.com. */
  readonly senderAddress: string;
  /**
   * A domain to verify with Easy DKIM instead of the single address.
   * @default - only senderAddress is verified (SES mails it a link to click)
   */
  readonly domain?: string;
  /**
   * Route 53 public hosted zone of `domain`: the DKIM CNAMEs and a MAIL FROM subdomain
   * (`bounce.<domain>`, for SPF alignment under DMARC) are then created automatically.
   * @default - DKIM records are output for the operator to create by hand
   */
  readonly hostedZoneId?: string;
  /**
   * An identity (domain or address) already verified in this account and region: sends go through
   * it and no identity is created, since CloudFormation fails to create one that exists. Exclusive
   * with `domain` and `hostedZoneId`.
   * @default - the stack creates the identity
   */
  readonly existingIdentity?: string;
  /**
   * Verified recipient addresses for tests in the SES sandbox, where SES authorises a send against
   * the recipient's identity too; the send grant then includes their identity ARNs.
   * @default - none
   */
  readonly sandboxRecipients?: readonly string[];
}

/**
 * Everything SES: the sender identity, the configuration set every message is sent with
 * (reputation metrics on, account suppression list for bounces and complaints), and its event
 * destination, an SNS topic of bounce, complaint, delivery and reject events for mail-events.
 */
export class Mail extends Construct {
  /** The identity the stack created, if it did (not with `existingIdentity`). */
  public readonly identity?: EmailIdentity;
  /** ARNs of the identities SES may authorise a send from this sender against. */
  public readonly identityArns: string[];
  /** The configuration set every send uses. */
  public readonly configurationSet: ConfigurationSet;
  /** ARN of the configuration set (SendRawEmail authorises against it). */
  public readonly configurationSetArn: string;
  /** SES events (bounce, complaint, delivery, reject); encrypted, since they carry addresses. */
  public readonly eventsTopic: Topic;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });

    if (props.existingIdentity !== undefined) {
      // SES authorises a send against the address identity when the address is verified on its
      // own, else against its domain's: allow both, they are the operator's own.
      const names = props.existingIdentity.toLowerCase() === props.senderAddress.toLowerCase() ? [props.existingIdentity] : [props.existingIdentity, props.senderAddress];
      this.identityArns = names.map((name) => Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: name }));
    } else {
      this.identity = this.createIdentity(props);
      this.identityArns = [this.identity.emailIdentityArn];
    }
    for (const address of props.sandboxRecipients ?? []) {
      this.identityArns.push(Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: address }));
    }

    // SES can only publish to an encrypted topic whose customer managed key lets it. Checked against
    // the SES Developer Guide: "Set up an Amazon SNS event destination for event publishing"
    // (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-add-event-destination-sns.html)
    // has SES publish with aws:SourceAccount and aws:SourceArn = this configuration set's ARN (the
    // topic policy EventDestination.snsTopic writes), and "Configuring Amazon SNS notifications for
    // Amazon SES", Prerequisites (https://docs.aws.amazon.com/ses/latest/dg/configure-sns-notifications.html)
    // names the key actions for ses.amazonaws.com: GenerateDataKey and Decrypt. The same two
    // conditions narrow this statement, as the SNS guide's "Enable compatibility between event
    // sources from AWS services and encrypted topics" allows for every source but EventBridge
    // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html). test/infra pins it.
    const key = new Key(this, 'EventsKey', {
      description: 'newsbrief SES event notifications (they carry recipient addresses)',
      enableKeyRotation: true,
      // Only in-flight notifications were ever encrypted with it: delete it with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesToPublishEncryptedEvents',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': this.configurationSetArn },
        },
      }),
    );
    this.eventsTopic = new Topic(this, 'EventsTopic', {
      displayName: 'newsbrief SES events',
      masterKey: key,
      enforceSSL: true,
    });
    new ConfigurationSetEventDestination(this, 'EventsDestination', {
      configurationSet: this.configurationSet,
      destination: EventDestination.snsTopic(this.eventsTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY, EmailSendingEvent.REJECT],
    });
  }

  /** The sender identity, with Easy DKIM (and MAIL FROM) records in the hosted zone or as outputs. */
  private createIdentity(props: MailProps): EmailIdentity {
    const identity =
      props.domain === undefined
        ? Identity.email(props.senderAddress)
        : props.hostedZoneId === undefined
          ? Identity.domain(props.domain)
          : Identity.publicHostedZone(
              PublicHostedZone.fromPublicHostedZoneAttributes(this, 'Zone', {
                hostedZoneId: props.hostedZoneId,
                zoneName: props.domain,
              }),
            );
    const emailIdentity = new EmailIdentity(this, 'Identity', {
      identity,
      // Sends that forget the header still land in the configuration set.
      configurationSet: this.configurationSet,
      // A custom MAIL FROM (bounce.<domain>) aligns SPF with the From domain under DMARC.
      ...(props.domain !== undefined ? { mailFromDomain: mailFromDomain(props.domain) } : {}),
    });
    if (props.domain !== undefined && props.hostedZoneId === undefined) {
      // Manual DNS: the operator creates these records at their DNS provider. Until the MX exists,
      // SES sends with its own MAIL FROM (amazonses.com), so nothing fails in the meantime.
      emailIdentity.dkimRecords.forEach((record, i) => {
        new CfnOutput(this, `DkimRecord${i + 1}`, {
          description: `Create this CNAME to verify ${props.domain} in SES (Easy DKIM)`,
          value: `${record.name} CNAME ${record.value}`,
        });
      });
      const from = mailFromDomain(props.domain);
      new CfnOutput(this, 'MailFromMx', {
        description: `Create this MX record for the custom MAIL FROM domain ${from}`,
        value: `${from} MX 10 feedback-smtp.${Aws.REGION}.amazonses.com`,
      });
      new CfnOutput(this, 'MailFromSpf', {
        description: `Create this TXT record (SPF) for ${from}`,
        value: `${from} TXT "v=spf1 include:amazonses.com ~all"`,
      });
    }
    if (props.domain !== undefined) {
      // The stack never writes DMARC (a domain may already publish one); this is where to start.
      new CfnOutput(this, 'DmarcRecord', {
        description: `Publish a DMARC policy for ${props.domain} if it has none (Gmail and Yahoo require one of bulk senders)`,
        value: `_dmarc.${props.domain} TXT "v=DMARC1; p=none;"`,
      });
    }
    return emailIdentity;
  }

  /** Allow `grantee` SendRawEmail from this identity through this configuration set, and nothing else. */
  grantSendRaw(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [...this.identityArns, this.configurationSetArn],
      }),
    );
  }

  /** Deliver the SES events to `handler`. */
  subscribe(handler: IFunction): void {
    this.eventsTopic.addSubscription(new LambdaSubscription(handler));
  }
}
