import * as z from 'zod';
import { ARCHIVE_MODES } from '../shared/archive/model.ts';

/** The archive function's environment, checked at cold start. */
export const archiveEnvSchema = z.object({
  /** The bucket whose `archive/` prefix holds the pages and index entries. */
  BUCKET_NAME: z.string().min(1),
  NEWSLETTER_NAME: z.string().min(1).default('newsbrief'),
  /** Base URL of the API; the index and feed link to absolute URLs on it. */
  PUBLIC_URL: z.url(),
  /** `public` serves pages, the index and the feed; `unlisted` pages only; `off` nothing. */
  ARCHIVE: z.enum(ARCHIVE_MODES).default('unlisted'),
});
export type ArchiveEnv = z.infer<typeof archiveEnvSchema>;
