/** `npm start` as a function: the example data end to end, twice on the same data, then --fresh. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../lambda/shared/logger.ts';
import { wantsTopics } from '../../lambda/shared/subscriptions/model.ts';
import { formatSummary, runStart, StartInputError, type StartOptions } from '../../scripts/start.ts';

const root = mkdtempSync(path.join(tmpdir(), 'newsbrief-start-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const options: StartOptions = {
  dataDir: path.join(root, 'data'),
  outboxDir: path.join(root, 'outbox'),
  articlesDir: 'examples/articles',
  subscribersFile: 'examples/subscribers.json',
  log: silentLog,
};

function emls(): string[] {
  return readdirSync(options.outboxDir).filter((f) => f.endsWith('.eml'));
}

describe('npm start', { timeout: 120_000 }, () => {
  it('delivers the examples, then sends nothing new on a second run, and everything again with --fresh', async () => {
    const first = await runStart(options);

    expect(first.digest.outcome).toBe('complete');
    expect(first.articles).toHaveLength(readdirSync('examples/articles').length);
    expect(first.delivery).toMatchObject({ failed: 0, rejected: 0 });
    expect(first.deadLetters).toBe(0);
    expect(first.outbox).toHaveLength(first.delivery.sent);
    expect(emls()).toHaveLength(first.delivery.sent);
    expect(readdirSync(options.outboxDir).filter((f) => f.endsWith('.html'))).toHaveLength(first.delivery.sent);

    // Who should get what, derived from the example subscribers and the ingested articles' topics.
    const confirmed = first.subscribers.filter((s) => s.status === 'confirmed');
    const expected = [
      ...first.articles.flatMap((a) =>
        confirmed.filter((s) => s.frequency === 'immediate' && wantsTopics(s.topics, a.topics)).map((s) => `alert:${s.id}`),
      ),
      ...confirmed
        .filter((s) => s.frequency === 'daily' && first.articles.some((a) => wantsTopics(s.topics, a.topics)))
        .map((s) => `digest:${s.id}`),
    ].sort();
    expect(expected.length).toBeGreaterThan(3);
    // A daily reader whose topics match nothing exists in the examples, and gets no blank digest.
    expect(first.digest.counts.skipped).toBeGreaterThan(0);

    const byId = new Map(first.subscribers.map((s) => [s.id, s]));
    const got = first.outbox.map((o) => {
      const sub = byId.get(o.subscriberId)!;
      const raw = readFileSync(o.file, 'utf8');
      expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
      expect(raw).toContain(`To: ${sub.email}`);
      return `${sub.frequency === 'immediate' ? 'alert' : 'digest'}:${sub.id}`;
    });
    expect(got.sort()).toEqual(expected);
    expect(formatSummary(first)).toMatch(/Emails sent: \d+/);

    const second = await runStart(options);
    expect(second.articles.every((a) => a.outcome === 'duplicate')).toBe(true);
    expect(['empty', 'duplicate']).toContain(second.digest.outcome);
    expect(second.delivery.sent).toBe(0);
    expect(emls()).toEqual([]);

    const fresh = await runStart({ ...options, fresh: true });
    expect(fresh.delivery.sent).toBe(first.delivery.sent);
    expect(new Set(fresh.subscribers.map((s) => s.id))).not.toEqual(new Set(first.subscribers.map((s) => s.id)));
  });

  it('names the file and the reason when the subscribers file is bad', async () => {
    await expect(runStart({ ...options, subscribersFile: path.join(root, 'missing.json') })).rejects.toThrow(
      new StartInputError(`${path.join(root, 'missing.json')}: file not found`),
    );
    const bad = path.join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ email: 'ok@example.com' }, { email: 'no-at-sign', topics: ['asia'] }]));
    await expect(runStart({ ...options, subscribersFile: bad })).rejects.toThrow(new RegExp(`^${bad}: entry \\[1\\]: email must look like`));
    writeFileSync(bad, JSON.stringify([{ email: 'ok@example.com', frequency: 'hourly' }]));
    await expect(runStart({ ...options, subscribersFile: bad })).rejects.toThrow(/bad\.json: \[0\.frequency\]/);
  });
});
