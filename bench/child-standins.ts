/**
 * Runs the stand-ins (bench/standins-process.ts) in a child process, so they use the other core and a
 * benchmark's CPU figures are its own code's, not dynalite's or the SES emulator's.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface ChildStandins {
  readonly dynamoEndpoint: string;
  readonly sesEndpoint: string;
  stop(): void;
}

/** Start the child and wait for the one JSON line with its endpoints. */
export async function startChildStandins(): Promise<ChildStandins> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'standins-process.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`stand-ins process exited with ${code}`)));
  });
  const endpoints = JSON.parse(line) as { dynamoEndpoint: string; sesEndpoint: string };
  return { ...endpoints, stop: () => child.stdin.end() };
}
