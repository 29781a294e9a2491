import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useTempWarehouseDir, waitFor } from '@flock/testing';
import { InstancePool, type InstancePoolOptions, type Lease } from './instance-pool';

const BUCKETS = ['one', 'two', 'three', 'four', 'five', 'six'];
const RESERVED = ['memory'];
const warehouses = useTempWarehouseDir('instance-pool', {
  sql: Object.fromEntries(
    [...BUCKETS, ...RESERVED].map((bucket) => [bucket, `CREATE TABLE t (owner VARCHAR); INSERT INTO t VALUES ('${bucket}');`]),
  ),
});

function poolWith(options: Partial<InstancePoolOptions> = {}): InstancePool {
  return new InstancePool({
    limits: { threads: 1, memoryLimit: '64MB' },
    maxIdle: 1,
    idleMs: 60_000,
    linkRoot: path.join(warehouses.dir, '.flock-sandbox'),
    spares: 1,
    ...options,
  });
}

/** Runs raw SQL on a lease, with none of the Warehouse's validation: what the sandbox alone allows. */
async function raw(pool: InstancePool, lease: Lease, sql: string): Promise<unknown[][]> {
  const connection = await pool.connect(lease);
  try {
    return (await connection.runAndReadAll(sql)).getRowsJS();
  } catch (error) {
    pool.dropConnection(lease); // as the Warehouse does after a failure
    throw error;
  }
}

describe('InstancePool with links', () => {
  it('serves tenant after tenant from a few reused instances, each seeing only the file it is serving', async () => {
    const pool = poolWith();
    try {
      let previous: string | undefined;
      for (const bucket of BUCKETS) {
        const lease = await pool.acquire(bucket, warehouses.file(bucket));
        expect(await raw(pool, lease, 'SELECT current_database(), owner FROM t')).toEqual([[bucket, bucket]]);
        // Without the Warehouse's checks, SQL still reaches no other database and no other file.
        const databases = await raw(pool, lease, 'SELECT database_name FROM duckdb_databases() WHERE NOT internal');
        expect(databases.map(([name]) => name).sort()).toEqual([bucket, 'memory'].sort());
        expect(await raw(pool, lease, "SELECT count(*)::INT FROM glob('/**/*.duckdb')").catch((e: Error) => e.message)).toMatch(
          /disabled by configuration/,
        );
        if (previous) {
          await expect(raw(pool, lease, `SELECT size FROM read_blob('${warehouses.file(previous)}')`)).rejects.toThrow(
            /disabled by configuration/,
          );
        }
        pool.release(lease);
        previous = bucket;
      }
      expect(pool.counts.attaches).toBe(BUCKETS.length);
      // The one it keeps idle and its one spare: every later tenant reused them.
      expect(pool.counts.instances).toBe(2);
    } finally {
      pool.close();
    }
  });

  it('makes no instance only to close it again when busy with more tenants than it keeps', async () => {
    const pool = poolWith({ maxIdle: 4 });
    try {
      for (let round = 0; round < 6; round++) {
        // Four at once, over six buckets: some cold every round.
        const turn = [0, 1, 2, 3].map((i) => BUCKETS[(round * 2 + i) % BUCKETS.length]!);
        const leases = await Promise.all(turn.map((bucket) => pool.acquire(bucket, warehouses.file(bucket))));
        for (const lease of leases) pool.release(lease);
      }
      expect(pool.counts.attaches).toBeGreaterThan(8);
      // The four it keeps idle and its spare serve every round.
      expect(pool.counts.instances).toBeLessThanOrEqual(4 + 1);
    } finally {
      pool.close();
    }
  });

  it('empties an instance handed back not to be kept, and reuses it for the next bucket', async () => {
    const pool = poolWith({ maxIdle: 4 });
    try {
      pool.release(await pool.acquire('one', warehouses.file('one')), false);
      const again = await pool.acquire('one', warehouses.file('one'));
      expect(await raw(pool, again, 'SELECT owner FROM t')).toEqual([['one']]);
      pool.release(again);
      // Attached twice, as the first instance was not kept for it; no instance beyond the first and its spare.
      expect(pool.counts.attaches).toBe(2);
      expect(pool.counts.instances).toBe(2);
    } finally {
      pool.close();
    }
  });

  it("keeps one connection per bucket's lease, never for the next bucket, and a new one after a failure", async () => {
    const pool = poolWith({ maxIdle: 1, spares: 0 });
    try {
      const first = await pool.acquire('one', warehouses.file('one'));
      const connection = await pool.connect(first);
      expect(await pool.connect(first)).toBe(connection);
      pool.dropConnection(first);
      const fresh = await pool.connect(first);
      expect(fresh).not.toBe(connection);
      pool.release(first, false);
      // The emptied instance now serves another bucket, on a connection of its own.
      const second = await pool.acquire('two', warehouses.file('two'));
      expect(second.instance).toBe(first.instance);
      const next = await pool.connect(second);
      expect(next).not.toBe(fresh);
      expect(await raw(pool, second, 'SELECT current_database(), owner FROM t')).toEqual([['two', 'two']]);
      pool.release(second);
    } finally {
      pool.close();
    }
  });

  it("keeps a bucket's prepared statements with its connection, and never past it", async () => {
    const pool = poolWith({ maxIdle: 1, spares: 0 });
    const sql = 'SELECT owner FROM t';
    try {
      const first = await pool.acquire('one', warehouses.file('one'));
      await pool.connect(first);
      const statement = await pool.statements(first)!.prepare(sql);
      expect(await pool.statements(first)!.prepare(sql)).toBe(statement);
      // A failed query's connection goes, and its plans with it.
      pool.dropConnection(first);
      expect(pool.statements(first)).toBeUndefined();
      await pool.connect(first);
      const fresh = await pool.statements(first)!.prepare(sql);
      expect(fresh).not.toBe(statement);
      pool.release(first, false);
      // The emptied instance serves the next bucket with none of the last one's plans.
      const second = await pool.acquire('two', warehouses.file('two'));
      expect(second.instance).toBe(first.instance);
      expect(pool.statements(second)?.size).toBe(0);
      const replanned = await pool.statements(second)!.prepare(sql);
      expect(replanned).not.toBe(fresh);
      expect((await replanned.runAndReadAll()).getRowsJS()).toEqual([['two']]);
      pool.release(second);
    } finally {
      pool.close();
    }
  });

  it('fills itself ahead of time, so the first cold buckets make no instance', async () => {
    const pool = poolWith({ maxIdle: 4, spares: 1 });
    try {
      await pool.fill(BUCKETS.length);
      // What it keeps idle for four buckets, and its spare.
      expect(pool.counts.instances).toBe(5);
      const leases = await Promise.all(BUCKETS.slice(0, 4).map((bucket) => pool.acquire(bucket, warehouses.file(bucket))));
      for (const lease of leases) pool.release(lease);
      expect(pool.counts.instances).toBe(5);
      // Never past what it keeps: a second fill makes nothing.
      await pool.fill(BUCKETS.length);
      expect(pool.counts.instances).toBe(5);
    } finally {
      pool.close();
    }
  });

  it('keeps a reused instance read-only and locked, even for SQL that skipped validation', async () => {
    const pool = poolWith();
    try {
      await pool.release(await pool.acquire('one', warehouses.file('one')));
      const lease = await pool.acquire('two', warehouses.file('two'));
      await expect(raw(pool, lease, 'DELETE FROM t')).rejects.toThrow(/read-only/i);
      await expect(raw(pool, lease, "SET memory_limit = '10GB'")).rejects.toThrow(/locked/);
      await expect(raw(pool, lease, `ATTACH '${warehouses.file('one')}' AS one (READ_ONLY)`)).rejects.toThrow(/disabled by configuration/);
      pool.release(lease);
    } finally {
      pool.close();
    }
  });

  it('falls back to an instance per bucket where no link can be made', async () => {
    const notAFolder = path.join(warehouses.dir, 'plain-file');
    writeFileSync(notAFolder, '');
    const pool = poolWith({ linkRoot: path.join(notAFolder, 'links') });
    try {
      const lease = await pool.acquire('three', warehouses.file('three'));
      expect(await raw(pool, lease, 'SELECT owner FROM t')).toEqual([['three']]);
      pool.release(lease);
      expect(pool.counts).toEqual({ instances: 1, attaches: 0, plansReused: 0 });
    } finally {
      pool.close();
    }
  });

  it("opens buckets named as DuckDB's own databases, and warehouse files that are symbolic links", async () => {
    symlinkSync(warehouses.file('five'), path.join(warehouses.dir, 'linked.duckdb'));
    const pool = poolWith();
    try {
      for (const [bucket, owner] of [
        ['memory', 'memory'],
        ['linked', 'five'],
      ]) {
        const lease = await pool.acquire(bucket!, warehouses.file(bucket!));
        expect(await raw(pool, lease, 'SELECT owner FROM t')).toEqual([[owner]]);
        pool.release(lease);
      }
      // `memory` has an instance of its own; the link's target is attached like any file.
      expect(pool.counts.attaches).toBe(1);
    } finally {
      pool.close();
    }
  });

  it("removes its links when closed, and the folders of this host's exited processes", async () => {
    const root = path.join(warehouses.dir, '.flock-sandbox-prune');
    const exited = path.join(root, `${os.hostname()}-${deadPid()}-0000`);
    mkdirSync(exited, { recursive: true });
    const pool = poolWith({ linkRoot: root });
    pool.release(await pool.acquire('four', warehouses.file('four')));
    expect(existsSync(exited)).toBe(false);
    expect(readdirSync(root)).toHaveLength(1);
    pool.close();
    await waitFor(async () => (readdirSync(root).length === 0 ? true : undefined), { timeoutMs: 5_000, what: 'link folder removed' });
  });
});

/** A pid no process has now. */
function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}
