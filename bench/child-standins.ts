/**
 * Runs the stand-ins (bench/standins-process.ts) in a child process, so they use the other core and a
 * benchmark's CPU figures are its own code's, not dynalite's or the SES emulator's.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface ChildStandins {
  readonly dynamoEndpoint: string;
  readonly sesEndpoint: string;
  /** CPU time (user + system, ms) the stand-ins have used so far; undefined where /proc is missing (not Linux). */
  cpuMs(): number | undefined;
  stop(): void;
}

/** A process's CPU time from /proc/PID/stat (utime and stime, in clock ticks of 10 ms on Linux). */
function procCpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
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
  return { ...endpoints, cpuMs: () => procCpuMs(child.pid), stop: () => child.stdin.end() };
}
