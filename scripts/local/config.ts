/**
 * The local deployment that `npm start` and `npm run serve` share: one data folder (dynalite,
 * the blob folder standing in for the bucket, the signing keyring) and one configuration
 * (delivery-env.ts). So every link in `npm start`'s outbox (unsubscribe, preferences, view in
 * browser) works on `npm run serve` started afterwards, and serve shows the archive of what start sent.
 */
import path from 'node:path';

/** The shared data folder (gitignored). Only one of the two may run at a time: dynalite locks it. */
export const LOCAL_DATA_DIR = '.data/local';
/** The bucket's stand-in inside a data folder. */
export function localBlobsDir(dataDir: string): string {
  return path.join(dataDir, 'blobs');
}

