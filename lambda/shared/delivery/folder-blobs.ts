import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
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

  /** The first `max` keys under `prefix` (a folder, ending in "/"), in ascending key order as S3 lists them. */
  async list(prefix: string, max: number): Promise<string[]> {
    if (!prefix.endsWith('/')) throw new BlobKeyError('list takes a folder prefix ending in "/"');
    let names: string[];
    try {
      names = (await readdir(this.pathOf(prefix.slice(0, -1)), { recursive: true, withFileTypes: true }))
        .filter((d) => d.isFile() && !d.name.endsWith('.tmp'))
        .map((d) => path.relative(this.pathOf(prefix.slice(0, -1)), path.join(d.parentPath, d.name)).split(path.sep).join('/'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // S3 orders keys by their UTF-8 bytes; for the ASCII keys written here that is code-unit order.
    return names.map((n) => `${prefix}${n}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, max);
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
