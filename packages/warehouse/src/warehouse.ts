import path from 'node:path';
import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import { LRUCache } from 'lru-cache';
import { ExecutionFailedError, JobFailure, QueryTimeoutError, WorkerStoppingError, firstLine, formatSeconds } from '@flock/errors';
import { quoteIdent, sizeInBytes, type FoundValue, type SchemaContext } from '@flock/schema';
import {
  DEFAULT_MAX_SPILL,
  InstancePool,
  WarehouseMissingError,
  fileIdentity,
  type InstancePoolOptions,
  type Lease,
  type SandboxLimits,
  type PoolStats,
} from './instance-pool';
import { jsonNativeConverter, type JsonValue } from './result-encoder';
import { CappedRows } from './row-caps';
import { watchSpill, type SpillCap } from './spill-guard';
import { readSchemaContext } from './schema-reader';
import type { StatementCache } from './statement-cache';
import { assertTenantSelect } from './table-only-guard';
import { DirectoryTenantCatalog, type TenantCatalog } from './tenant-catalog';

/** Caps on one query's run time and result size. */
export interface QueryLimits {
  /** The query is interrupted after this long. */
  timeoutMs: number;
  /** Rows kept in the result; further rows are counted, not kept. */
  maxRows: number;
  /** JSON bytes of rows kept in the result; the rows that would overflow it are dropped. */
  maxBytes: number;
}

/** How one query may be stopped by its caller, beyond its limits. */
export interface QueryOptions {
  /** Stops the query when aborted: it is interrupted, or not started, and fails with the signal's reason. */
  cancel?: AbortSignal;
  /**
   * Keeps the SQL's plan on the bucket's connection for its next run (see StatementCache).
   * Only for SQL whose constants are known to be small: a plan holds them folded, and no
   * memory limit counts them.
   */
  keepPlan?: boolean;
}

export interface QueryResult {
  columns: string[];
  rows: JsonValue[][];
  /** Rows the query produced, including those dropped by the caps. */
  totalRows: number;
  /** True when rows were dropped to fit `maxRows` or `maxBytes`. */
  truncated: boolean;
}

/**
 * What Flock's services need of the warehouses: the buckets there are, and each one's
 * schema and queries. Warehouse serves local files; RoutingWarehouse adds MotherDuck.
 */
export interface SchemaRead {
  schema: SchemaContext;
  cached: boolean;
}

export interface TenantWarehouse {
  readonly catalog: TenantCatalog;
  /** Validates and runs one SELECT on the bucket's database. */
  query(bucket: string, sql: string, limits?: Partial<QueryLimits>, options?: QueryOptions): Promise<QueryResult>;
  schema(bucket: string): Promise<SchemaContext>;
  /** As schema(), and whether it was already in memory rather than read from the bucket; for job logs. */
  readSchema(bucket: string): Promise<SchemaRead>;
  /** Names typed in a question, found in the bucket's overflowing text columns; absent where unsupported. */
  findValues?(bucket: string, texts: string[], options?: QueryOptions): Promise<FoundValue[]>;
  /**
   * The identity of the bucket's data as it is now: an answer computed on one version
   * holds for as long as the bucket has it. Undefined where it cannot be told (MotherDuck).
   */
  version(bucket: string): string | undefined;
  close(): void;
}

/** A name lookup reads at most this many columns and texts, and this many rows back, so it stays cheap. */
const LOOKUP_MAX_COLUMNS = 16;
const LOOKUP_MAX_TEXTS = 8;
const LOOKUP_MAX_ROWS = 20;
const LOOKUP_TIMEOUT_MS = 2_000;

/**
 * Buckets whose schemas a process keeps: enough for a thousand tenants, as a schema
 * read costs tens of milliseconds. A demo bucket's takes about 20 kB of JSON (the
 * largest 140 kB); one with long value lists a few hundred kB.
 */
export const DEFAULT_SCHEMA_CACHE_SIZE = 1024;

export interface WarehouseOptions extends InstancePoolOptions {
  /** Most buckets' schemas kept in memory, least recently used dropped first. Default DEFAULT_SCHEMA_CACHE_SIZE. */
  schemaCacheSize?: number;
  /** How long past its limit a query that ignores the interrupt is waited for before its job is answered without it. Default 1 s. */
  overrunGraceMs?: number;
  /** A query that took longer leaves its instance emptied rather than kept idle; see KEEP_IDLE_WITHIN_MS. */
  keepIdleWithinMs?: number;
  /** What to do about a query that has ignored the interrupt for long: see StuckQueryPolicy. Unset: wait for it however long it takes. */
  stuckQuery?: StuckQueryPolicy;
  /** Aborted when the process is shutting down: running queries are interrupted and fail with WorkerStoppingError. */
  stopping?: AbortSignal;
  catalog: TenantCatalog;
  defaultQueryLimits: QueryLimits;
}

/**
 * A query that ignores DuckDB's interrupt (one scalar call on a huge value, such as
 * levenshtein over two megabyte strings) holds its thread until it ends on its own,
 * which can take hours; nothing inside the process can stop it. Once it has run
 * `afterMs` past its answer, `onStuck` is told, so the process can drain and be
 * replaced, and the query's job stops waiting for it.
 */
export interface StuckQueryPolicy {
  afterMs: number;
  onStuck(bucket: string): void;
}

/** The sandbox settings operators configure (FlockConfig has them all). */
export interface WarehouseSettings {
  warehouseDir: string;
  queryThreads: number;
  queryMemoryLimit: string;
  /** Unset: the system temp folder. */
  querySpillDir?: string;
  queryMaxSpill?: string;
  queryTimeoutMs: number;
  maxResultRows: number;
  maxResultBytes: number;
  poolMaxIdle: number;
  poolIdleMs: number;
  /** Buckets whose schemas (and the engine's indexes of them) a worker keeps in memory. */
  schemaCacheSize?: number;
  /** Where instances keep their hard link to a tenant's file. Unset: `{warehouseDir}/.flock-sandbox`. */
  sandboxLinkDir?: string;
}

/** The per-query sandbox limits in a deployment's settings, for every instance a process opens. */
export function sandboxLimitsOf(
  settings: Pick<WarehouseSettings, 'queryThreads' | 'queryMemoryLimit' | 'querySpillDir' | 'queryMaxSpill'>,
): SandboxLimits {
  return {
    threads: settings.queryThreads,
    memoryLimit: settings.queryMemoryLimit,
    ...(settings.querySpillDir ? { spillRoot: settings.querySpillDir } : {}),
    ...(settings.queryMaxSpill ? { maxSpill: settings.queryMaxSpill } : {}),
  };
}

/**
 * The warehouse every Flock process uses, from its settings: one definition, so every
 * job that runs tenant SQL runs it under the same limits.
 */
export function createWarehouse(
  settings: WarehouseSettings,
  catalog: TenantCatalog = new DirectoryTenantCatalog(settings.warehouseDir),
  options: Pick<WarehouseOptions, 'stuckQuery' | 'stopping'> = {},
): Warehouse {
  return new Warehouse({
    ...options,
    catalog,
    limits: sandboxLimitsOf(settings),
    maxIdle: settings.poolMaxIdle,
    idleMs: settings.poolIdleMs,
    ...(settings.schemaCacheSize !== undefined ? { schemaCacheSize: settings.schemaCacheSize } : {}),
    linkRoot: settings.sandboxLinkDir ?? path.join(settings.warehouseDir, '.flock-sandbox'),
    defaultQueryLimits: { timeoutMs: settings.queryTimeoutMs, maxRows: settings.maxResultRows, maxBytes: settings.maxResultBytes },
  });
}

/**
 * Runs untrusted SQL on exactly one tenant's database. This is the only door to the
 * local warehouse files: every query is validated as a single SELECT by DuckDB's parser, then
 * run on an instance opened read-only, without file or network access, with locked
 * configuration, a memory and thread limit, and a time limit that interrupts it.
 */
export class Warehouse implements TenantWarehouse {
  private readonly pool: InstancePool;
  /**
   * Keyed by bucket and file identity, so a changed file is read afresh while the old
   * entry ages out. Bounded, as thousands of tenants' schemas (with their value lists)
   * would not all fit; concurrent asks of one bucket share one read.
   */
  private readonly schemas: LRUCache<string, SchemaContext, string>;

  private readonly maxSpillBytes: number;

  constructor(private readonly options: WarehouseOptions) {
    this.pool = new InstancePool(options);
    this.maxSpillBytes = sizeInBytes(options.limits.maxSpill ?? DEFAULT_MAX_SPILL);
    this.schemas = new LRUCache({
      max: options.schemaCacheSize ?? DEFAULT_SCHEMA_CACHE_SIZE,
      // An instance that read a schema holds whole tables in its buffers: emptied, not kept for the bucket.
      fetchMethod: (_key, _stale, { context: bucket }) => this.withConnection(bucket, readSchemaContext, false),
    });
  }

  get catalog(): TenantCatalog {
    return this.options.catalog;
  }

  /** Validates and runs one SELECT on the bucket's database. */
  async query(bucket: string, sql: string, limits: Partial<QueryLimits> = {}, options: QueryOptions = {}): Promise<QueryResult> {
    options.cancel?.throwIfAborted();
    const effective = { ...this.options.defaultQueryLimits, ...limits };
    const lease = await this.acquire(bucket);
    const started = performance.now();
    const connection = await this.pool.connect(lease).catch((error: unknown) => {
      this.pool.release(lease);
      throw error;
    });
    const work = (async () => {
      await assertTenantSelect(connection, sql);
      const guards = {
        spill: { folder: lease.spill, maxBytes: this.maxSpillBytes },
        stopping: this.options.stopping,
        cancel: options.cancel,
      };
      return runCapped(connection, sql, effective, guards, options.keepPlan ? this.pool.statements(lease) : undefined);
    })();
    // A failed or interrupted query's connection is not run on again.
    const settled = work.then(
      () => undefined,
      () => this.pool.dropConnection(lease),
    );
    // Some work does not look at the interrupt (a string function mid-allocation): the
    // job is answered at its limit all the same, while the connection and its lease stay
    // taken, and the error carries `settled`, until DuckDB lets go.
    let overrun: NodeJS.Timeout | undefined;
    const answeredAnyway = new Promise<never>((_resolve, reject) => {
      overrun = setTimeout(
        () => reject(new QueryOverrunError(stoppedError('time', effective, {}).message, this.heldUntil(settled, bucket))),
        effective.timeoutMs + (this.options.overrunGraceMs ?? OVERRUN_GRACE_MS),
      );
    });
    try {
      return await Promise.race([work, answeredAnyway]);
    } finally {
      clearTimeout(overrun);
      void settled.then(() =>
        this.pool.release(lease, performance.now() - started <= (this.options.keepIdleWithinMs ?? KEEP_IDLE_WITHIN_MS)),
      );
    }
  }

  /**
   * When an overrun query's job may let go of it: once DuckDB has, or once it counts as
   * stuck and the process is being replaced. Its instance is never reused either way.
   */
  private heldUntil(settled: Promise<void>, bucket: string): Promise<void> {
    const policy = this.options.stuckQuery;
    if (!policy) return settled;
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        policy.onStuck(bucket);
        resolve();
      }, policy.afterMs);
    });
    return Promise.race([settled.then(() => clearTimeout(timer)), stuck]);
  }

  /** The bucket's schema, values included, cached until its file changes. */
  async schema(bucket: string): Promise<SchemaContext> {
    return (await this.readSchema(bucket)).schema;
  }

  async readSchema(bucket: string): Promise<SchemaRead> {
    // Identified without opening it: a cached schema costs a stat, not an instance.
    const fileId = this.identify(bucket);
    const cached = this.schemas.has(schemaKey(bucket, fileId));
    return { schema: await this.schemaOf(bucket, fileId), cached };
  }

  private async schemaOf(bucket: string, fileId: string): Promise<SchemaContext> {
    // fetchMethod never resolves undefined, so neither does fetch.
    return (await this.schemas.fetch(schemaKey(bucket, fileId), { context: bucket }))!;
  }

  /**
   * Reads the buckets' schemas ahead of their first asks, one at a time, so a cold ask
   * costs a cached schema rather than a read (30-110 ms on a demo bucket). Each process
   * reads its own: the value lists hold tenants' names and emails, which stay in worker
   * memory rather than in Redis. Stops after the bucket it is reading when `signal` is
   * aborted. `onSchema` hears of each schema read, to build what depends on it. Then
   * makes the sandbox instances the pool will keep (see InstancePool.fill), so neither
   * costs the first asks anything.
   */
  async prefetchSchemas(
    buckets: readonly string[],
    signal?: AbortSignal,
    onSchema?: (bucket: string, schema: SchemaContext) => void,
  ): Promise<PrefetchOutcome> {
    const outcome: PrefetchOutcome = { read: 0, failed: 0 };
    for (const bucket of buckets.slice(0, this.options.schemaCacheSize ?? DEFAULT_SCHEMA_CACHE_SIZE)) {
      if (signal?.aborted) break;
      try {
        const fileId = this.identify(bucket);
        if (this.schemas.has(schemaKey(bucket, fileId))) continue;
        const schema = await this.schemaOf(bucket, fileId);
        outcome.read++;
        onSchema?.(bucket, schema);
      } catch {
        outcome.failed++; // its first ask will say what is wrong with it
      }
    }
    await this.pool.fill(buckets.length, signal);
    return outcome;
  }

  /**
   * Looks the question's names up in the text columns too varied to list: one
   * `lower(col) IN (...)` query per column, the texts bound as parameters, each capped in
   * rows and time, on the same read-only sandboxed instance as every query.
   */
  async findValues(bucket: string, texts: string[], { cancel }: QueryOptions = {}): Promise<FoundValue[]> {
    cancel?.throwIfAborted();
    const wanted = [...new Set(texts.map((t) => t.trim()).filter((t) => t.length > 0))].slice(0, LOOKUP_MAX_TEXTS);
    if (wanted.length === 0) return [];
    const schema = await this.schema(bucket);
    const columns = schema.tables.flatMap((table) =>
      table.columns.filter((c) => c.lookupOverflow).map((column) => ({ table: table.name, column: column.name })),
    );
    if (columns.length === 0) return [];
    const values = Object.fromEntries(wanted.map((text, i) => [`t${i}`, text]));
    const list = wanted.map((_, i) => `lower($t${i})`).join(', ');
    return this.withConnection(bucket, async (connection, spoil) => {
      const found: FoundValue[] = [];
      const interrupt = () => connection.interrupt();
      cancel?.addEventListener('abort', interrupt, { once: true });
      try {
        for (const { table, column } of columns.slice(0, LOOKUP_MAX_COLUMNS)) {
          const col = quoteIdent(column);
          const sql = `SELECT DISTINCT ${col} FROM ${quoteIdent(table)} WHERE lower(${col}) IN (${list}) LIMIT ${LOOKUP_MAX_ROWS}`;
          const timer = setTimeout(interrupt, LOOKUP_TIMEOUT_MS);
          try {
            const rows = (await connection.runAndReadAll(sql, values)).getRowsJS();
            for (const [value] of rows) found.push({ table, column, value: String(value) });
          } catch {
            // A lookup that fails or runs out of time only means the name is not found
            // here; the connection it failed on is not kept, as after any failed query.
            spoil();
          } finally {
            clearTimeout(timer);
          }
          // Stopped by the caller: no name is "not found", the whole lookup ends with its reason.
          if (cancel?.aborted) {
            spoil();
            throw cancel.reason;
          }
        }
        return found;
      } finally {
        cancel?.removeEventListener('abort', interrupt);
      }
    });
  }

  /** The sandbox pool's figures, for metrics. */
  poolStats(): PoolStats {
    return this.pool.stats();
  }

  close(): void {
    this.pool.close();
  }

  /**
   * Runs `fn` on the lease's connection. The connection is dropped after `fn` fails, or
   * when `fn` calls `spoil` because a query of its own failed.
   */
  private async withConnection<T>(
    bucket: string,
    fn: (connection: DuckDBConnection, spoil: () => void) => Promise<T>,
    keep = true,
  ): Promise<T> {
    return this.withLease(
      bucket,
      async (lease) => {
        const connection = await this.pool.connect(lease);
        let spoiled = false;
        try {
          return await fn(connection, () => (spoiled = true));
        } catch (error) {
          spoiled = true;
          throw error;
        } finally {
          if (spoiled) this.pool.dropConnection(lease);
        }
      },
      keep,
    );
  }

  version(bucket: string): string {
    // Writes not yet checkpointed live in the write-ahead log beside the file: they change
    // the data without changing the file, so the log's identity is part of the version.
    const wal = `${this.options.catalog.locate(bucket)}.wal`;
    let logged = '';
    try {
      logged = fileIdentity(wal);
    } catch (error) {
      if (!(error instanceof WarehouseMissingError)) throw error;
    }
    return `${this.identify(bucket)}|${logged}`;
  }

  private identify(bucket: string): string {
    try {
      return fileIdentity(this.options.catalog.locate(bucket));
    } catch (error) {
      throw error instanceof WarehouseMissingError ? noWarehouse(bucket) : error;
    }
  }

  private async acquire(bucket: string): Promise<Lease> {
    // An id the catalog will not locate is a caller's bug, not a tenant's failure: it stays unexpected.
    const path = this.options.catalog.locate(bucket);
    try {
      return await this.pool.acquire(bucket, path);
    } catch (error) {
      if (error instanceof WarehouseMissingError) throw noWarehouse(bucket);
      throw new ExecutionFailedError(`The warehouse for bucket '${bucket}' could not be opened: ${openFailureReason(error, path, bucket)}`);
    }
  }

  private async withLease<T>(bucket: string, fn: (lease: Lease) => Promise<T>, keep = true): Promise<T> {
    const lease = await this.acquire(bucket);
    try {
      return await fn(lease);
    } finally {
      this.pool.release(lease, keep);
    }
  }
}

/** What a prefetch did, for the worker's log. */
export interface PrefetchOutcome {
  /** Schemas read from their files. */
  read: number;
  /** Buckets whose schema could not be read: their first ask will say why. */
  failed: number;
}

function noWarehouse(bucket: string): ExecutionFailedError {
  return new ExecutionFailedError(`The warehouse for bucket '${bucket}' does not exist.`);
}

function schemaKey(bucket: string, fileId: string): string {
  return `${bucket}\0${fileId}`;
}

/** How long past its limit a query that ignores the interrupt is waited for before its job is answered without it. */
const OVERRUN_GRACE_MS = 1_000;

/**
 * An instance is kept idle for its bucket only after a query that finished within this.
 * An idle instance keeps the pages its last query read, up to the query memory limit,
 * and the pool counts instances, not bytes: a long query read enough that keeping them
 * would let a few heavy tenants fill a worker's memory. Beside such a query, the 3 ms
 * a new instance costs is nothing; it is beside the small ones that it counts.
 */
const KEEP_IDLE_WITHIN_MS = 100;

/**
 * A query that ran past its limit and did not stop when interrupted. The job is answered
 * query_timeout on time; `settled` ends when DuckDB has let go of the query (or it was
 * declared stuck, see StuckQueryPolicy), and a caller that holds a slot for the tenant
 * should hold it until then, or a tenant could stack such queries on the workers.
 */
export class QueryOverrunError extends QueryTimeoutError {
  constructor(
    message: string,
    readonly settled: Promise<void>,
  ) {
    super(message);
  }
}

/** What else may stop a query than its time limit. */
export interface QueryGuards {
  /** Stops the query once its instance has spilled more than the cap to disk. */
  spill?: SpillCap;
  /** Stops the query when aborted, with WorkerStoppingError: its process is shutting down. */
  stopping?: AbortSignal;
  /** Stops the query when aborted, with the signal's reason: see QueryOptions.cancel. */
  cancel?: AbortSignal;
}

type StopReason = 'time' | 'spill' | 'stopping' | 'cancel';

/**
 * Runs one statement on `connection` under `limits`, streaming so rows past the caps are
 * counted, never held, and interrupting it at its limit or when a guard says so. With
 * `statements`, the connection's, a plan prepared before for the same SQL is run again.
 */
export async function runCapped(
  connection: DuckDBConnection,
  sql: string,
  limits: QueryLimits,
  guards: QueryGuards = {},
  statements?: StatementCache,
): Promise<QueryResult> {
  const { spill, stopping, cancel } = guards;
  if (stopping?.aborted) throw new WorkerStoppingError();
  cancel?.throwIfAborted();
  let stoppedFor: StopReason | undefined;
  const stop = (why: StopReason) => {
    stoppedFor ??= why;
    connection.interrupt();
  };
  const onStopping = () => stop('stopping');
  const onCancel = () => stop('cancel');
  stopping?.addEventListener('abort', onStopping, { once: true });
  cancel?.addEventListener('abort', onCancel, { once: true });
  const timer = setTimeout(() => stop('time'), limits.timeoutMs);
  const unwatch = spill ? watchSpill(spill, () => stop('spill')) : () => undefined;
  try {
    // Streaming keeps memory flat: rows past the caps are counted, never held.
    const result = statements ? await (await statements.prepare(sql)).stream() : await streamOnce(connection, sql);
    const columns = result.columnNames();
    const kept = new CappedRows<JsonValue[]>(limits);
    let totalRows = 0;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      totalRows += chunk.rowCount;
      if (kept.isFull) continue;
      for (const row of chunk.convertRows(jsonNativeConverter)) if (!kept.add(row)) break;
    }
    // An interrupted stream can end as if it had finished: its count would be a false
    // total, so a query stopped at a limit fails for that limit however it ended.
    if (stoppedFor) throw stoppedError(stoppedFor, limits, guards);
    return { columns, rows: kept.rows, totalRows, truncated: kept.rows.length < totalRows };
  } catch (error) {
    if (stoppedFor)
      throw error instanceof JobFailure || error instanceof WorkerStoppingError ? error : stoppedError(stoppedFor, limits, guards);
    if (/Out of Memory Error/i.test(firstLine(error))) {
      throw new ExecutionFailedError(
        'The query needed more memory than a query may use and was stopped. Ask a narrower question or filter the data further.',
      );
    }
    throw new ExecutionFailedError(`The query failed: ${firstLine(error)}`);
  } finally {
    clearTimeout(timer);
    unwatch();
    stopping?.removeEventListener('abort', onStopping);
    cancel?.removeEventListener('abort', onCancel);
  }
}

/** Prepares `sql`, streams it and frees the statement. */
async function streamOnce(connection: DuckDBConnection, sql: string): Promise<DuckDBResult> {
  // prepare() takes exactly one statement, and skips stream()'s statement splitting.
  const prepared = await connection.prepare(sql);
  try {
    return await prepared.stream();
  } finally {
    prepared.destroySync();
  }
}

function stoppedError(why: StopReason, limits: QueryLimits, { spill, cancel }: QueryGuards): Error {
  if (why === 'stopping') return new WorkerStoppingError();
  if (why === 'cancel') return cancel!.reason as Error;
  if (why === 'spill') {
    return new ExecutionFailedError(
      `The query needed more than ${formatBytes(spill!.maxBytes)} of temporary disk and was stopped. Ask a narrower question or filter the data further.`,
    );
  }
  return new QueryTimeoutError(
    `The query ran longer than ${formatSeconds(limits.timeoutMs)} and was stopped. Ask a narrower question or filter the data further.`,
  );
}

function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${+(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

/** DuckDB's reason a database file would not open, naming the bucket's file rather than the server's path. */
export function openFailureReason(error: unknown, path: string, bucket: string): string {
  return firstLine(error)
    .replace(/^Error: /, '')
    .split(path)
    .join(`${bucket}.duckdb`);
}
