import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { JobFailure, QueryTimeoutError, WorkerStoppingError, firstLine, formatSeconds, timeLeft } from '@flock/errors';
import { findTable, sizeInBytes, type SchemaContext } from '@flock/schema';
import {
  DEFAULT_MAX_SPILL,
  closeSandbox,
  createUnlockedSandbox,
  keepSpare,
  lockDown,
  type Sandbox,
  type SandboxLimits,
} from './instance-pool';
import type { JsonValue } from './result-encoder';
import { jsonBytes } from './row-caps';
import { assertCrossTenantSql } from './table-only-guard';
import type { TenantCatalog } from './tenant-catalog';
import { openFailureReason, runCapped, type QueryGuards, type QueryLimits, type QueryResult } from './warehouse';

/** What happened on one bucket of a cross-tenant query. */
export type BucketOutcome =
  | { bucket: string; status: 'ok'; columns: string[]; rows: JsonValue[][]; totalRows: number; truncated: boolean }
  | { bucket: string; status: 'skipped' }
  | { bucket: string; status: 'error'; message: string };

/** Buckets answered somewhere other than a local file (MotherDuck); RoutingWarehouse is one. */
export interface HostedBuckets {
  isHosted(bucket: string): boolean;
  query(bucket: string, sql: string, limits?: Partial<QueryLimits>): Promise<QueryResult>;
  schema(bucket: string): Promise<SchemaContext>;
}

export interface FanOutOptions {
  /** Where hosted buckets are run. Unset: every bucket must have a local file. */
  hosted?: HostedBuckets;
  /** Empty instances kept ready. Default 2. */
  spares?: number;
  /**
   * Aborted when the process is shutting down: the running query is interrupted and the
   * whole chunk fails with WorkerStoppingError, to be run again elsewhere, rather than
   * its buckets reading as failed.
   */
  stopping?: AbortSignal;
}

export interface ChunkQuery {
  /**
   * The chunk's buckets. Local files are ATTACHed; hosted ones (FanOutOptions.hosted)
   * are run one by one through their warehouse, as ATTACH cannot reach them.
   */
  buckets: string[];
  sql: string;
  /** Buckets whose database lacks this table are skipped, not queried. */
  table?: string;
  /** Epoch milliseconds after which no bucket is started and a running query is interrupted. */
  deadline: number;
  /** Each bucket's query is interrupted after this long, as an ask's would be. */
  queryTimeoutMs: number;
  /**
   * Caps on the rows the whole chunk keeps, in bucket order: once they are used up,
   * later buckets are still queried and counted, but their rows are dropped.
   */
  maxRows: number;
  maxBytes: number;
}

/**
 * Runs one SELECT on each of a chunk of tenants' databases, in one DuckDB instance,
 * because opening an instance per bucket would cost more than the query itself.
 *
 * The instance is a sandbox built in two steps. First the chunk's files are ATTACHed
 * read-only (which needs file access); then external access is switched off and the
 * configuration locked, before any tenant SQL runs. Every bucket runs the SQL on its
 * own, with `USE` selecting its database, so one bucket's failure or result never
 * mixes with another's. Databases are attached under random aliases, so SQL fixed
 * before the chunk started cannot name a neighbour's database.
 *
 * A locked instance cannot attach anything else, so each is used for one chunk only.
 * Creating one costs tens of milliseconds (DuckDB builds its function catalog), so a
 * few empty instances are kept ready and replaced in the background.
 */
export class FanOutRunner {
  private readonly spares: Promise<Sandbox>[] = [];
  private closed = false;

  private readonly spareCount: number;
  private readonly maxSpillBytes: number;

  constructor(
    private readonly catalog: TenantCatalog,
    private readonly limits: SandboxLimits,
    private readonly options: FanOutOptions = {},
  ) {
    this.spareCount = options.spares ?? 2;
    this.maxSpillBytes = sizeInBytes(limits.maxSpill ?? DEFAULT_MAX_SPILL);
  }

  async run(query: ChunkQuery): Promise<BucketOutcome[]> {
    const { hosted } = this.options;
    const remote = hosted ? query.buckets.filter((bucket) => hosted.isHosted(bucket)) : [];
    const local = query.buckets.filter((bucket) => !remote.includes(bucket));
    // The caps are the chunk's, shared: when they bind, the local buckets' rows are kept first.
    const budget = new ResultBudget(query.maxRows, query.maxBytes);
    const outcomes = new Map<string, BucketOutcome>();
    if (local.length > 0) {
      for (const outcome of await this.runLocal({ ...query, buckets: local }, budget)) outcomes.set(outcome.bucket, outcome);
    }
    for (const bucket of remote) outcomes.set(bucket, await runHosted(hosted!, bucket, query, budget));
    return query.buckets.map((bucket) => outcomes.get(bucket)!);
  }

  close(): void {
    this.closed = true;
    for (const spare of this.spares.splice(0))
      void spare.then(({ instance, spill }) => closeSandbox(instance, spill)).catch(() => undefined);
  }

  private async runLocal(query: ChunkQuery, budget: ResultBudget): Promise<BucketOutcome[]> {
    const { instance, spill } = await this.take();
    const connection = await instance.connect();
    try {
      return await runChunk(connection, this.catalog, query, budget, {
        spill: { folder: spill, maxBytes: this.maxSpillBytes },
        stopping: this.options.stopping,
      });
    } finally {
      connection.closeSync();
      closeSandbox(instance, spill);
    }
  }

  private take(): Promise<Sandbox> {
    // Unlocked, as ATTACH needs it open; runChunk locks it.
    const instance = this.spares.shift() ?? createUnlockedSandbox(this.limits);
    while (!this.closed && this.spares.length < this.spareCount) keepSpare(this.spares, createUnlockedSandbox(this.limits));
    return instance;
  }
}

/** What is left of a chunk's row and byte caps, spent bucket by bucket. */
class ResultBudget {
  constructor(
    private rows: number,
    private bytes: number,
  ) {}

  /** The next bucket's limits: `timeoutMs`, and whatever the buckets before it left of the caps. */
  limits(timeoutMs: number): QueryLimits {
    return { timeoutMs, maxRows: Math.max(0, this.rows), maxBytes: Math.max(2, this.bytes) };
  }

  spend(outcome: BucketOutcome): void {
    if (outcome.status !== 'ok') return;
    this.rows -= outcome.rows.length;
    this.bytes -= jsonBytes(outcome.rows);
  }
}

/**
 * One bucket's turn, local or hosted alike: not started once the job's deadline has
 * passed, else run under the query limit (or the time left, if less) and the caps left.
 */
async function withinLimits(
  bucket: string,
  query: ChunkQuery,
  budget: ResultBudget,
  run: (limits: QueryLimits) => Promise<BucketOutcome>,
): Promise<BucketOutcome> {
  const timeoutMs = timeLeft(query.queryTimeoutMs, query.deadline);
  if (timeoutMs <= 0) {
    return { bucket, status: 'error', message: 'Not queried: the job ran out of time before reaching this database.' };
  }
  const outcome = await run(budget.limits(timeoutMs));
  budget.spend(outcome);
  return outcome;
}

/** A hosted bucket, as runChunk runs a local one: skipped without the table, else its SQL within the limits left. */
async function runHosted(hosted: HostedBuckets, bucket: string, query: ChunkQuery, budget: ResultBudget): Promise<BucketOutcome> {
  try {
    if (query.table && !findTable(await hosted.schema(bucket), query.table)) return { bucket, status: 'skipped' };
  } catch (error) {
    return { bucket, status: 'error', message: messageOf(error) };
  }
  return withinLimits(bucket, query, budget, async (limits) => {
    try {
      return { bucket, status: 'ok', ...(await hosted.query(bucket, query.sql, limits)) };
    } catch (error) {
      if (error instanceof WorkerStoppingError) throw error;
      // One bucket's failure is its own outcome; MotherDuck's messages are already redacted.
      return { bucket, status: 'error', message: messageOf(error) };
    }
  });
}

async function runChunk(
  connection: DuckDBConnection,
  catalog: TenantCatalog,
  query: ChunkQuery,
  budget: ResultBudget,
  guards: QueryGuards,
): Promise<BucketOutcome[]> {
  const outcomes = new Map<string, BucketOutcome>();
  const salt = randomBytes(8).toString('hex');
  const targets = query.buckets.map((bucket, index) => ({ bucket, alias: `t_${salt}_${index}`, path: catalog.locate(bucket) }));
  const aliases = new Map<string, string>();
  // One round trip for the whole chunk; only if some file fails is each attached on its own, to name it.
  try {
    await connection.run(targets.map((target) => attachSql(target.path, target.alias)).join(';\n'));
    for (const target of targets) aliases.set(target.bucket, target.alias);
  } catch {
    const attached = new Set(
      (await connection.runAndReadAll('SELECT database_name FROM duckdb_databases()')).getRowsJS().map((row) => String(row[0])),
    );
    for (const target of targets) {
      const opened = attached.has(target.alias) || (await attach(connection, catalog, target));
      if (opened === true) aliases.set(target.bucket, target.alias);
      else outcomes.set(target.bucket, { bucket: target.bucket, status: 'error', message: opened });
    }
  }
  await lockDown(connection);

  try {
    await assertCrossTenantSql(connection, query.sql);
  } catch (error) {
    return query.buckets.map((bucket) => outcomes.get(bucket) ?? { bucket, status: 'error', message: messageOf(error) });
  }
  const withTable = query.table ? await databasesWithTable(connection, query.table) : undefined;

  for (const [bucket, alias] of aliases) {
    const outcome =
      withTable && !withTable.has(alias)
        ? ({ bucket, status: 'skipped' } as const)
        : await withinLimits(bucket, query, budget, (limits) => runOn(connection, bucket, alias, query.sql, limits, guards));
    outcomes.set(bucket, outcome);
  }
  return query.buckets.map((bucket) => outcomes.get(bucket)!);
}

function attachSql(path: string, alias: string): string {
  return `ATTACH '${path.replace(/'/g, "''")}' AS ${alias} (READ_ONLY)`;
}

async function attach(
  connection: DuckDBConnection,
  catalog: TenantCatalog,
  target: { bucket: string; alias: string; path: string },
): Promise<true | string> {
  try {
    await connection.run(attachSql(target.path, target.alias));
    return true;
  } catch (error) {
    if (!(await catalog.exists(target.bucket))) return 'The warehouse for this bucket does not exist.';
    // DuckDB names the file; the caller needs the reason, not the server's layout.
    return `The database could not be opened: ${openFailureReason(error, target.path, target.bucket)}`;
  }
}

async function databasesWithTable(connection: DuckDBConnection, table: string): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    `SELECT database_name FROM duckdb_tables() WHERE lower(table_name) = lower($table)
     UNION SELECT database_name FROM duckdb_views() WHERE lower(view_name) = lower($table) AND NOT internal`,
    { table },
  );
  return new Set(reader.getRowsJS().map((row) => String(row[0])));
}

async function runOn(
  connection: DuckDBConnection,
  bucket: string,
  alias: string,
  sql: string,
  limits: QueryLimits,
  guards: QueryGuards,
): Promise<BucketOutcome> {
  try {
    await connection.run(`USE ${alias}`);
    const result = await runCapped(connection, sql, limits, guards);
    return { bucket, status: 'ok', ...result };
  } catch (error) {
    if (error instanceof WorkerStoppingError) throw error;
    const message =
      error instanceof QueryTimeoutError
        ? `The query ran longer than ${formatSeconds(limits.timeoutMs)} on this database and was stopped.`
        : messageOf(error);
    return { bucket, status: 'error', message: message.split(alias).join(bucket) };
  }
}

function messageOf(error: unknown): string {
  return error instanceof JobFailure ? error.message : firstLine(error);
}
