/**
 * The operator command's two kinds of failure, mapped to exit codes by cli/main.ts: a usage error
 * (a bad argument or value: exit 2, like the argument parser's own) and a target error (the local
 * data or the deployed stack cannot be reached or lacks something: exit 1).
 */

/** The command line asks for something invalid. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The target (local data or deployed stack) cannot do what was asked. Exit code 1. */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}
