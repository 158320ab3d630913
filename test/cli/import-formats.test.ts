import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, ImportFileError, parseExport, sourceTime, splitTags } from '../../cli/import-formats.ts';

// The export readers, on one realistic export per format written for these tests (test/cli/fixtures/imports),
// each with its tool's quirks: Mailchimp's BOM, CRLF, quoted commas, a note spanning two lines and its
// CSV-in-a-cell TAGS; listmonk's JSON attributes and enabled/disabled/blocklisted; Substack's
// email_disabled; Buttondown's subscriber_type and comma-separated tags; a plain email,topics,frequency file.

const fixture = (name: string) => readFileSync(new URL(`./fixtures/imports/${name}`, import.meta.url), 'utf8');

describe('parseExport', () => {
  it('reads a Mailchimp audience export: BOM, CRLF, quoted commas, a two-line note, TAGS as a CSV list', () => {
    const parsed = parseExport(fixture('mailchimp-subscribed.csv'));
    expect(parsed.format).toBe('mailchimp');
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows.map((r) => [r.line, r.email, r.state, r.tags])).toEqual([
      [2, 'asha.r@example.com', 'subscribed', ['Asia', 'Diplomacy']],
      [3, 'ben@example.org', 'subscribed', ['VIP', 'Climate']],
      [4, 'Chen.Li@Example.COM', 'subscribed', []],
      [5, 'asha.r@EXAMPLE.com', 'subscribed', ['Asia']],
      [6, 'dana(at)example.org', 'subscribed', []],
      // The note before it spans two lines inside quotes; the row still starts on line 7.
      [7, 'emre@example.com', 'subscribed', ['Sports']],
    ]);
    // CONFIRM_TIME (the double opt-in) is the consent time; Mailchimp writes UTC without a zone.
    expect(parsed.rows[0]?.optInAt).toBe('2023-02-11T08:15:40.000Z');
  });

  it('reads Mailchimp unsubscribed and cleaned exports as opt-outs, by their extra columns or a status column', () => {
    const unsub = parseExport('Email Address,OPTIN_TIME,UNSUB_TIME,UNSUB_REASON\nx@example.com,2020-01-01 00:00:00,2021-01-01 00:00:00,"No longer interested"\n');
    expect(unsub.rows[0]?.state).toBe('unsubscribed');
    const cleaned = parseExport('Email Address,OPTIN_TIME,CLEAN_TIME\nx@example.com,2020-01-01 00:00:00,2021-01-01 00:00:00\n');
    expect(cleaned.rows[0]?.state).toBe('bounced');
    const status = parseExport('Email Address,LEID,STATUS\na@example.com,1,pending\nb@example.com,2,frobbed\n');
    expect(status.rows.map((r) => r.state)).toEqual(['unconfirmed']);
    expect(status.problems).toEqual([{ line: 3, reason: 'unknown Mailchimp status "frobbed"' }]);
  });

  it('reads a listmonk export: JSON attributes with topics and frequency, enabled / disabled / blocklisted, broken JSON reported', () => {
    const parsed = parseExport(fixture('listmonk-export.csv'));
    expect(parsed.format).toBe('listmonk');
    expect(parsed.rows.map((r) => [r.email, r.state, r.tags, r.frequency])).toEqual([
      ['fatima@example.org', 'subscribed', ['politics', 'europe'], 'weekly'],
      ['gus@example.com', 'subscribed', [], undefined],
      ['hana@example.org', 'unsubscribed', ['climate', 'science'], undefined],
      ['ivan@example.net', 'blocked', [], undefined],
    ]);
    expect(parsed.problems).toEqual([{ line: 6, reason: 'attributes is not JSON' }]);
    expect(parsed.rows[0]?.optInAt).toBe('2023-05-01T09:30:00.123Z'); // PostgreSQL's "+00" zone
  });

  it('reads a Substack email list: email_disabled is an opt-out, paid or free alike', () => {
    const parsed = parseExport(fixture('substack-emails.csv'));
    expect(parsed.format).toBe('substack');
    expect(parsed.rows.map((r) => [r.email, r.state])).toEqual([
      ['kim@example.com', 'subscribed'],
      ['lena@example.org', 'subscribed'],
      ['marco@example.com', 'unsubscribed'],
      ['nia@example.org', 'subscribed'],
      ['KIM@example.com', 'subscribed'],
    ]);
  });

  it('reads a Buttondown export: subscriber_type to states, comma-separated tags, an unknown type reported', () => {
    const parsed = parseExport(fixture('buttondown-subscribers.csv'));
    expect(parsed.format).toBe('buttondown');
    expect(parsed.rows.map((r) => [r.email, r.state, r.tags])).toEqual([
      ['omar@example.com', 'subscribed', ['asia', 'diplomacy']],
      ['priya@example.org', 'subscribed', ['world']],
      ['quinn@example.net', 'unconfirmed', []],
      ['rosa@example.com', 'unsubscribed', ['climate']],
      ['sam@example.org', 'bounced', []],
    ]);
    expect(parsed.problems).toEqual([{ line: 7, reason: 'unknown Buttondown subscriber type "vip"' }]);
  });

  it('reads the plain format, with a header or without, topics as a quoted comma list or with ; and |', () => {
    const parsed = parseExport(fixture('plain.csv'));
    expect(parsed.format).toBe('plain');
    expect(parsed.rows.map((r) => [r.email, r.tags, r.frequency])).toEqual([
      ['uma@example.com', ['asia', 'diplomacy'], 'daily'],
      ['vic@example.org', ['climate', 'science'], 'weekly'],
      ['wen@example.com', [], 'immediate'],
      ['xavi@example.org', ['Asia', 'World'], undefined],
      ['yara@example.com', ['asia'], 'hourly'],
      ['not-an-address', [], 'daily'],
    ]);
    const bare = parseExport('a@example.com\nb@example.com,asia;world,weekly\n');
    expect(bare.header).toBe(false);
    expect(bare.rows.map((r) => [r.line, r.email, r.tags, r.frequency])).toEqual([
      [1, 'a@example.com', [], undefined],
      [2, 'b@example.com', ['asia', 'world'], 'weekly'],
    ]);
  });

  it('reads our own export back, status column included (an unsubscribed person stays an opt-out)', () => {
    const parsed = parseExport('email,topics,frequency,status\na@example.com,asia,daily,confirmed\nb@example.com,,weekly,unsubscribed\n');
    expect(parsed.rows.map((r) => r.state)).toEqual(['subscribed', 'unsubscribed']);
  });

  it('--format wins over the header', () => {
    expect(parseExport('email,subscriber_type\na@example.com,regular\n', { format: 'plain' }).format).toBe('plain');
  });

  it('refuses a file that is not CSV, has no rows, or has no address column, naming the line and the reason', () => {
    expect(() => parseExport('email,topics\n"a@example.com,asia\n')).toThrow(ImportFileError);
    expect(() => parseExport('email,topics\n"a@example.com,asia\n')).toThrow(/not readable as CSV: Quote Not Closed/);
    expect(() => parseExport('')).toThrow('the file has no rows');
    expect(() => parseExport('name,phone\nAnn,123\n')).toThrow(/line 1: the header \(name, phone\) is not a Mailchimp, listmonk, Substack or Buttondown export/);
    expect(() => parseExport('uuid,name\n1,Ann\n', { format: 'listmonk' })).toThrow('line 1: a listmonk export needs a column "email"');
  });
});

describe('the pieces', () => {
  it('detects each format by its header', () => {
    expect(detectFormat(['Email Address', 'First Name', 'MEMBER_RATING', 'OPTIN_TIME'])).toBe('mailchimp');
    expect(detectFormat(['uuid', 'email', 'name', 'attributes', 'status'])).toBe('listmonk');
    expect(detectFormat(['email', 'active_subscription', 'email_disabled'])).toBe('substack');
    expect(detectFormat(['email_address', 'type', 'creation_date'])).toBe('buttondown');
    expect(detectFormat(['Email', 'Topics'])).toBe('plain');
    expect(detectFormat(['name'])).toBeNull();
  });

  it('reads the exports\' times as UTC instants, and nothing else', () => {
    expect(sourceTime('2023-02-11 08:15:40')).toBe('2023-02-11T08:15:40.000Z');
    expect(sourceTime('2023-10-01T12:00:00.000000+00:00')).toBe('2023-10-01T12:00:00.000Z');
    expect(sourceTime('2023-05-01 09:30:00+05')).toBe('2023-05-01T04:30:00.000Z');
    expect(sourceTime('yesterday')).toBeUndefined();
    expect(sourceTime('')).toBeUndefined();
  });

  it('splits tag cells of every shape', () => {
    expect(splitTags('"Asia","VIP, Gold"')).toEqual(['Asia', 'VIP, Gold']);
    expect(splitTags('asia, world')).toEqual(['asia', 'world']);
    expect(splitTags('a;b|c')).toEqual(['a', 'b', 'c']);
    expect(splitTags(undefined)).toEqual([]);
  });
});
