import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@flock/logger';
import { isAlive, waitFor } from '@flock/testing';
import { WorkerSupervisor, workerEnv } from './supervisor';

/**
 * The supervisor with real child processes: small scripts that behave as a worker
 * process can (crash, announce an exit that then hangs, stop on SIGTERM), each writing
 * its pid to a file once started.
 */
let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'flock-supervisor-test-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(body: string): string {
  const file = path.join(dir, `child-${Math.random().toString(36).slice(2)}.js`);
  // The pid is written last, so a test that sees it knows the script's handlers are in place.
  writeFileSync(file, `${body}\nrequire('node:fs').appendFileSync(${JSON.stringify(path.join(dir, 'pids'))}, process.pid + '\\n');`);
  return file;
}

const started = () => readFileSync(path.join(dir, 'pids'), { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean).map(Number);

const supervise = (entry: string) =>
  new WorkerSupervisor({ entry, logger: createLogger('test', 'silent'), drainMs: 1_000, env: workerEnv(process.env) });

it('kills a worker process whose announced exit hangs, and starts another', async () => {
  // As a process with a query stuck in DuckDB does: it says it is exiting, then never ends.
  const supervisor = supervise(script('process.send({ flockWorkerExiting: 0 }); setInterval(() => undefined, 1000);'));
  supervisor.start();
  try {
    await waitFor(async () => started().length >= 2, { what: 'a second worker process' });
    const [first, second] = started();
    expect(second).not.toBe(first);
    expect(isAlive(first!)).toBe(false);
  } finally {
    await supervisor.stop('SIGTERM');
  }
});

it('starts another worker process after a crash', async () => {
  const supervisor = supervise(script('setImmediate(() => process.exit(3));'));
  supervisor.start();
  try {
    await waitFor(async () => started().length >= 2, { what: 'a restart after the crash' });
  } finally {
    await supervisor.stop('SIGTERM');
  }
});

it('passes SIGTERM on, answers with the exit code, and starts nothing more', async () => {
  const supervisor = supervise(script("process.on('SIGTERM', () => process.exit(7)); setInterval(() => undefined, 1000);"));
  supervisor.start();
  await waitFor(async () => started().length === 1, { what: 'the worker process' });
  expect(await supervisor.stop('SIGTERM')).toBe(7);
  expect(isAlive(started()[0]!)).toBe(false);
  expect(started()).toHaveLength(1);
});

it("starts the worker process with glibc held to two malloc arenas, unless the operator's environment says otherwise", async () => {
  const seen = path.join(dir, 'arenas');
  const supervisor = supervise(
    script(
      `require('node:fs').writeFileSync(${JSON.stringify(seen)}, String(process.env.MALLOC_ARENA_MAX)); process.on('SIGTERM', () => process.exit(0)); setInterval(() => undefined, 1000);`,
    ),
  );
  supervisor.start();
  try {
    await waitFor(async () => started().length === 1, { what: 'the worker process' });
    expect(readFileSync(seen, 'utf8')).toBe(process.env.MALLOC_ARENA_MAX ?? '2');
  } finally {
    await supervisor.stop('SIGTERM');
  }
  expect(workerEnv({ MALLOC_ARENA_MAX: '8', HOME: '/x' })).toEqual({ MALLOC_ARENA_MAX: '8', HOME: '/x' });
});
