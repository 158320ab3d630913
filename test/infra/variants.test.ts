import { beforeAll, describe, expect, it } from 'vitest';
import { synthesise, type Synthesised } from './synth.ts';

// The other shape of deployment, synthesised once: a domain identity with a Route 53 zone, a custom
// site URL, only a weekly digest, an alarm email, no feeds and `removalPolicy: destroy`.
let s: Synthesised;
beforeAll(() => {
  s = synthesise(
    {
      senderAddress: 'briefs@newsroom.example.com',
      domain: 'newsroom.example.com',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      siteUrl: 'https://brief.newsroom.example.com',
      schedules: '{"weekly":{"cron":"cron(30 6 ? * MON *)","timeZone":"Europe/London"}}',
      alarmEmail: 'ops@newsroom.example.com',
      removalPolicy: 'destroy',
      allowedOrigins: '',
      example: 'false',
      feeds: '[]',
    },
    { nag: true },
  );
}, 240_000);

type Json = Record<string, unknown>;
const resources = (type: string) => s.template.findResources(type) as Record<string, Json & { Properties: Json }>;

describe('domain deployment variant', () => {
  it('passes cdk-nag too', () => {
    expect(s.nagViolations).toEqual([]);
  });

  it('verifies the domain with Easy DKIM records and a MAIL FROM subdomain in the hosted zone', () => {
    s.template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'newsroom.example.com' });
    s.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      MailFromAttributes: { MailFromDomain: 'bounce.newsroom.example.com' },
    });
    const records = Object.values(resources('AWS::Route53::RecordSet')).map((r) => r.Properties);
    expect(records.filter((r) => r.Type === 'CNAME')).toHaveLength(3);
    for (const r of records) expect(r.HostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
    expect(records.map((r) => r.Type).sort()).toEqual(['CNAME', 'CNAME', 'CNAME', 'MX', 'TXT']);
  });

  it('scopes SendRawEmail to the domain identity', () => {
    const statements = Object.values(resources('AWS::IAM::Policy')).flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
    );
    const ses = statements.filter((st) => st.Action === 'ses:SendRawEmail');
    expect(ses).toHaveLength(2);
    for (const st of ses) expect(JSON.stringify(st.Resource)).toContain(':identity/');
  });

  it('puts links on the site URL', () => {
    const envs = Object.values(resources('AWS::Lambda::Function'))
      .map((f) => (f.Properties.Environment as { Variables: Json } | undefined)?.Variables ?? {})
      .filter((v) => 'PUBLIC_URL' in v);
    // ingest, digest, sender, subscribe, confirm-mail, the archive and the webhook (no feeds here, so no poller).
    expect(envs.length).toBe(7);
    for (const v of envs) expect(v.PUBLIC_URL).toBe('https://brief.newsroom.example.com');
  });

  it('schedules only the weekly digest, offers only alerts and it, and defaults new subscribers to it', () => {
    const schedules = Object.values(resources('AWS::Scheduler::Schedule')).map((r) => r.Properties);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ ScheduleExpression: 'cron(30 6 ? * MON *)', ScheduleExpressionTimezone: 'Europe/London' });
    const subscribe = Object.values(resources('AWS::Lambda::Function')).find((f) =>
      String(f.Properties.Description).startsWith('newsbrief: subscribe API'),
    )!;
    const variables = (subscribe.Properties.Environment as { Variables: Json }).Variables;
    expect(variables.DEFAULT_FREQUENCY).toBe('weekly');
    expect(variables.FREQUENCIES).toBe('immediate,weekly');
  });

  it('is deployable: no rule refuses it', () => {
    expect(s.template.toJSON().Rules ?? {}).not.toHaveProperty('RefuseExampleConfiguration');
    expect(s.template.toJSON().Parameters ?? {}).not.toHaveProperty('ExampleConfiguration');
  });

  it('outputs a DMARC record to start from, and no manual DKIM or MAIL FROM records (Route 53 has them)', () => {
    const outputs = Object.keys(s.template.toJSON().Outputs as Record<string, unknown>);
    expect(outputs.some((o) => o.startsWith('MailDmarcRecord'))).toBe(true);
    expect(outputs.filter((o) => /^Mail(DkimRecord|MailFrom)/.test(o))).toEqual([]);
  });

  it('has no poller, poll schedule or feed alarm without feeds, and still the webhook', () => {
    const descriptions = Object.values(resources('AWS::Lambda::Function')).map((f) => String(f.Properties.Description));
    expect(descriptions.filter((d) => d.startsWith('newsbrief: poll'))).toEqual([]);
    expect(descriptions.filter((d) => d.startsWith('newsbrief: CMS webhook'))).toHaveLength(1);
    expect(Object.values(resources('AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === 'FeedFailingSeconds')).toEqual([]);
  });

  it('subscribes the alarm email and configures no CORS without origins', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@newsroom.example.com' });
    const api = Object.values(resources('AWS::ApiGatewayV2::Api'))[0]!;
    expect(api.Properties.CorsConfiguration).toBeUndefined();
  });

  it('deletes table, buckets, secret and logs with the stack when asked', () => {
    for (const type of ['AWS::DynamoDB::GlobalTable', 'AWS::S3::Bucket', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup']) {
      for (const [id, r] of Object.entries(resources(type))) expect(r.DeletionPolicy, id).toBe('Delete');
    }
    const table = Object.values(resources('AWS::DynamoDB::GlobalTable'))[0]!;
    expect(JSON.stringify(table.Properties.Replicas)).toContain('"DeletionProtectionEnabled":false');
    expect(Object.values(s.template.toJSON().Resources as Record<string, Json>).filter((r) => /^Retain/.test(String(r.DeletionPolicy ?? '')))).toEqual([]);
  });
});
