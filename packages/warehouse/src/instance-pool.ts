import { randomUUID } from 'node:crypto';
import { mkdirSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** Resource limits applied to every sandboxed DuckDB instance. */
export interface SandboxLimits {
  /** DuckDB worker threads per query. Default 1: two cores are shared by all jobs on a worker. */
  threads: number;
  /** DuckDB `memory_limit` per query, e.g. `512MB`. */
  memoryLimit: string;
  /**
   * Where a query may spill to disk once it outgrows `memoryLimit`: each instance gets a
   * folder of its own under this one, removed when it closes. Never beside the
   * warehouse files, where DuckDB would otherwise put `{bucket}.duckdb.tmp`. Default
   * `{os tmpdir}/flock-spill`.
   */
  spillRoot?: string;
  /** DuckDB `max_temp_directory_size` per query: disk one query may spill, e.g. `1GB`. Default 1GB. */
  maxSpill?: string;
}

export const DEFAULT_MAX_SPILL = '1GB';

/**
 * A fresh spill folder for one instance, under the configured root, made now: DuckDB
 * creates only the last level of its temp_directory, and a query must not fail (or
 * name a server path in its error) because the root was missing.
 */
export function newSpillDirectory(limits: SandboxLimits): string {
  const folder = path.join(limits.spillRoot ?? path.join(os.tmpdir(), 'flock-spill'), randomUUID());
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  return folder;
}

/** Closes an instance and removes what it spilled; DuckDB keeps a folder it did not create. */
export function closeSandbox(instance: DuckDBInstance, spillDirectory: string): void {
  instance.closeSync();
  void fs.rm(spillDirectory, { recursive: true, force: true }).catch(() => undefined);
}

export interface InstancePoolOptions {
  limits: SandboxLimits;
  /** Most idle instances kept open across all buckets; the least recently used is closed first. */
  maxIdle: number;
  /** An instance idle this long is closed. */
  idleMs: number;
}

/**
 * The two settings that close the sandbox, in the order they can be SET at runtime by
 * an instance that first had to attach files: `lock_configuration` last, because once
 * it is set SQL can no longer undo any of the others.
 */
export const SANDBOX_LOCKDOWN = [
  ['enable_external_access', 'false'],
  ['lock_configuration', 'true'],
] as const;

/** The settings that make a tenant's database a sandbox, spilling into `spillDirectory` only. */
export function sandboxSettings(limits: SandboxLimits, spillDirectory: string): Record<string, string> {
  return {
    access_mode: 'READ_ONLY',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
    threads: String(limits.threads),
    memory_limit: limits.memoryLimit,
    temp_directory: spillDirectory,
    max_temp_directory_size: limits.maxSpill ?? DEFAULT_MAX_SPILL,
    ...Object.fromEntries(SANDBOX_LOCKDOWN),
  };
}

/**
 * The same sandbox for an in-memory instance, which DuckDB refuses to open read-only;
 * nothing can be written anyway, as only a single SELECT is ever run on one.
 */
export function inMemorySandboxSettings(limits: SandboxLimits, spillDirectory: string): Record<string, string> {
  const { access_mode: _fileOnly, ...settings } = sandboxSettings(limits, spillDirectory);
  return settings;
}

/** One open, sandboxed database, leased to a single query at a time. */
export interface Lease {
  readonly bucket: string;
  readonly instance: DuckDBInstance;
  /** Identity of the file this instance opened; a replaced file gets a new id. */
  readonly fileId: string;
  /** The folder this instance may spill into. */
  readonly spill: string;
}

interface Entry extends Lease {
  readonly path: string;
  lastUsed: number;
}

export class WarehouseMissingError extends Error {}

/**
 * Keeps sandboxed DuckDB instances open between jobs, because opening a database
 * file costs milliseconds and a busy tenant asks many questions. Each lease is
 * exclusive, so per-instance limits are per-query limits. An instance is only ever
 * handed back for the same bucket and the same file (device, inode, size, mtime),
 * so a replaced or re-seeded warehouse is never served from a stale handle.
 */
export class InstancePool {
  private readonly idle = new Map<string, Entry[]>();
  private idleCount = 0;
  private closed = false;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: InstancePoolOptions) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, Math.floor(options.idleMs / 2)));
    this.sweeper.unref();
  }

  async acquire(bucket: string, path: string): Promise<Lease> {
    if (this.closed) throw new Error('The warehouse pool is closed.');
    const fileId = await identify(path);
    const list = this.idle.get(path) ?? [];
    while (list.length > 0) {
      const entry = list.pop() as Entry;
      this.idleCount--;
      if (entry.bucket === bucket && entry.fileId === fileId) return entry;
      closeSandbox(entry.instance, entry.spill);
    }
    const spill = newSpillDirectory(this.options.limits);
    const instance = await DuckDBInstance.create(path, sandboxSettings(this.options.limits, spill));
    const entry: Entry = { bucket, path, spill, fileId, instance, lastUsed: Date.now() };
    return entry;
  }

  release(lease: Lease): void {
    const entry = lease as Entry;
    if (this.closed) {
      closeSandbox(entry.instance, entry.spill);
      return;
    }
    entry.lastUsed = Date.now();
    const list = this.idle.get(entry.path) ?? [];
    list.push(entry);
    this.idle.set(entry.path, list);
    this.idleCount++;
    while (this.idleCount > this.options.maxIdle) this.evictOldest();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const list of this.idle.values()) for (const entry of list) closeSandbox(entry.instance, entry.spill);
    this.idle.clear();
    this.idleCount = 0;
  }

  private sweep(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const [path, list] of this.idle) {
      const keep = list.filter((entry) => {
        if (entry.lastUsed >= cutoff) return true;
        closeSandbox(entry.instance, entry.spill);
        this.idleCount--;
        return false;
      });
      if (keep.length > 0) this.idle.set(path, keep);
      else this.idle.delete(path);
    }
  }

  private evictOldest(): void {
    let oldest: Entry | undefined;
    for (const list of this.idle.values()) {
      for (const entry of list) if (!oldest || entry.lastUsed < oldest.lastUsed) oldest = entry;
    }
    if (!oldest) return;
    const list = this.idle.get(oldest.path) ?? [];
    list.splice(list.indexOf(oldest), 1);
    if (list.length === 0) this.idle.delete(oldest.path);
    closeSandbox(oldest.instance, oldest.spill);
    this.idleCount--;
  }
}

async function identify(path: string): Promise<string> {
  try {
    const stat = await fs.stat(path);
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new WarehouseMissingError(path);
    throw error;
  }
}
