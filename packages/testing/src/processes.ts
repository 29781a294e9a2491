import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Queue } from 'bullmq';
import { parseLogLines } from './logs';
import { waitFor } from './fixtures';

const ROOT = path.resolve(__dirname, '../../..');

export interface FlockProcess {
  child: ChildProcess;
  /** Every stdout line so far (pino JSON for Flock processes). */
  lines: string[];
  stderr: string[];
  /** Resolves when the process has exited and all its output has been read. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs a TypeScript entry point of this repo in its own Node process, as operators do.
 * `stdout`, a file descriptor, sends its log there instead of to `lines`.
 */
export function spawnTs(entry: string, env: Record<string, string>, options: { stdout?: number } = {}): FlockProcess {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (data: Buffer) => {
    buffered += data.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  child.stderr!.on('data', (data: Buffer) => stderr.push(data.toString()));
  // 'close', not 'exit': it comes once stdout and stderr are drained, so `lines` is complete.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
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

/**
 * A real BullMQ worker process that takes one job of `queue` and never finishes it, for
 * tests of what happens when a worker dies mid-job. See untilTaken.
 */
export function spawnStuckWorker(env: Record<string, string>, queue: string): FlockProcess {
  return spawnTs('packages/testing/src/stuck-worker.ts', { ...env, STUCK_QUEUE: queue });
}

/** Resolves once the stuck worker holds a job, or a chunk of a job, whose Flock job id is `jobId`. */
export async function untilTaken(stuck: FlockProcess, jobId: string): Promise<void> {
  await waitFor(async () => logEntries(stuck, { event: 'taken', jobId }).length > 0, { what: `a stuck worker to take job ${jobId}` });
}

/**
 * Resolves once at least `count` workers are connected to `queue` under `prefix`, as
 * BullMQ itself lists them: a worker process is ready when it can take jobs, whatever
 * it has logged.
 */
export async function waitForQueueWorkers(redisUrl: string, prefix: string, queue: string, count: number): Promise<void> {
  const probe = new Queue(queue, { connection: { url: redisUrl, maxRetriesPerRequest: null }, prefix });
  try {
    await waitFor(async () => (await probe.getWorkers()).length >= count, { what: `${count} workers on ${queue}` });
  } finally {
    await probe.close();
  }
}

/**
 * The process's log entries whose fields include every one of `fields`: the structured
 * part of a line (an id, an outcome, a step), never its wording, which is free to change.
 */
export function logEntries(process: FlockProcess, fields: Record<string, unknown> = {}): Record<string, unknown>[] {
  return parseLogLines(process.lines).filter((entry) => Object.entries(fields).every(([key, value]) => entry[key] === value));
}

/** Whether a process with this pid still exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
