import { createHash } from 'node:crypto';
import * as z from 'zod';
import { FREQUENCIES } from '../subscriptions/model.ts';
import type { BlobStore } from './ports.ts';

/**
 * The issues archive: one rendered email per (run, topic selection), stored as JSON at
 * `issues/<runId>/<selection>.json` in the bucket (a folder locally). The digest and ingest steps
 * render once and write it; the sender reads it by the `issueKey` in each send job and only fills in
 * the per-recipient values (unsubscribe and preferences links), never re-running MJML.
 */

/** Bumped when the stored shape changes incompatibly; the sender refuses versions it does not know. */
export const ISSUE_SCHEMA_VERSION = 1;

/** Mirrors `RenderedEmail` in lambda/shared/email/types.ts (plain JSON, so it can be archived). */
export const renderedEmailSchema = z
  .object({
    kind: z.enum(['digest', 'alert', 'confirm']),
    subject: z.string().min(1),
    preheader: z.string(),
    html: z.string().min(1),
    text: z.string().min(1),
    slotKey: z.string().min(1),
    slots: z.array(z.enum(['unsubscribeUrl', 'preferencesUrl', 'confirmUrl', 'greeting'])),
  })
  .strict();
export type StoredEmail = z.infer<typeof renderedEmailSchema>;

export const renderedIssueSchema = z
  .object({
    schemaVersion: z.literal(ISSUE_SCHEMA_VERSION),
    /** The run this issue belongs to (digest run id or `alert#<articleId>`); the ledger key with the subscriber id. */
    runId: z.string().min(1).max(200),
    kind: z.enum(['digest', 'alert']),
    /** The frequency the recipients receive (`immediate` for alerts); shown in the footer ("why you get this"). */
    frequency: z.enum(FREQUENCIES),
    /** The subscriber topic selection this issue was rendered for, sorted; empty = every topic. */
    topics: z.array(z.string().min(1)),
    /** The selection key (see `selectionKey`), also the file name in the archive. */
    selection: z.string().min(1),
    /** Article ids (content hashes) in the order shown. Never empty: a selection without articles is not sent. */
    articleIds: z.array(z.string().min(1)).min(1),
    /**
     * The email module's RenderedEmail (renderDigest / renderAlert), stored as is: per-recipient slots
     * are still placeholders keyed by `slotKey`; the sender passes this to personalise() and buildMessage().
     */
    email: renderedEmailSchema,
    /** ISO time the issue was rendered. */
    renderedAt: z.string().min(1),
  })
  .strict();
export type RenderedIssue = z.infer<typeof renderedIssueSchema>;

/** A stored issue is missing or does not match the schema (a bug or a tampered archive, never retried blindly). */
export class IssueArchiveError extends Error {
  override readonly name = 'IssueArchiveError';
}

/**
 * The key for a topic selection: sorted, de-duplicated slugs joined with `+`, or `all` for the
 * empty selection (every topic). Very long selections are hashed so object keys stay short.
 */
export function selectionKey(topics: readonly string[]): string {
  const sorted = [...new Set(topics)].sort();
  if (sorted.length === 0) return 'all';
  const joined = sorted.join('+');
  if (joined.length <= 120) return joined;
  return `h-${createHash('sha256').update(joined).digest('hex').slice(0, 32)}`;
}

/** Sorted, de-duplicated topics: the canonical form stored on an issue. */
export function canonicalTopics(topics: readonly string[]): string[] {
  return [...new Set(topics)].sort();
}

/** Object key of the rendered issue for a run and a selection: `issues/<runId>/<selection>.json`. */
export function issueKey(runId: string, selection: string): string {
  // Run ids contain `#` and `:`; encode them so the key is safe as an S3 key, a URL path and a file name.
  return `issues/${encodeURIComponent(runId)}/${encodeURIComponent(selection)}.json`;
}

/** Parse a stored issue, or throw an IssueArchiveError naming the key and the reason. */
export function parseRenderedIssue(key: string, body: Buffer | string): RenderedIssue {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (error) {
    throw new IssueArchiveError(`${key}: not JSON`, { cause: error });
  }
  const parsed = renderedIssueSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new IssueArchiveError(`${key}: not a rendered issue (${problems})`);
  }
  return parsed.data;
}

/** Read the rendered issue at `key`; throws IssueArchiveError when it is missing or malformed. */
export async function readIssue(blobs: Pick<BlobStore, 'get'>, key: string): Promise<RenderedIssue> {
  const body = await blobs.get(key);
  if (body === null) throw new IssueArchiveError(`${key}: no such issue in the archive`);
  return parseRenderedIssue(key, body);
}

/** Write an issue to the archive at its key (derived from runId and selection) and return the key. */
export async function writeIssue(blobs: Pick<BlobStore, 'put'>, issue: RenderedIssue): Promise<string> {
  const key = issueKey(issue.runId, issue.selection);
  await blobs.put(key, JSON.stringify(renderedIssueSchema.parse(issue)), 'application/json');
  return key;
}
