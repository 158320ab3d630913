import type { Command } from 'commander';
import { UsageError } from './errors.ts';
import { DEFAULT_LOCAL_DIR, openLocal, openStack, type LocalTarget, type StackTarget } from './targets.ts';

/** The target options every command takes. */
export interface TargetOptions {
  readonly local?: string | boolean;
  readonly stack?: string;
  readonly region?: string;
}

/** Add `--local [dir]`, `--stack NAME` and `--region REGION` to `command`. */
export function withTargetOptions(command: Command): Command {
  return command
    .option('--local [dir]', `the local data of npm start and npm run serve (${DEFAULT_LOCAL_DIR})`)
    .option('--stack <name>', 'a deployed stack, found by its CloudFormation outputs (standard AWS credentials)')
    .option('--region <region>', 'AWS region of --stack (default: AWS_REGION or your profile)');
}

/** Open the one target the options name, run `fn` on it, and close it. */
export async function onTarget<T>(options: TargetOptions, fn: (target: LocalTarget | StackTarget) => Promise<T>): Promise<T> {
  if ((options.local === undefined) === (options.stack === undefined)) {
    throw new UsageError('name one target: --local [dir] or --stack NAME');
  }
  if (options.region !== undefined && options.stack === undefined) throw new UsageError('--region goes with --stack');
  const target =
    options.stack !== undefined
      ? await openStack(options.stack, options.region)
      : await openLocal(typeof options.local === 'string' ? options.local : DEFAULT_LOCAL_DIR);
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}
