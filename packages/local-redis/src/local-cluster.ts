import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RedisServerMissingError, freePort, hasRedisServer, stopServer, waitForPort } from './local-redis';

export interface LocalRedisCluster {
  /** Every node's URL, comma-separated: REDIS_URL for FLOCK_REDIS_CLUSTER=true. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

/**
 * A private Redis Cluster for one test run: `nodes` masters (no replicas, no
 * persistence) on free loopback ports, joined with `redis-cli --cluster create`, once
 * every node reports the cluster ok. Each node keeps its cluster file in a temporary
 * folder that stop() removes.
 */
export async function startLocalRedisCluster(nodes = 3): Promise<LocalRedisCluster> {
  if (!hasRedisServer()) throw new RedisServerMissingError();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopServer(child, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < nodes; i++) {
      const port = await clusterPort(ports);
      ports.push(port);
      // prettier-ignore
      const child = spawn('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
        '--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--dir', dir,
        '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning',
      ], { stdio: 'ignore' });
      children.push(child);
    }
    for (const [i, port] of ports.entries()) await waitForPort(port, children[i]!);
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8' },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    for (const port of ports)
      await until(() => /cluster_state:ok/.test(redisCli(port, 'CLUSTER', 'INFO')), `node ${port} to see the cluster ok`);
    return { url: ports.map((port) => `redis://127.0.0.1:${port}`).join(','), ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function redisCli(port: number, ...command: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...command], { encoding: 'utf8' }).stdout.trim();
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A free port whose cluster bus port (10,000 above it) is free too, and not among `taken`. */
async function clusterPort(taken: number[]): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port > 55_000 || taken.includes(port)) continue;
    if (
      await freePort(port + 10_000).then(
        () => true,
        () => false,
      )
    )
      return port;
  }
}
