import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { clearOutbox, localSes, readOutbox, startStandins, type Standins } from '../../scripts/local/standins.ts';
import { createSesMailer, SesNoMessageIdError } from '../../lambda/shared/ses-mailer.ts';

describe('SES mailer adapter', () => {
  let standins: Standins;
  beforeAll(async () => {
    standins = await startStandins();
  });
  afterAll(async () => {
    await standins.stop();
  });

  it('sends raw MIME through the SES emulator and returns its message id', async () => {
    await clearOutbox(standins.sesEndpoint);
    const mailer = createSesMailer(localSes(standins.sesEndpoint), { from: 'news@example.com', configurationSet: 'cs' });
    const raw = 'From: news@example.com\r\nTo: reader@example.org\r\nSubject: mailer test\r\n\r\nhello\r\n';
    const { messageId } = await mailer.send({ raw, to: 'reader@example.org', subscriberId: 'sub_1' });
    expect(messageId).toBeTruthy();
    const mail = await readOutbox(standins.sesEndpoint);
    expect(mail.map((m) => m.subject)).toEqual(['mailer test']);
    expect(mail[0]?.messageId).toBe(messageId);
  });

  it('puts the envelope, configuration set and a subscriber tag on the command', async () => {
    const sent: SendRawEmailCommand[] = [];
    const mailer = createSesMailer(
      { send: async (cmd) => (sent.push(cmd), { MessageId: 'm-1' }) },
      { from: 'news@example.com', configurationSet: 'events' },
    );
    await mailer.send({ raw: Buffer.from('x'), to: 'a@example.org', subscriberId: 'abc-DEF_1' });
    await mailer.send({ raw: 'y', to: 'b@example.org', subscriberId: 'not a tag value!' });
    expect(sent[0]?.input).toMatchObject({
      Source: 'news@example.com',
      Destinations: ['a@example.org'],
      ConfigurationSetName: 'events',
      Tags: [{ Name: 'subscriberId', Value: 'abc-DEF_1' }],
    });
    expect(sent[1]?.input.Tags).toBeUndefined();
    // A run's message carries its run, so its bounces and complaints are counted for that run.
    await mailer.send({ raw: 'z', to: 'c@example.org', subscriberId: 's1', run: { id: 'alert#a1', kind: 'alert' } });
    expect(sent[2]?.input.Tags).toEqual([
      { Name: 'subscriberId', Value: 's1' },
      { Name: 'runId', Value: Buffer.from('alert#a1').toString('base64url') },
      { Name: 'runKind', Value: 'alert' },
    ]);
    expect(Buffer.from(sent[1]?.input.RawMessage?.Data ?? []).toString()).toBe('y');
  });

  it('never reports a send without a MessageId as sent', async () => {
    const mailer = createSesMailer({ send: async () => ({}) }, { from: 'news@example.com' });
    await expect(mailer.send({ raw: 'x', to: 'a@example.org', subscriberId: 's' })).rejects.toBeInstanceOf(SesNoMessageIdError);
  });

  it('passes SDK errors through unchanged so callers can classify throttling', async () => {
    const throttled = Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });
    const mailer = createSesMailer({ send: async () => Promise.reject(throttled) }, { from: 'news@example.com' });
    await expect(mailer.send({ raw: 'x', to: 'a@example.org', subscriberId: 's' })).rejects.toBe(throttled);
  });
});
