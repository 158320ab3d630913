import { beforeAll, describe, expect, it } from 'vitest';
import { synthesise, type Synthesised } from './synth.ts';

// Two more SES shapes: an identity that already exists in the account (the stack must not create
// it, or CloudFormation fails with AlreadyExists), and a domain whose DNS is not in Route 53.
let existing: Synthesised;
let manual: Synthesised;
beforeAll(() => {
  existing = synthesise({ example: 'false', existingIdentity: 'newsroom.example.com', sandboxRecipients: 'tester@example.org' }, { nag: true });
  manual = synthesise({ example: 'false', domain: 'newsroom.example.com' });
}, 240_000);

const statements = (s: Synthesised) =>
  Object.values(s.template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => ((p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement),
  );

describe('existingIdentity', () => {
  it('creates no SES identity, and passes cdk-nag', () => {
    existing.template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    expect(existing.nagViolations).toEqual([]);
  });

  it('lets sender and subscribe send through the existing domain (and the address, if verified on its own), and to the sandbox test recipient, only', () => {
    const ses = statements(existing).filter((st) => st.Action === 'ses:SendRawEmail');
    expect(ses).toHaveLength(2);
    for (const st of ses) {
      const arns = (st.Resource as unknown[]).map((r) => JSON.stringify(r));
      expect(arns).toHaveLength(4);
      expect(arns.filter((a) => a.includes(':identity/tester@example.org"'))).toHaveLength(1);
      expect(arns.filter((a) => a.includes(':identity/newsroom.example.com"'))).toHaveLength(1);
      expect(arns.filter((a) => a.includes(':identity/briefs@newsroom.example.com"'))).toHaveLength(1);
      expect(arns.filter((a) => a.includes(':configuration-set/'))).toHaveLength(1);
      expect(arns.join()).not.toContain('*');
    }
  });

  it('still publishes SES events through the configuration set', () => {
    existing.template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 1);
  });
});

describe('a domain without a Route 53 zone', () => {
  it('sets a custom MAIL FROM and outputs every record to create by hand: DKIM, MX, SPF and DMARC', () => {
    manual.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'newsroom.example.com',
      MailFromAttributes: { MailFromDomain: 'bounce.newsroom.example.com' },
    });
    manual.template.resourceCountIs('AWS::Route53::RecordSet', 0);
    const outputs = manual.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const value = (prefix: string) => JSON.stringify(Object.entries(outputs).filter(([k]) => k.startsWith(prefix)).map(([, o]) => o.Value));
    expect(Object.keys(outputs).filter((k) => k.startsWith('MailDkimRecord'))).toHaveLength(3);
    expect(value('MailMailFromMx')).toMatch(/bounce\.newsroom\.example\.com MX 10 feedback-smtp\.",\{"Ref":"AWS::Region"\},"\.amazonses\.com/);
    expect(value('MailMailFromSpf')).toContain('bounce.newsroom.example.com TXT \\"v=spf1 include:amazonses.com ~all\\"');
    expect(value('MailDmarcRecord')).toContain('_dmarc.newsroom.example.com TXT \\"v=DMARC1; p=none;\\"');
  });
});

