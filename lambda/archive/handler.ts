import { S3Client } from '@aws-sdk/client-s3';
import { readEnv } from '../shared/config.ts';
import { S3BlobStore } from '../shared/delivery/s3-blobs.ts';
import { lazyHandler } from '../shared/http.ts';
import { powertoolsLog, type Log } from '../shared/logger.ts';
import type { ArchiveReader } from '../shared/archive/read.ts';
import { createArchiveApp, type ArchiveApp } from './app.ts';
import { archiveEnvSchema } from './config.ts';

/**
 * Lambda entry point of the archive (GET /archive, /archive/feed.xml, /archive/{id} on the HTTP API).
 * Built on the first invocation: environment validated, S3 client made; nothing at import time.
 */

/** Build the archive app from an environment (also used by `npm run serve`, with a folder as reader). */
export function archiveAppFromEnvironment(
  env: Record<string, string | undefined> = process.env,
  options: { readonly reader?: ArchiveReader; readonly log?: Log } = {},
): ArchiveApp {
  const config = readEnv(archiveEnvSchema, env);
  return createArchiveApp({
    reader: options.reader ?? new S3BlobStore(new S3Client({}), config.BUCKET_NAME),
    mode: config.ARCHIVE,
    newsletterName: config.NEWSLETTER_NAME,
    publicUrl: config.PUBLIC_URL,
    log: options.log ?? powertoolsLog,
  });
}

/** The Lambda handler (API Gateway HTTP API, payload format 2.0). A bad configuration answers 500, never a stack. */
export const handler = lazyHandler(async () => archiveAppFromEnvironment());
