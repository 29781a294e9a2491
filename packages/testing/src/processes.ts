import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

export interface FlockProcess {
  child: ChildProcess;
  /** Every stdout line so far (pino JSON for Flock processes). */
  lines: string[];
  stderr: string[];
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs a TypeScript entry point of this repo in its own Node process, as operators do. */
export function spawnTs(entry: string, env: Record<string, string>): FlockProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (data: Buffer) => {
    buffered += data.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  child.stderr!.on('data', (data: Buffer) => stderr.push(data.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export function spawnWorker(env: Record<string, string>): FlockProcess {
  return spawnTs('apps/worker/src/main.ts', env);
}

/** Parsed pino lines of a process whose `msg` equals `message`. */
export function logEntries(process: FlockProcess, message: string): Record<string, unknown>[] {
  return process.lines
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })
    .filter((entry): entry is Record<string, unknown> => entry?.msg === message);
}
