import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Alarms } from '../../lib/constructs/alarms.ts';
import { servicePublishAllowed, type Template as Json } from './policies.ts';

// The Alarms construct on its own, with an encrypted topic: the stack does not encrypt its alarm
// topic today, but whoever does must not silence the alarms (CloudWatch then needs the key too).
function synth(withKey: boolean): { template: Json; topicId: string; alarmIds: string[] } {
  const stack = new Stack(new App(), 'AlarmsOnly');
  const alarms = new Alarms(stack, 'Alarms', {
    deadLetterQueues: { Jobs: new Queue(stack, 'Dlq') },
    functions: {},
    ...(withKey ? { masterKey: new Key(stack, 'Key') } : {}),
  });
  const template = Template.fromStack(stack).toJSON() as Json;
  const topicId = stack.getLogicalId(alarms.topic.node.defaultChild as never);
  const alarmIds = alarms.alarms.map((a) => stack.getLogicalId(a.node.defaultChild as never));
  return { template, topicId, alarmIds };
}

let encrypted: ReturnType<typeof synth>;
let plain: ReturnType<typeof synth>;
beforeAll(() => {
  encrypted = synth(true);
  plain = synth(false);
}, 120_000);

describe('alarm topic encrypted with a customer managed key', () => {
  it('lets CloudWatch use the key for exactly these alarms', () => {
    const { template, topicId, alarmIds } = encrypted;
    expect(template.Resources[topicId]?.Properties?.KmsMasterKeyId).toBeDefined();
    expect(alarmIds).toHaveLength(3);
    for (const alarmId of alarmIds) {
      const context = { 'aws:sourcearn': { 'Fn::GetAtt': [alarmId, 'Arn'] }, 'aws:sourceaccount': { Ref: 'AWS::AccountId' } };
      expect(servicePublishAllowed(template, topicId, 'cloudwatch.amazonaws.com', context)).toEqual({ topic: true, key: true });
    }
    const stranger = { 'aws:sourcearn': 'arn:aws:cloudwatch:eu-west-1:999999999999:alarm:x', 'aws:sourceaccount': '999999999999' };
    expect(servicePublishAllowed(template, topicId, 'cloudwatch.amazonaws.com', stranger)).toEqual({ topic: false, key: false });
  });

  it('adds no key statement when the topic is not encrypted', () => {
    const { template, topicId } = plain;
    expect(template.Resources[topicId]?.Properties?.KmsMasterKeyId).toBeUndefined();
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::KMS::Key')).toEqual([]);
  });
});
