import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, dataFolder, findSubscriber, tableItems } from './harness.ts';
import { clearOutbox, readOutbox, startStandins, type Standins } from '../../scripts/local/standins.ts';

// `newsbrief subscribers import | export | show | unsubscribe | forget` against dynalite on a data
// folder, as `npm start` leaves it, through the real SDK; the pending import mails the SES emulator.

const IMPORTS = new URL('./fixtures/imports/', import.meta.url).pathname;
const fixture = (name: string) => path.join(IMPORTS, name);

/** Every address a fixture holds, to check none is printed. */
function addressesIn(name: string): string[] {
  return [...readFileSync(fixture(name), 'utf8').matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)].map((m) => m[0].toLowerCase());
}

interface Report {
  format: string;
  mode: string;
  rows: number;
  counts: Record<string, number>;
  skipped: { line: number; outcome: string; reason?: string }[];
  ignoredTags: Record<string, number>;
}

async function importJson(dir: string, ...args: string[]): Promise<Report> {
  const result = await cli('subscribers', 'import', ...args, '--json', '--local', dir);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.out) as Report;
}

/** A data folder and the SES emulator the local worker mails (read back through `ses.endpoint()`), for one describe block. */
function folderAndSesEmulator(): { dir: string; ses: { endpoint(): string } } {
  const dir = dataFolder();
  let standins: Standins | undefined;
  beforeAll(async () => {
    standins = await startStandins();
    await clearOutbox(standins.sesEndpoint);
  });
  afterAll(async () => {
    await standins?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, ses: { endpoint: () => standins!.sesEndpoint } };
}

/** Only the outcomes that occurred. */
const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

describe('subscribers import --confirmed', () => {
  const dir = dataFolder();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a Mailchimp export: consent recorded with source and opt-in time, repeats and invalid rows skipped by line', async () => {
    const report = await importJson(dir, fixture('mailchimp-subscribed.csv'), '--confirmed');
    expect(report.format).toBe('mailchimp');
    expect(nonZero(report.counts)).toEqual({ confirmed: 4, invalid: 1, duplicate: 1 });
    expect(report.skipped).toEqual([
      { line: 5, outcome: 'duplicate', reason: 'same address as line 2' },
      { line: 6, outcome: 'invalid', reason: expect.any(String) },
    ]);
    expect(report.ignoredTags).toEqual({ VIP: 1 });
    const asha = await findSubscriber(dir, 'asha.r@example.com');
    expect(asha).toMatchObject({
      status: 'confirmed',
      topics: ['asia', 'diplomacy'],
      frequency: 'daily',
      consent: { method: 'operator-attested', source: 'mailchimp:mailchimp-subscribed.csv', sourceOptInAt: '2023-02-11T08:15:40.000Z' },
    });
    expect(Date.parse(asha!.consent!.attestedAt)).toBeGreaterThan(Date.now() - 120_000);
  }, 60_000);

  it('prints a table for people and no address from the file', async () => {
    const result = await cli('subscribers', 'import', fixture('listmonk-export.csv'), '--confirmed', '--local', dir);
    expect(result.code).toBe(0);
    expect(result.out).toContain('listmonk export, 5 row(s)');
    expect(result.out).toMatch(/imported, confirmed \(consent attested\)\s+2/);
    expect(result.out).toMatch(/recorded as opted out at the source \(never mailed\)\s+2/);
    expect(result.out).toContain('line 6: invalid: attributes is not JSON');
    for (const address of addressesIn('listmonk-export.csv')) expect(result.out + result.err).not.toContain(address);
  }, 60_000);

  it('is idempotent: the same files again change nothing', async () => {
    const before = await cli('subscribers', 'export', '--local', dir);
    const again = await importJson(dir, fixture('mailchimp-subscribed.csv'), '--confirmed');
    expect(nonZero(again.counts)).toEqual({ 'already-confirmed': 4, invalid: 1, duplicate: 1 });
    const listmonk = await importJson(dir, fixture('listmonk-export.csv'), '--confirmed');
    expect(nonZero(listmonk.counts)).toEqual({ 'already-confirmed': 2, unsubscribed: 1, suppressed: 1, invalid: 1 });
    const after = await cli('subscribers', 'export', '--local', dir);
    expect(after.out).toBe(before.out);
  }, 60_000);

  it('never resubscribes someone who unsubscribed, was suppressed or was forgotten, in any later file', async () => {
    expect((await cli('subscribers', 'unsubscribe', 'Chen.Li@example.com', '--local', dir)).code).toBe(0);
    expect((await cli('subscribers', 'forget', 'emre@example.com', '--local', dir)).code).toBe(0);
    const file = path.join(dir, 'comeback.csv');
    // hana unsubscribed and ivan was blocklisted in listmonk; Chen unsubscribed here; emre asked to be forgotten.
    writeFileSync(file, 'email,topics\nhana@example.org,asia\nIVAN@example.net,\nchen.li@example.com,\nemre@example.com,\nnew@example.com,world\n');
    for (const mode of [['--confirmed'], []]) {
      const report = await importJson(dir, file, ...mode);
      expect(report.counts).toMatchObject({ unsubscribed: 2, suppressed: 1, forgotten: 1 });
    }
    expect(await findSubscriber(dir, 'hana@example.org')).toMatchObject({ status: 'unsubscribed' });
    expect(await findSubscriber(dir, 'ivan@example.net')).toMatchObject({ status: 'suppressed', suppressedReason: 'import:blocked' });
    expect(await findSubscriber(dir, 'chen.li@example.com')).toMatchObject({ status: 'unsubscribed' });
    expect(await findSubscriber(dir, 'emre@example.com')).toMatchObject({ status: 'suppressed', suppressedReason: 'forgotten' });
    expect(await findSubscriber(dir, 'new@example.com')).toMatchObject({ status: 'confirmed', topics: ['world'] });
  }, 120_000);

  it('leaves out, with --confirmed, people the source says never confirmed', async () => {
    const file = path.join(dir, 'pending.csv');
    writeFileSync(file, 'email,status\npat@example.com,pending\n');
    const report = await importJson(dir, file, '--confirmed');
    expect(report.skipped).toEqual([{ line: 2, outcome: 'unconfirmed', reason: expect.stringContaining('without --confirmed') }]);
    expect(await findSubscriber(dir, 'pat@example.com')).toBeNull();
  }, 60_000);
});

describe('subscribers import (pending: double opt-in)', () => {
  const { dir, ses } = folderAndSesEmulator();

  it('creates each person pending and sends one confirmation mail each, through the SES emulator', async () => {
    const report = await importJson(dir, fixture('plain.csv'), '--rate', '50');
    expect(nonZero(report.counts)).toEqual({ requested: 4, invalid: 2 });
    expect(report.skipped.map((s) => [s.line, s.reason])).toEqual([
      [6, 'frequency "hourly" is not offered (immediate, daily, weekly)'],
      [7, expect.any(String)],
    ]);
    const uma = await findSubscriber(dir, 'uma@example.com');
    expect(uma).toMatchObject({ status: 'pending', topics: ['asia', 'diplomacy'], frequency: 'daily' });
    expect(uma?.consent).toBeUndefined();
    expect(await findSubscriber(dir, 'xavi@example.org')).toMatchObject({ status: 'pending', topics: ['world', 'asia'] });
    const mails = await readOutbox(ses.endpoint());
    expect(mails.map((m) => m.destination.to.join()).sort()).toEqual(['uma@example.com', 'vic@example.org', 'wen@example.com', 'xavi@example.org']);
    // Again: everyone is pending already, so no second mail.
    const again = await importJson(dir, fixture('plain.csv'));
    expect(nonZero(again.counts)).toEqual({ 'already-pending': 4, invalid: 2 });
    expect(await readOutbox(ses.endpoint())).toHaveLength(4);
  }, 60_000);
});

describe('subscribers import --dry-run', () => {
  const { dir, ses } = folderAndSesEmulator();

  /** Every item of the folder's table, to see that a dry run wrote nothing. */
  async function items(): Promise<string[]> {
    const standins = await startStandins({ dataDir: path.join(dir, 'dynamo') });
    try {
      return await tableItems(standins.dynamoEndpoint);
    } finally {
      await standins.stop();
    }
  }

  it('reports what would be added or skipped, and why, and writes, queues and mails nothing; the import then does just that', async () => {
    expect(nonZero((await importJson(dir, fixture('listmonk-export.csv'), '--confirmed')).counts)).toEqual({ confirmed: 2, 'opted-out': 2, invalid: 1 });
    const file = path.join(dir, 'mixed.csv');
    // hana unsubscribed and ivan was blocklisted in listmonk; gus is subscribed there; the rest are new.
    writeFileSync(file, 'email,topics\nhana@example.org,asia\nIVAN@example.net,\ngus@example.com,\nnew@example.com,world\nnew@example.com,\nnot-an-address,\n');
    const before = await items();

    const dry = await importJson(dir, file, '--confirmed', '--dry-run');
    expect(dry).toMatchObject({ dryRun: true, mode: 'confirmed', rows: 6 });
    expect(nonZero(dry.counts)).toEqual({ confirmed: 1, unsubscribed: 1, suppressed: 1, 'already-confirmed': 1, duplicate: 1, invalid: 1 });
    expect(dry.skipped.map((s) => [s.line, s.outcome])).toEqual([
      [2, 'unsubscribed'],
      [3, 'suppressed'],
      [4, 'already-confirmed'],
      [6, 'duplicate'],
      [7, 'invalid'],
    ]);
    // Without --confirmed: the new person would be asked (a confirmation mail), but nothing is queued or sent.
    const pending = await importJson(dir, file, '--dry-run');
    expect(nonZero(pending.counts)).toMatchObject({ requested: 1 });
    const human = await cli('subscribers', 'import', file, '--confirmed', '--dry-run', '--local', dir);
    expect(human.code).toBe(0);
    expect(human.out).toContain('dry run: nothing written');
    expect(human.out).toMatch(/would be imported, confirmed \(consent attested\)\s+1/);
    expect(human.out).toMatch(/would be skipped: unsubscribed here before\s+1/);
    expect(human.out).toContain('line 6: duplicate: same address as line 5');
    expect(human.out).toContain('nothing was written');
    for (const address of ['hana@example.org', 'ivan@example.net', 'gus@example.com', 'new@example.com']) expect(human.out).not.toContain(address);

    expect(await items()).toEqual(before);
    expect(await findSubscriber(dir, 'new@example.com')).toBeNull();
    expect(await readOutbox(ses.endpoint())).toEqual([]);

    const real = await importJson(dir, file, '--confirmed');
    expect(real.counts).toEqual(dry.counts);
    expect(real).toMatchObject({ dryRun: false });
    expect(await findSubscriber(dir, 'new@example.com')).toMatchObject({ status: 'confirmed', topics: ['world'] });
  }, 120_000);
});

describe('subscribers import: bad files and options', () => {
  const dir = dataFolder();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['missing.csv', null, 'missing.csv: no such file'],
    ['people.csv', 'name,phone\nAda,123\n', 'people.csv: line 1: the header (name, phone) is not a Mailchimp, listmonk, Substack or Buttondown export'],
    ['broken.csv', 'email,topics\n"a@example.com,asia\n', 'broken.csv: not readable as CSV: Quote Not Closed'],
    ['empty.csv', '', 'empty.csv: the file has no rows'],
  ])('exits 2 naming the file and the reason: %s', async (name, content, message) => {
    const file = path.join(dir, name);
    if (content !== null) writeFileSync(file, content);
    const result = await cli('subscribers', 'import', file, '--confirmed', '--local', dir);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['--format', 'constantcontact'], "--format <format>' argument 'constantcontact' is invalid"],
    [['--topics', 'Asia'], '--topics: Asia not a topic slug'],
    [['--topics', 'gardening'], '--topics: gardening not offered by local data'],
    [['--rate', '0'], '--rate: must be a whole number of at least 1'],
  ])('exits 2 on a bad option: %j', async (args, message) => {
    const result = await cli('subscribers', 'import', fixture('plain.csv'), ...args, '--local', dir);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });
});

describe('subscribers export, show, unsubscribe, forget', () => {
  const dir = dataFolder();
  const copy = dataFolder();
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(copy, { recursive: true, force: true });
  });

  it('exports every subscriber in the columns import reads, never a forgotten one, and re-imports to the same list', async () => {
    await importJson(dir, fixture('buttondown-subscribers.csv'), '--confirmed');
    await importJson(dir, fixture('substack-emails.csv'), '--confirmed');
    expect((await cli('subscribers', 'forget', 'kim@example.com', '--local', dir)).code).toBe(0);
    const exported = await cli('subscribers', 'export', '--local', dir);
    expect(exported.code).toBe(0);
    expect(exported.err).toMatch(/^\d+ subscriber\(s\) exported from local data/);
    const rows = parse(exported.out, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['email', 'topics', 'frequency', 'status', 'created_at', 'confirmed_at', 'consent_source']);
    expect(rows.map((r) => r.email)).not.toContain('kim@example.com');
    expect(exported.out).not.toContain('kim@');
    expect(rows.find((r) => r.email === 'omar@example.com')).toMatchObject({ topics: 'asia,diplomacy', status: 'confirmed', consent_source: 'buttondown:buttondown-subscribers.csv' });
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['confirmed', 'unsubscribed', 'suppressed']));

    const file = path.join(copy, 'export.csv');
    writeFileSync(file, exported.out);
    const report = await importJson(copy, file, '--confirmed');
    expect(report.format).toBe('plain');
    expect(report.counts.invalid).toBe(0);
    const reexported = await cli('subscribers', 'export', '--local', copy);
    const strip = (csv: string) =>
      (parse(csv, { columns: true }) as Record<string, string>[]).map((r) => [r.email, r.topics, r.frequency, r.status]).sort();
    expect(strip(reexported.out)).toEqual(strip(exported.out));
  }, 120_000);

  it('exports only one state with --status', async () => {
    const result = await cli('subscribers', 'export', '--status', 'unsubscribed', '--local', dir);
    const rows = parse(result.out, { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'unsubscribed')).toBe(true);
  }, 60_000);

  it('shows one subscriber with the address masked and the consent recorded', async () => {
    const result = await cli('subscribers', 'show', 'Omar@example.com', '--json', '--local', dir);
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.out) as Record<string, string>;
    expect(shown).toMatchObject({ address: 'o***@example.com', status: 'confirmed', topics: 'asia,diplomacy', frequency: 'daily' });
    expect(shown.consent).toMatch(/^operator-attested, buttondown:buttondown-subscribers\.csv, attested \S+, opted in at the source 2023-10-01T12:00:00\.000Z$/);
    expect(result.out).not.toContain('omar@');
    const table = await cli('subscribers', 'show', 'omar@example.com', '--local', dir);
    expect(table.out).toMatch(/status\s+confirmed/);
  }, 60_000);

  it('unsubscribes and forgets one address; both idempotent; an unknown address exits 1', async () => {
    expect((await cli('subscribers', 'unsubscribe', 'omar@example.com', '--local', dir)).out).toMatch(/^subscriber \S+: unsubscribed$/);
    expect((await cli('subscribers', 'unsubscribe', 'omar@example.com', '--local', dir)).out).toMatch(/: was already unsubscribed$/);
    expect((await cli('subscribers', 'forget', 'omar@example.com', '--local', dir)).out).toMatch(/: forgotten: address erased/);
    const shown = await cli('subscribers', 'show', 'omar@example.com', '--json', '--local', dir);
    expect(JSON.parse(shown.out)).toMatchObject({ address: '(erased)', status: 'suppressed (forgotten)' });
    expect((await cli('subscribers', 'forget', 'omar@example.com', '--local', dir)).out).toMatch(/: was already forgotten$/);
    const unknown = await cli('subscribers', 'show', 'nobody@example.com', '--local', dir);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no subscriber with that address in local data');
    expect((await cli('subscribers', 'show', 'not-an-address', '--local', dir)).code).toBe(2);
  }, 60_000);
});
