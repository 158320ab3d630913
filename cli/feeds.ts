import { Command } from 'commander';
import type { FeedConfig } from '../lambda/shared/feeds/config.ts';
import type { FeedState } from '../lambda/shared/feeds/state.ts';
import { TargetError } from './errors.ts';
import { colours, printJson, table, type Io } from './output.ts';
import { onTarget, withTargetOptions, type TargetOptions } from './target-options.ts';

/**
 * `newsbrief feeds list`: each feed the target polls, with what the poller last recorded about it
 * (lambda/shared/feeds/state.ts): when it was last fetched and last fetched well, whether it is
 * failing (since when, how many polls in a row, the last error), when it is polled next, and how
 * many items wait for their page to be fetched.
 */

/** One feed as `feeds list` reports it. */
export interface FeedRow {
  readonly url: string;
  readonly topics: readonly string[];
  readonly status: 'never polled' | 'ok' | 'failing';
  readonly lastFetchAt?: string;
  readonly lastSuccessAt?: string;
  readonly failingSince?: string;
  readonly failures: number;
  readonly lastError?: string;
  readonly nextPollAt?: string;
  /** Items whose page could not be fetched yet (retried on later polls). */
  readonly deferredItems: number;
}

/** The report row of one feed and its state (null: never polled). */
export function feedRow(feed: FeedConfig, state: FeedState | null): FeedRow {
  const base = { url: feed.url, topics: feed.topics ?? [], failures: state?.failures ?? 0, deferredItems: Object.keys(state?.pending ?? {}).length };
  if (!state?.lastAttemptAt) return { ...base, status: 'never polled' };
  return {
    ...base,
    status: state.failures > 0 ? 'failing' : 'ok',
    lastFetchAt: state.lastAttemptAt,
    ...(state.lastSuccessAt ? { lastSuccessAt: state.lastSuccessAt } : {}),
    ...(state.failingSince ? { failingSince: state.failingSince } : {}),
    ...(state.lastError ? { lastError: state.lastError } : {}),
    ...(state.nextPollAt ? { nextPollAt: state.nextPollAt } : {}),
  };
}

interface ListOptions extends TargetOptions {
  readonly json?: boolean;
}

export function feedsCommand(io: Io): Command {
  const group = new Command('feeds').description('the feeds a target polls');
  withTargetOptions(
    group
      .command('list')
      .description('each feed: last fetch, last success, status (failing since, how often, the last error), next poll, items waiting for their page')
      .option('--json', 'print JSON'),
  ).action(async (options: ListOptions) => {
    await onTarget(options, async (target) => {
      if (!target.feeds || !target.feedStore) throw new TargetError(`${target.description} keeps no feed state`);
      const feeds = await target.feeds();
      const rows = await Promise.all(feeds.map(async (feed) => feedRow(feed, await target.feedStore!.get(feed.url))));
      if (options.json) {
        printJson(io, rows);
        return;
      }
      if (rows.length === 0) {
        io.out(`${target.description} polls no feeds (add them under "feeds" in the configuration file)`);
        return;
      }
      const c = colours(io);
      const status = (r: FeedRow) =>
        r.status === 'failing' ? c.red(`failing since ${r.failingSince ?? '?'} (${r.failures} in a row)`) : r.status === 'ok' ? c.green('ok') : c.dim('never polled');
      io.out(
        table(
          io,
          ['feed', 'status', 'last fetch', 'last success', 'next poll', 'waiting'],
          rows.map((r) => [r.url, status(r), r.lastFetchAt ?? '-', r.lastSuccessAt ?? '-', r.nextPollAt ?? '-', r.deferredItems]),
        ),
      );
      for (const r of rows.filter((row) => row.lastError && row.status === 'failing')) io.out(c.yellow(`${r.url}: ${r.lastError}`));
    });
  });
  return group;
}
