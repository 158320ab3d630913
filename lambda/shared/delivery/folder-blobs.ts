import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore } from './ports.ts';

/** A key that would escape the folder (absolute, `..`, empty segment). */
export class BlobKeyError extends Error {
  override readonly name = 'BlobKeyError';
}

/** The blob store on a local folder (npm start, tests): key `a/b.json` is file `<root>/a/b.json`. */
export class FolderBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  /** The file path of a key; rejects keys that would leave the folder. */
  pathOf(key: string): string {
    const parts = key.split('/');
    if (key.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) {
      throw new BlobKeyError(`blob key ${JSON.stringify(key)} is not a relative path of plain segments`);
    }
    return path.join(this.root, ...parts);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async put(key: string, body: string | Buffer, _contentType?: string): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    // Write then rename: a reader never sees half an issue (S3 puts are atomic too).
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, file);
  }
}
