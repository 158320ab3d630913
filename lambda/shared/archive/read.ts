import { entrySchema, ENTRIES_PREFIX, issueOfEntryKey, pageKey, PAGE_ID, type ArchiveEntry } from './model.ts';

/** Reading the archive: the capability the archive function has on the bucket, below `archive/` only. */
export interface ArchiveReader {
  get(key: string): Promise<Buffer | null>;
  list(prefix: string, max: number): Promise<string[]>;
}

/** Keys listed per index request: enough for `max` issues with several topic editions each. */
const LIST_LIMIT = 1000;

/**
 * The newest `max` issues of the index, one entry per issue (its fullest topic edition), newest
 * first. An entry that cannot be read or parsed is left out rather than failing the page.
 */
export async function latestEntries(reader: ArchiveReader, max: number): Promise<ArchiveEntry[]> {
  const keys = await reader.list(ENTRIES_PREFIX, LIST_LIMIT);
  const firstOfIssue: string[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    const issue = issueOfEntryKey(key);
    if (issue === null || seen.has(issue)) continue;
    seen.add(issue);
    firstOfIssue.push(key);
    if (firstOfIssue.length >= max) break;
  }
  const entries = await Promise.all(
    firstOfIssue.map(async (key) => {
      const body = await reader.get(key);
      if (body === null) return null;
      try {
        const parsed = entrySchema.safeParse(JSON.parse(body.toString('utf8')));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    }),
  );
  return entries.filter((e): e is ArchiveEntry => e !== null);
}

/** The web version with page id `id`, or null when there is none (or the id is malformed). */
export async function readPage(reader: Pick<ArchiveReader, 'get'>, id: string): Promise<string | null> {
  if (!PAGE_ID.test(id)) return null;
  const body = await reader.get(pageKey(id));
  return body === null ? null : body.toString('utf8');
}
