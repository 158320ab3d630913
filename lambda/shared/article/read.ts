/** Reading article files from disk for the CLI; the parsing itself (parse.ts) stays free of fs. */
import { open } from 'node:fs/promises';
import { ArticleParseError } from './errors.ts';
import type { Article } from './model.ts';
import { formatOf, maxBytesOf, parseArticle } from './parse.ts';

/** Read and parse one article file; the size is checked before reading so a huge file is never loaded. */
export async function readArticleFile(path: string): Promise<Article> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : `cannot open (${code ?? String(cause)})`;
    throw new ArticleParseError(path, reason, { cause });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ArticleParseError(path, 'not a regular file');
    const format = formatOf(path);
    const limit = format === undefined ? undefined : maxBytesOf(format);
    if (limit !== undefined && info.size > limit) {
      throw new ArticleParseError(path, `file is too large (${info.size} bytes; the limit is ${limit} bytes, ${limit / 1024 / 1024} MB)`);
    }
    const content = await handle.readFile();
    return parseArticle(content, path);
  } catch (cause) {
    if (cause instanceof ArticleParseError) throw cause;
    throw new ArticleParseError(path, `cannot read (${(cause as Error).message})`, { cause });
  } finally {
    await handle.close();
  }
}
