/**
 * The local deployment that `npm start` and `npm run serve` share: one data folder (dynalite,
 * the blob folder standing in for the bucket, the signing keyring) and one configuration
 * (delivery-env.ts). So every link in `npm start`'s outbox (unsubscribe, preferences, view in
 * browser) works on `npm run serve` started afterwards, and serve shows the archive of what start sent.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The shared data folder (gitignored). Only one of the two may run at a time: dynalite locks it. */
export const LOCAL_DATA_DIR = '.data/local';
/** The bucket's stand-in inside a data folder. */
export function localBlobsDir(dataDir: string): string {
  return path.join(dataDir, 'blobs');
}

/** The data folder is held by another local run (dynalite locks it). */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Mark `dataDir` as used by this process (`npm start` or `npm run serve`) until `release()`.
 * dynalite's database in it can be open in one process only; a second one would fail deep inside
 * with "Database is closed", so it is told plainly who holds the folder instead.
 */
export function claimDataDir(dataDir: string, by: string): { release(): void } {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'in-use.json');
  if (existsSync(file)) {
    try {
      const holder = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; by?: unknown };
      if (typeof holder.pid === 'number' && alive(holder.pid)) {
        throw new DataDirInUseError(`${dataDir} is in use by ${String(holder.by)} (pid ${holder.pid}); stop it first, then run this again`);
      }
    } catch (error) {
      if (error instanceof DataDirInUseError) throw error;
      // An unreadable marker is a leftover: taken over below.
    }
  }
  const id = randomBytes(8).toString('hex');
  writeFileSync(file, JSON.stringify({ pid: process.pid, by, id }));
  return {
    release() {
      try {
        const holder = JSON.parse(readFileSync(file, 'utf8')) as { id?: unknown };
        if (holder.id === id) rmSync(file, { force: true });
      } catch {
        // Already gone (e.g. --fresh wiped the folder).
      }
    },
  };
}
