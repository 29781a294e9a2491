import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, promises as fs, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { firstLine } from '@flock/errors';
import { quoteIdent, quoteLiteral } from '@flock/schema';
import { StatementCache } from './statement-cache';

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

/** An in-memory instance and the folder it may spill into. */
export interface Sandbox {
  instance: DuckDBInstance;
  spill: string;
}

/**
 * An in-memory sandbox less its lockdown, for an instance that must first be given the
 * files it may reach (ATTACH, `allowed_directories`); `lockDown` must follow before any
 * tenant SQL runs on it.
 */
export async function createUnlockedSandbox(limits: SandboxLimits): Promise<Sandbox> {
  const spill = newSpillDirectory(limits);
  const settings = inMemorySandboxSettings(limits, spill);
  for (const [name] of SANDBOX_LOCKDOWN) delete settings[name];
  return { instance: await DuckDBInstance.create(':memory:', settings), spill };
}

/** Closes an unlocked sandbox's files and configuration (see createUnlockedSandbox). */
export async function lockDown(connection: DuckDBConnection): Promise<void> {
  for (const [name, value] of SANDBOX_LOCKDOWN) await connection.run(`SET ${name} = ${value}`);
}

export interface PoolStats {
  /** Instances kept for a bucket, waiting for its next query. */
  idle: number;
  /** Empty instances ready for a cold bucket. */
  spares: number;
  /** Reusable (linked) instances in all states: idle, spare or serving a query. */
  reusable: number;
  /** Instances created since the pool began. */
  instances: number;
  /** Databases attached to reusable instances since the pool began. */
  attaches: number;
  /** Queries run from a plan kept on their bucket's connection (see StatementCache) since the pool began. */
  plansReused: number;
}

/**
 * Keeps a spare being made in `spares`, and takes it out again if making it fails, so
 * nobody is handed a broken one.
 */
export function keepSpare<T>(spares: Promise<T>[], spare: Promise<T>): void {
  spare.catch(() => {
    // Only while it is still waiting: once taken, indexOf is -1 and splice(-1) would drop a healthy spare.
    const at = spares.indexOf(spare);
    if (at >= 0) spares.splice(at, 1);
  });
  spares.push(spare);
}

export interface InstancePoolOptions {
  limits: SandboxLimits;
  /** Most idle instances kept open across all buckets; the least recently used is closed first. */
  maxIdle: number;
  /** An instance idle this long is closed. */
  idleMs: number;
  /**
   * A folder on the same filesystem as the warehouse files, where each instance keeps a
   * hard link to the one file it may read (see InstancePool). Unset, or where no link
   * can be made there, every bucket gets an instance of its own that opens its file.
   */
  linkRoot?: string;
  /** Empty instances kept ready for buckets no idle instance holds. Default 2. */
  spares?: number;
}

/** One open, sandboxed database, leased to a single query at a time. */
export interface Lease {
  readonly bucket: string;
  readonly instance: DuckDBInstance;
  /** Identity of the file this instance opened; a replaced file gets a new id. */
  readonly fileId: string;
  /** The folder this instance may spill into. */
  readonly spill: string;
  /** The attached database a connection must USE to see the bucket's tables; unset when the file is the instance's own. */
  readonly database?: string;
}

/** An in-memory instance whose files may come only from `folder`, locked that way. */
interface Slot extends Sandbox {
  folder: string;
}

interface Entry extends Lease {
  readonly path: string;
  /** Set when the bucket is attached through `slot`'s link; such an instance can be emptied and reused. */
  readonly slot?: Slot;
  /** The hard links to the file (and its WAL) in the slot's folder. */
  readonly links: string[];
  lastUsed: number;
  /** The connection its queries run on, once one has run (see InstancePool.connect). */
  connection?: DuckDBConnection;
}

export class WarehouseMissingError extends Error {}

/** Names DuckDB keeps for its own databases, which no attached database may take. */
const RESERVED_DATABASES = new Set(['memory', 'main', 'temp', 'system']);

/**
 * Keeps sandboxed DuckDB instances open between jobs, because a new instance costs tens
 * of milliseconds of CPU (DuckDB builds its function catalog) and a busy tenant asks
 * many questions. Each lease is exclusive, so per-instance limits are per-query limits.
 * An instance is only ever handed back for the same bucket and the same file (device,
 * inode, size, mtime), so a replaced or re-seeded warehouse is never served from a stale
 * handle.
 *
 * With `linkRoot`, a bucket no idle instance holds costs an ATTACH rather than an
 * instance: instances are emptied and reused across tenants. The wall stays DuckDB's
 * own. Each instance is locked, before any tenant SQL, with external access off and
 * `allowed_directories` set to a folder of its own, and DuckDB resolves symbolic links
 * before it checks a path. To serve a bucket, the pool hard-links the bucket's file
 * into that folder and ATTACHes the link READ_ONLY; to reuse the instance, it DETACHes
 * it and removes the link. So the only file an instance can reach is the one tenant's
 * file it is serving now, as when it opened that file itself.
 */
export class InstancePool {
  private readonly idle = new Map<string, Entry[]>();
  private idleCount = 0;
  private closed = false;
  private readonly sweeper: NodeJS.Timeout;
  /** Empty slots ready for a bucket, or being made so. */
  private readonly spares: Promise<Slot>[] = [];
  /** This process's folder under linkRoot, made on first use. */
  private readonly linkFolder: string | undefined;
  private readonly spareCount: number;
  private pruned: Promise<void> | undefined;
  /** Whether linkFolder is known to exist: made once, not on every cold bucket. */
  private linkFolderMade = false;
  /** Reusable instances open or being opened, busy, idle or spare. */
  private slots = 0;
  /** Instances created, and databases attached to them, since the pool began: what a cold bucket cost. */
  readonly counts = { instances: 0, attaches: 0, plansReused: 0 };
  /** Each connection's kept plans, by the connection itself: they go when it does, on every path that closes it. */
  private readonly plans = new WeakMap<DuckDBConnection, StatementCache>();

  constructor(private readonly options: InstancePoolOptions) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, Math.floor(options.idleMs / 2)));
    this.sweeper.unref();
    this.spareCount = options.spares ?? 2;
    if (options.linkRoot)
      this.linkFolder = path.join(path.resolve(options.linkRoot), `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`);
  }

  async acquire(bucket: string, path: string): Promise<Lease> {
    if (this.closed) throw new Error('The warehouse pool is closed.');
    const fileId = fileIdentity(path);
    const list = this.idle.get(path) ?? [];
    while (list.length > 0) {
      const entry = list.pop() as Entry;
      this.idleCount--;
      if (entry.bucket === bucket && entry.fileId === fileId) return entry;
      this.retire(entry);
    }
    // Linked first, before an instance is taken, so a file that cannot be linked costs no instance.
    const staged = this.linkFolder && !RESERVED_DATABASES.has(bucket) ? await this.stage(path) : undefined;
    if (staged) return this.attach(await this.takeSpare(), bucket, path, fileId, staged);
    const spill = newSpillDirectory(this.options.limits);
    const instance = await DuckDBInstance.create(path, sandboxSettings(this.options.limits, spill));
    this.counts.instances++;
    const entry: Entry = { bucket, path, spill, fileId, instance, links: [], lastUsed: Date.now() };
    return entry;
  }

  /**
   * The lease's connection to its bucket's database, opened on first use and kept with
   * the instance while it serves that bucket: opening one, and USE, cost more CPU than
   * a small query. Only single SELECTs that passed the guard run on it, and they leave
   * nothing in a session (no temp objects or settings) but the plans it keeps (see
   * statements()); it is closed when the instance is emptied for another bucket, right
   * after the DETACH, and after any failure (see dropConnection).
   */
  async connect(lease: Lease): Promise<DuckDBConnection> {
    const entry = lease as Entry;
    if (entry.connection) return entry.connection;
    const connection = await lease.instance.connect();
    try {
      if (lease.database !== undefined) await connection.run(`USE ${quoteIdent(lease.database)}`);
    } catch (error) {
      connection.closeSync();
      throw error;
    }
    entry.connection = connection;
    return connection;
  }

  /**
   * The plans kept on the lease's connection (see StatementCache), made with the first
   * call for that connection; undefined before connect(). A new connection (after a
   * failure, or for the next bucket) starts with none.
   */
  statements(lease: Lease): StatementCache | undefined {
    const { connection } = lease as Entry;
    if (!connection) return undefined;
    let cache = this.plans.get(connection);
    if (!cache) this.plans.set(connection, (cache = new StatementCache(connection, { onReuse: () => this.counts.plansReused++ })));
    return cache;
  }

  /**
   * Closes the lease's connection, so its next query gets a new one: after a query that
   * failed or was interrupted, whatever state it left is not carried on, nor any plan.
   */
  dropConnection(lease: Lease): void {
    const entry = lease as Entry;
    entry.connection?.closeSync();
    entry.connection = undefined;
  }

  /**
   * Hands a lease back. With `keep` false the instance is emptied (or closed) at once
   * rather than kept idle for its bucket: a schema read scans whole tables, and the
   * pages it leaves in the instance's buffers are not what the bucket's asks read.
   */
  release(lease: Lease, keep = true): void {
    const entry = lease as Entry;
    if (this.closed || !keep) {
      this.retire(entry);
      return;
    }
    entry.lastUsed = Date.now();
    const list = this.idle.get(entry.path) ?? [];
    list.push(entry);
    this.idle.set(entry.path, list);
    this.idleCount++;
    while (this.idleCount > this.options.maxIdle) this.evictOldest();
  }

  /**
   * Makes empty instances, one at a time, until the pool has what it would keep for
   * `buckets` buckets (at most FLOCK_POOL_MAX_IDLE, plus its spares). Until then each
   * cold bucket takes a spare and a new one is made behind it, so the first asks after
   * start-up paid for instances (20–40 ms of CPU each) on the machine they ran on, and
   * waited for one when two came close together. Stops when `signal` is aborted.
   */
  async fill(buckets: number, signal?: AbortSignal): Promise<void> {
    if (!this.linkFolder) return;
    const target = Math.min(buckets, this.options.maxIdle) + this.spareCount;
    while (!this.closed && !signal?.aborted && this.slots < target) {
      const slot = this.newSlot();
      keepSpare(this.spares, slot);
      await slot.catch(() => undefined);
    }
  }

  /** What the pool holds now, and what cold buckets have cost it so far: for metrics. */
  stats(): PoolStats {
    return { idle: this.idleCount, spares: this.spares.length, reusable: this.slots, ...this.counts };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const list of this.idle.values()) for (const entry of list) closeEntry(entry);
    this.idle.clear();
    this.idleCount = 0;
    for (const spare of this.spares.splice(0)) void spare.then(closeSlot, () => undefined);
    if (this.linkFolder) void fs.rm(this.linkFolder, { recursive: true, force: true }).catch(() => undefined);
  }

  /**
   * An empty slot: a spare, else, once the pool has all the instances it may keep, the
   * least recently used idle one (it would be evicted when this lease comes back
   * anyway), else a new one. Spares are made ahead, off the cold ask's path, only while
   * the pool is still growing: past that, evictions supply them, and an instance made
   * only to be closed again costs tens of milliseconds twice.
   */
  private takeSpare(): Promise<Slot> {
    const spare = this.spares.shift();
    if (spare) {
      this.topUp();
      return spare;
    }
    const oldest = this.slots >= this.options.maxIdle ? this.takeOldest() : undefined;
    if (oldest?.slot) return this.empty(oldest);
    if (oldest) closeEntry(oldest);
    const slot = this.newSlot();
    this.topUp();
    return slot;
  }

  private topUp(): void {
    while (!this.closed && this.spares.length < this.spareCount && this.slots < this.options.maxIdle + this.spareCount) {
      keepSpare(this.spares, this.newSlot());
    }
  }

  private newSlot(): Promise<Slot> {
    this.slots++;
    return this.makeSlot().catch((error: unknown) => {
      this.slots--;
      throw error;
    });
  }

  /**
   * Hard-links the bucket's file (and its WAL, if any) into this process's folder, to be
   * moved into a slot's own. Undefined where no link can be made: another filesystem, a
   * read-only mount, a file the worker does not own under protected_hardlinks. Then
   * the bucket is opened as an instance of its own, as without links.
   *
   * The file calls here and in attach() are synchronous on purpose: each is a metadata
   * call of a few microseconds on a local disk, while a round trip through libuv's
   * thread pool costs ten times that in CPU, on every cold ask (measured: about 300 µs
   * against 40 µs per attach).
   */
  private async stage(file: string): Promise<string[] | undefined> {
    const root = this.linkFolder!;
    this.pruned ??= pruneExited(path.dirname(root));
    await this.pruned;
    const staged: string[] = [];
    try {
      if (!this.linkFolderMade) mkdirSync(root, { recursive: true, mode: 0o700 });
      this.linkFolderMade = true;
      // The file itself, not a symbolic link to it: DuckDB would resolve that to a path outside the folder.
      const source = realFile(file);
      if (!source) throw new WarehouseMissingError(file);
      const stem = path.join(root, `staged-${randomUUID()}.duckdb`);
      linkSync(source, stem);
      staged.push(stem);
      // An unfinished write-ahead log holds part of the data: it must be read alongside.
      const wal = realFile(`${file}.wal`);
      if (wal) {
        linkSync(wal, `${stem}.wal`);
        staged.push(`${stem}.wal`);
      }
      return staged;
    } catch (error) {
      unlinkAll(staged);
      this.linkFolderMade = false; // made again next time, in case it was removed
      if (error instanceof WarehouseMissingError) throw error;
      return undefined;
    }
  }

  private async makeSlot(): Promise<Slot> {
    const folder = path.join(this.linkFolder!, randomUUID());
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    // Locked only once allowed_directories is set: the lock would refuse it.
    const slot: Slot = { ...(await createUnlockedSandbox(this.options.limits)), folder };
    this.counts.instances++;
    try {
      const connection = await slot.instance.connect();
      try {
        await connection.run(`SET allowed_directories = [${quoteLiteral(`${folder}${path.sep}`)}]`);
        await lockDown(connection);
      } finally {
        connection.closeSync();
      }
    } catch (error) {
      closeSlot(slot);
      throw error;
    }
    return slot;
  }

  /** Links the bucket's file into the slot's folder and attaches it, read-only, under the bucket's name. */
  private async attach(slot: Slot, bucket: string, file: string, fileId: string, staged: string[]): Promise<Entry> {
    const link = path.join(slot.folder, `${bucket}.duckdb`);
    const links = [link, `${link}.wal`].slice(0, staged.length);
    try {
      for (const [i, from] of staged.entries()) renameSync(from, links[i]!);
    } catch (error) {
      unlinkAll([...staged, ...links]);
      this.discard(slot);
      throw error;
    }
    const entry: Entry = {
      bucket,
      path: file,
      fileId,
      instance: slot.instance,
      spill: slot.spill,
      database: bucket,
      slot,
      links,
      lastUsed: Date.now(),
    };
    // The bucket's queries run on the connection that attached it: see connect().
    const connection = await slot.instance.connect();
    try {
      // One call for both statements: each call costs a trip through libuv's thread pool,
      // about 0.1 ms of CPU, on every ask on a bucket no idle instance holds.
      await connection.run(`ATTACH ${quoteLiteral(link)} AS ${quoteIdent(bucket)} (READ_ONLY); USE ${quoteIdent(bucket)}`);
      this.counts.attaches++;
    } catch (error) {
      connection.closeSync();
      unlinkAll(links);
      this.discard(slot);
      // Name the bucket's file, not the link, as opening it directly would.
      throw new Error(firstLine(error).split(link).join(file));
    }
    entry.connection = connection;
    return entry;
  }

  /**
   * Puts an instance the pool no longer keeps for its bucket to use: emptied as a spare,
   * unless the pool holds more instances than it keeps idle and spare (after a burst).
   */
  private retire(entry: Entry): void {
    if (this.closed || !entry.slot || !this.linkFolder || this.slots > this.options.maxIdle + this.spareCount) {
      this.discard(entry);
      return;
    }
    keepSpare(this.spares, this.empty(entry));
  }

  /** Empties an instance of its bucket: DETACHed, its links removed, so it can reach no file until the next ATTACH. */
  private async empty(entry: Entry): Promise<Slot> {
    const slot = entry.slot!;
    try {
      // The bucket's connection goes with it, after the DETACH: the last use of it.
      const connection = entry.connection ?? (await slot.instance.connect());
      // Its plans are bound to the bucket: closing the connection frees them.
      entry.connection = undefined;
      try {
        // In one call, as in attach(): DuckDB will not detach the database in use.
        await connection.run(`USE memory; DETACH ${quoteIdent(entry.database!)}`);
      } finally {
        connection.closeSync();
      }
      unlinkAll(entry.links);
      return slot;
    } catch (error) {
      this.discard(entry);
      throw error;
    }
  }

  /** Closes an instance, and counts a reusable one out of the pool. */
  private discard(what: Entry | Slot): void {
    if ('folder' in what) {
      closeSlot(what);
      this.slots--;
    } else {
      closeEntry(what);
      if (what.slot) this.slots--;
    }
  }

  private sweep(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const [path, list] of this.idle) {
      const keep = list.filter((entry) => {
        if (entry.lastUsed >= cutoff) return true;
        this.discard(entry);
        this.idleCount--;
        return false;
      });
      if (keep.length > 0) this.idle.set(path, keep);
      else this.idle.delete(path);
    }
  }

  private evictOldest(): void {
    const oldest = this.takeOldest();
    if (oldest) this.retire(oldest);
  }

  /** Takes the least recently used idle instance out of the pool. */
  private takeOldest(): Entry | undefined {
    let oldest: Entry | undefined;
    for (const list of this.idle.values()) {
      for (const entry of list) if (!oldest || entry.lastUsed < oldest.lastUsed) oldest = entry;
    }
    if (!oldest) return undefined;
    const list = this.idle.get(oldest.path) ?? [];
    list.splice(list.indexOf(oldest), 1);
    if (list.length === 0) this.idle.delete(oldest.path);
    this.idleCount--;
    return oldest;
  }
}

function closeEntry(entry: Entry): void {
  entry.connection?.closeSync();
  if (entry.slot) closeSlot(entry.slot);
  else closeSandbox(entry.instance, entry.spill);
}

function closeSlot(slot: Slot): void {
  closeSandbox(slot.instance, slot.spill);
  void fs.rm(slot.folder, { recursive: true, force: true }).catch(() => undefined);
}

/** Removes the link folders of processes on this host that have exited: a crash leaves its folder behind. */
async function pruneExited(root: string): Promise<void> {
  const prefix = `${os.hostname()}-`;
  const names = await fs.readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!name.startsWith(prefix) || !Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    await fs.rm(path.join(root, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkAll(links: string[]): void {
  for (const link of links) rmSync(link, { force: true });
}

/** The file a path names, symbolic links resolved; undefined if there is none. */
function realFile(file: string): string | undefined {
  try {
    return realpathSync.native(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A file's identity (device, inode, size, mtime): a replaced or rewritten file gets a new one. */
export function fileIdentity(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new WarehouseMissingError(path);
    throw error;
  }
}
