import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface LocalRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Ends redis-server with SIGKILL, as a crash or the OOM killer would. */
  kill(): Promise<void>;
}

export class RedisServerMissingError extends Error {
  constructor() {
    super(
      'No REDIS_URL is set and no redis-server binary is on PATH. Install Redis ' +
        '(Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`) ' +
        'or point REDIS_URL at a running Redis.',
    );
  }
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * A port the kernel just handed out, so two runs never fight over a fixed one; with
 * `port`, that port if it is free now (rejects if it is taken).
 */
export async function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * Starts a private redis-server on a free loopback port with persistence off: it
 * exists for one run (dev session or test suite) and must never touch a system Redis
 * or leave files behind. With `aofDir`, it persists as the shipped configuration does
 * (an append-only file, fsynced every second) into that folder, so a test can restart
 * it on its own data.
 */
export async function startLocalRedis(options: { port?: number; aofDir?: string } = {}): Promise<LocalRedis> {
  if (!hasRedisServer()) throw new RedisServerMissingError();
  const port = options.port ?? (await freePort());
  const persistence = options.aofDir
    ? ['--dir', options.aofDir, '--appendonly', 'yes', '--appendfsync', 'everysec']
    : ['--appendonly', 'no'];
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      ...persistence,
      '--maxmemory-policy',
      'noeviction',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await waitForPort(port, child);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => stopServer(child),
    kill: () => stopServer(child, 'SIGKILL'),
  };
}

/** Resolves once a redis-server `child` answers PING on `port`; fails if it exits first, or after 10 s. */
export async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`redis-server exited while starting on port ${port}`);
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 10 s`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Ends a redis-server `child` with `signal` (SIGKILL after 3 s), resolving once it has exited. */
export function stopServer(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}
