import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { analyze } from '../shared/analysis/analyze.ts';
import { ArticleParseError } from '../shared/article/errors.ts';
import { parseArticle } from '../shared/article/parse.ts';
import { ingestArticle, type IngestOutcome, type IngestResult } from '../shared/delivery/ingest.ts';
import { deliveryRuntime, remainingTime, type DeliveryRuntime } from '../shared/delivery/runtime.ts';
import { lazy } from '../shared/lazy.ts';

/**
 * Lambda entry point of ingest: S3 ObjectCreated events for `articles/…` in the bucket. Each object
 * is read, parsed, analysed and stored (idempotent by content hash), and its immediate alerts are
 * fanned out. A file that cannot be parsed is reported by key and reason and skipped (a retry would
 * fail the same way); any other failure fails the invocation, and Lambda's retry is safe because
 * every step is idempotent.
 */

/** Only objects under this prefix are articles; the issues archive lives in the same bucket. */
export const ARTICLE_PREFIX = 'articles/';

const s3EventSchema = z.object({
  Records: z
    .array(
      z.object({
        s3: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string().min(1) }) }),
      }),
    )
    .min(1),
});

/** The event is not an S3 notification. */
export class InvalidIngestEventError extends Error {
  override readonly name = 'InvalidIngestEventError';
}

/** An alert fan-out stopped before the time limit; failing makes Lambda retry and resume it. */
export class AlertFanOutPausedError extends Error {
  override readonly name = 'AlertFanOutPausedError';
}

export interface IngestSummary {
  readonly results: {
    key: string;
    outcome: IngestOutcome;
    articleId: string;
    alerts: number;
    title: string;
    topics: string[];
    keyQuotes: string[];
  }[];
  readonly rejected: { key: string; reason: string }[];
  readonly ignored: string[];
}

/** One ingest result as the summary reports it (npm start prints the feed poll's results the same way). */
export function resultRow(key: string, result: IngestResult): IngestSummary['results'][number] {
  return {
    key,
    outcome: result.outcome,
    articleId: result.article.id,
    alerts: result.alerts.enqueued,
    title: result.article.brief.title,
    topics: result.article.brief.topics,
    keyQuotes: result.article.brief.keyQuotes.map((q) => `“${q.text}” — ${q.speaker?.name ?? 'unattributed'}`),
  };
}

/** S3 event keys are URL-encoded with `+` for spaces. */
export function objectKeyOf(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** Build the handler over a runtime (the Lambda builds it from the environment; npm start and tests pass their own). */
export function createIngestHandler(
  runtime: () => Promise<DeliveryRuntime>,
): (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>) => Promise<IngestSummary> {
  return async (event, context) => {
    const parsed = s3EventSchema.safeParse(event);
    if (!parsed.success) throw new InvalidIngestEventError('not an S3 object-created notification');
    const rt = await runtime();
    const summary: IngestSummary = { results: [], rejected: [], ignored: [] };
    let paused = false;
    for (const record of parsed.data.Records) {
      const key = objectKeyOf(record.s3.object.key);
      if (!key.startsWith(ARTICLE_PREFIX)) {
        summary.ignored.push(key);
        continue;
      }
      const body = await rt.blobs.get(key);
      if (body === null) {
        // Deleted since the notification: nothing to ingest.
        summary.rejected.push({ key, reason: 'object no longer exists' });
        continue;
      }
      try {
        const result = await ingestArticle(
          body,
          key,
          { ...rt, parse: parseArticle, analyze, remainingMs: remainingTime(context) },
          { owner: context?.awsRequestId ?? `local-${process.pid}-${rt.now()}` },
        );
        if (result.outcome === 'paused') paused = true;
        summary.results.push(resultRow(key, result));
      } catch (error) {
        if (!(error instanceof ArticleParseError)) throw error;
        rt.log.warn('article rejected', { key, reason: error.reason });
        summary.rejected.push({ key, reason: error.reason });
      }
    }
    if (paused) throw new AlertFanOutPausedError('an alert fan-out paused before the time limit; the retry resumes it');
    return summary;
  };
}

/** The Lambda handler. */
export const handler = createIngestHandler(lazy(() => deliveryRuntime()));
