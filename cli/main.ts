import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { digestCommand } from './digest.ts';
import { TargetError, UsageError } from './errors.ts';
import { feedsCommand } from './feeds.ts';
import { stdio, type Io } from './output.ts';
import { sendCommand } from './send.ts';
import { resendThroughTarget } from './resend.ts';
import { runsCommand, type ResendSender } from './runs.ts';
import { subscribersCommand } from './subscribers.ts';

/**
 * `npx newsbrief <command>`: the operator command. One file per command group in cli/; each acts
 * on a target (cli/targets.ts) through the stores and handlers the Lambdas use.
 * Exit codes: 0 done, 1 the target failed (unreachable, missing, refused), 2 a usage error.
 */

export type { Io };

/** What a test substitutes: how `runs resend` sends (a fault-injecting mailer around the real one). */
export interface CommandDeps {
  readonly resend?: ResendSender;
}

/** The command tree; parsing errors throw instead of exiting, so `run` maps them to exit codes. */
export function program(io: Io = stdio(), deps: CommandDeps = {}): Command {
  const root = new Command('newsbrief')
    .description('newsbrief operator command: act on local data (--local) or a deployed stack (--stack NAME)')
    .showHelpAfterError('(add --help for usage)');
  root.addCommand(subscribersCommand(io));
  root.addCommand(sendCommand(io));
  root.addCommand(digestCommand(io.out));
  root.addCommand(feedsCommand(io));
  root.addCommand(runsCommand(io, deps.resend ?? resendThroughTarget));
  const configure = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
    command.commands.forEach(configure);
  };
  configure(root);
  return root;
}

/** Run the command line `argv` (without node and the script); resolves to the exit code. */
export async function run(argv: readonly string[], io: Io = stdio(), deps: CommandDeps = {}): Promise<number> {
  try {
    await program(io, deps).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end parsing with exit code 0; every other parser error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      io.err(`newsbrief: ${error.message}`);
      return 2;
    }
    if (error instanceof TargetError) {
      io.err(`newsbrief: ${error.message}`);
      return 1;
    }
    // An AWS or unexpected failure: its name and message, never a stack trace.
    io.err(`newsbrief: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).then((code) => process.exit(code));
}
