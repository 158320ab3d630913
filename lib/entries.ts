import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions of the stack, named as their folders under lambda/. */
export const FUNCTION_NAMES = ['ingest', 'digest', 'sender', 'subscribe', 'mail-events', 'archive', 'poll', 'articles', 'confirm-mail'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The repository's lambda/ folder, independent of the working directory. */
export const LAMBDA_ROOT = fileURLToPath(new URL('../lambda/', import.meta.url));

/** The entry module of each function: `<root>/<name>/handler.ts`, which exports `handler`. */
export function entriesUnder(root: string = LAMBDA_ROOT): Record<FunctionName, string> {
  return Object.fromEntries(FUNCTION_NAMES.map((name) => [name, join(root, name, 'handler.ts')])) as Record<FunctionName, string>;
}
