import { isDeepStrictEqual } from 'node:util';

/**
 * A small evaluator of the resource policies in a synthesised template, for questions like "may
 * CloudWatch, acting for this alarm, publish to that topic?". It follows IAM's rules as far as the
 * stack uses them: an explicit Deny that applies wins; otherwise an Allow must match principal,
 * action, resource and every condition. Values are resolved as CloudFormation would in one
 * made-up account and region (pseudo parameters, `Fn::Join`, and the `Ref`/`Fn::GetAtt Arn` of the
 * resource types these policies name), then compared as strings, with `*`/`?` wildcards for the
 * *Like operators; anything else is compared as JSON.
 * An SNS topic with no TopicPolicy keeps SNS's default policy, which lets the owner account's
 * services publish.
 */

type Json = unknown;
export interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, Json> }>;
}
interface Statement {
  Effect: 'Allow' | 'Deny';
  Principal?: Json;
  Action?: string | string[];
  Resource?: Json;
  Condition?: Record<string, Record<string, Json>>;
}

/** The request a service makes: who, which action, on what, and the request context keys. */
export interface ServiceRequest {
  readonly service: string;
  readonly action: string;
  readonly resource: Json;
  /** Context keys (lower-case names), e.g. `aws:sourcearn`, `aws:sourceaccount`, `aws:securetransport`. */
  readonly context: Readonly<Record<string, Json>>;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'i' : '');
  return re.test(value);
}

const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com' };

/** The ARN (or name, for a `Ref`) CloudFormation would give these resource types, with the logical id as their name. */
function physical(template: Template, id: string, attribute: 'Ref' | 'Arn'): string | undefined {
  const type = template.Resources[id]?.Type;
  const at = (service: string, resource: string) => `arn:aws:${service}:eu-west-1:123456789012:${resource}`;
  switch (type) {
    case 'AWS::CloudWatch::Alarm':
      return attribute === 'Arn' ? at('cloudwatch', `alarm:${id}`) : id;
    case 'AWS::SNS::Topic':
      return at('sns', id); // Ref is the ARN
    case 'AWS::SES::ConfigurationSet':
    case 'AWS::SES::EmailIdentity':
      return attribute === 'Ref' ? id : undefined;
    case 'AWS::KMS::Key':
      return attribute === 'Arn' ? at('kms', `key/${id}`) : id;
    default:
      return undefined;
  }
}

/** Resolve `value` to a string where the template says how; otherwise return it unchanged. */
export function resolve(template: Template, value: Json): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const v = value as Record<string, Json>;
  if (typeof v.Ref === 'string') return PSEUDO[v.Ref] ?? physical(template, v.Ref, 'Ref') ?? value;
  const getAtt = v['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt && getAtt[1] === 'Arn') return physical(template, getAtt[0], 'Arn') ?? value;
  const join = v['Fn::Join'] as [string, Json[]] | undefined;
  if (join) {
    const parts = join[1].map((p) => resolve(template, p));
    return parts.every((p) => typeof p === 'string') ? parts.join(join[0]) : value;
  }
  return value;
}

function valueMatches(operator: string, expected: Json, actual: Json): boolean {
  if (isDeepStrictEqual(expected, actual)) return true;
  if (typeof expected !== 'string' || typeof actual !== 'string') return false;
  if (/Like$/.test(operator)) return glob(expected, actual, false);
  if (operator === 'StringEqualsIgnoreCase') return expected.toLowerCase() === actual.toLowerCase();
  return false;
}

/** Every condition block must hold; within one key, any listed value may match (IAM's OR). */
function conditionsHold(template: Template, condition: Statement['Condition'], context: ServiceRequest['context']): boolean {
  for (const [operator, block] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(block)) {
      const actual = resolve(template, context[key.toLowerCase()]);
      if (actual === undefined) return false; // IAM: a missing key fails every operator but the ...IfExists ones (unused here)
      const values = asArray(expected as Json | Json[]);
      const op = operator === 'Bool' ? 'StringEquals' : operator;
      if (!values.some((v) => valueMatches(op, typeof v === 'boolean' ? String(v) : resolve(template, v), actual))) return false;
    }
  }
  return true;
}

function principalMatches(principal: Json, service: string): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') {
    const p = principal as Record<string, Json>;
    if (p.AWS === '*') return true;
    return asArray(p.Service as Json).includes(service);
  }
  return false;
}

function actionMatches(actions: Statement['Action'], action: string): boolean {
  return asArray(actions).some((a) => glob(a, action, true));
}

function resourceMatches(template: Template, resources: Json, resource: Json): boolean {
  const wanted = resolve(template, resource);
  return asArray(resources).some((r) => r === '*' || isDeepStrictEqual(resolve(template, r), wanted));
}

/** Whether `statements` (one policy document) allow `request`. */
export function policyAllows(template: Template, statements: readonly Statement[], request: ServiceRequest): boolean {
  const applies = (st: Statement) =>
    principalMatches(st.Principal, request.service) &&
    actionMatches(st.Action, request.action) &&
    resourceMatches(template, st.Resource, request.resource) &&
    conditionsHold(template, st.Condition, request.context);
  if (statements.some((st) => st.Effect === 'Deny' && applies(st))) return false;
  return statements.some((st) => st.Effect === 'Allow' && applies(st));
}

/** The statements of every TopicPolicy attached to topic `topicId`, or null when none is (SNS's default policy applies). */
export function topicPolicyStatements(template: Template, topicId: string): Statement[] | null {
  const policies = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::SNS::TopicPolicy' && asArray(r.Properties?.Topics as Json).some((t) => isDeepStrictEqual(t, { Ref: topicId })),
  );
  if (policies.length === 0) return null;
  return policies.flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Whether `service`, with request context `context`, may publish to topic `topicId`, including the topic's KMS key if it has one. */
export function servicePublishAllowed(
  template: Template,
  topicId: string,
  service: string,
  context: Readonly<Record<string, Json>>,
): { topic: boolean; key: boolean | 'unencrypted' } {
  const ctx: Readonly<Record<string, Json>> = { 'aws:securetransport': 'true', ...context };
  const statements = topicPolicyStatements(template, topicId);
  const topic =
    statements === null
      ? resolve(template, ctx['aws:sourceaccount']) === PSEUDO['AWS::AccountId'] // SNS's default policy: the owner account
      : policyAllows(template, statements, { service, action: 'sns:Publish', resource: { Ref: topicId }, context: ctx });
  const keyRef = template.Resources[topicId]?.Properties?.KmsMasterKeyId as { 'Fn::GetAtt'?: [string, string] } | undefined;
  if (keyRef === undefined) return { topic, key: 'unencrypted' };
  const keyId = keyRef['Fn::GetAtt']?.[0];
  const keyPolicy = keyId ? (template.Resources[keyId]?.Properties?.KeyPolicy as { Statement: Statement[] } | undefined) : undefined;
  if (!keyPolicy) return { topic, key: false };
  // SNS asks KMS for a data key (GenerateDataKey) and decrypts it (Decrypt) as the publishing service.
  const key = ['kms:GenerateDataKey', 'kms:Decrypt'].every((action) =>
    policyAllows(template, keyPolicy.Statement, { service, action, resource: '*', context: ctx }),
  );
  return { topic, key };
}
