/**
 * The feed path of `npm start`: serve examples/feeds/ and examples/pages/ locally, then run the real
 * poll handler once over them, against the same delivery runtime as the ingest handler (dynalite,
 * the folder "bucket", the in-process queue). Feed URLs in examples/feeds/feeds.json are relative
 * to the local server. Loopback is allowed here by the fetch option, never by the environment.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createPollHandler } from '../../lambda/poll/handler.ts';
import type { DeliveryRuntime } from '../../lambda/shared/delivery/runtime.ts';
import { feedListSchema } from '../../lambda/shared/feeds/config.ts';
import type { PollSummary } from '../../lambda/shared/feeds/poll.ts';
import { DynamoFeedStore } from '../../lambda/shared/feeds/state-dynamo.ts';
import { startFeedServer } from './feed-server.ts';

export interface LocalFeedsOptions {
  /** Holds feeds.json and the feed documents; its sibling pages/ holds the linked pages. */
  readonly feedsDir: string;
  readonly pagesDir: string;
  /** A fixed port keeps feed URLs, and so their state, the same from one run to the next. */
  readonly port: number;
  readonly delivery: () => Promise<DeliveryRuntime>;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** Poll the example feeds once; a bad feeds.json throws naming the file. */
export async function pollLocalFeeds(options: LocalFeedsOptions): Promise<PollSummary> {
  const listFile = path.join(options.feedsDir, 'feeds.json');
  const server = await startFeedServer({ feeds: options.feedsDir, pages: options.pagesDir }, options.port);
  try {
    const raw = JSON.parse(readFileSync(listFile, 'utf8')) as { url: string }[];
    const parsed = feedListSchema.safeParse(raw.map((f) => ({ ...f, url: new URL(f.url, server.url).href })));
    if (!parsed.success) throw new Error(`${listFile}: ${parsed.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; ')}`);
    const poll = createPollHandler(
      async () => ({
        delivery: await options.delivery(),
        feeds: parsed.data,
        store: new DynamoFeedStore(options.doc, options.tableName),
        metrics: { feedFailed() {}, itemsIngested() {}, oldestFailure() {}, flush() {} },
      }),
      { fetch: { allowLoopback: true } },
    );
    return await poll({});
  } finally {
    await server.close();
  }
}
