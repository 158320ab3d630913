import { Presets, SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import picocolors from 'picocolors';

/**
 * How the operator command talks: lines on stdout and stderr, colours only on a terminal (and never
 * with NO_COLOR, https://no-color.org), tables for people, JSON for scripts (`--json`), and progress
 * bars on stderr only when it is a terminal, so a pipe or a log file gets clean lines.
 */

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** The terminal progress bars are drawn on; absent when stderr is not a terminal (no bars then). */
  readonly progress?: NodeJS.WriteStream;
  /** Colours on: stdout is a terminal and NO_COLOR is not set. */
  readonly color?: boolean;
}

/** The process's own stdout and stderr. */
export function stdio(): Io {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    ...(process.stderr.isTTY ? { progress: process.stderr } : {}),
    color: Boolean(process.stdout.isTTY) && !noColor,
  };
}

/** Colour functions that are the identity when colours are off. */
export function colours(io: Io) {
  return picocolors.createColors(io.color === true);
}

/** A table of `rows` under `head`, drawn with borders for a terminal and plain for a pipe. */
export function table(io: Io, head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const c = colours(io);
  const t = new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [], compact: true },
    ...(io.color ? {} : { chars: PLAIN_CHARS }),
  });
  for (const row of rows) t.push(row.map((cell) => (typeof cell === 'number' ? cell.toLocaleString('en-US') : cell)));
  return t.toString();
}

// Spaces for borders when the output is not a terminal: columns stay aligned, no box-drawing characters in logs.
const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '  ',
};

/** Print `value` as one JSON document (the `--json` output of every command). */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** A progress bar; a no-op when the target has no terminal to draw on. */
export interface Progress {
  increment(by?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

/** Start a progress bar of `total` steps labelled `label` (rows, recipients…), with rate and ETA. */
export function progress(io: Io, label: string, total: number): Progress {
  if (!io.progress) return { increment() {}, setTotal() {}, stop() {} };
  const bar = new SingleBar(
    {
      stream: io.progress,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 200,
      fps: 10,
    },
    Presets.shades_classic,
  );
  const started = Date.now();
  let value = 0;
  bar.start(total, 0, { rate: '0' });
  return {
    increment(by = 1) {
      value += by;
      const seconds = (Date.now() - started) / 1000;
      bar.increment(by, { rate: seconds > 0 ? Math.round(value / seconds).toLocaleString('en-US') : '0' });
    },
    setTotal(n) {
      bar.setTotal(n);
    },
    stop() {
      bar.stop();
    },
  };
}
