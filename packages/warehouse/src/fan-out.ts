import { randomBytes } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { JobFailure, QueryTimeoutError, firstLine, formatSeconds } from '@flock/errors';
import { SANDBOX_LOCKDOWN, inMemorySandboxSettings, type SandboxLimits } from './instance-pool';
import type { JsonValue } from './result-encoder';
import { assertCrossTenantSql } from './table-only-guard';
import type { TenantCatalog } from './tenant-catalog';
import { openFailureReason, runCapped, type QueryLimits } from './warehouse';

/** What happened on one bucket of a cross-tenant query. */
export type BucketOutcome =
  | { bucket: string; status: 'ok'; columns: string[]; rows: JsonValue[][]; totalRows: number; truncated: boolean }
  | { bucket: string; status: 'skipped' }
  | { bucket: string; status: 'error'; message: string };

export interface ChunkQuery {
  /**
   * Buckets with local files only: ATTACH cannot reach MotherDuck, and a
   * CompositeTenantCatalog's locate() throws for a hosted bucket rather than
   * attach a same-named local file. QueryAllService runs hosted buckets itself.
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
  private readonly spares: Promise<DuckDBInstance>[] = [];
  private closed = false;

  constructor(
    private readonly catalog: TenantCatalog,
    private readonly limits: SandboxLimits,
    private readonly spareCount = 2,
  ) {}

  async run(query: ChunkQuery): Promise<BucketOutcome[]> {
    const instance = await this.take();
    const connection = await instance.connect();
    try {
      return await runChunk(connection, this.catalog, query);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  close(): void {
    this.closed = true;
    for (const spare of this.spares.splice(0)) void spare.then((instance) => instance.closeSync()).catch(() => undefined);
  }

  private take(): Promise<DuckDBInstance> {
    const instance = this.spares.shift() ?? this.create();
    while (!this.closed && this.spares.length < this.spareCount) {
      const spare = this.create();
      spare.catch(() => this.spares.splice(this.spares.indexOf(spare), 1));
      this.spares.push(spare);
    }
    return instance;
  }

  private create(): Promise<DuckDBInstance> {
    // The sandbox less its lockdown, which ATTACH needs open; runChunk closes it.
    const settings = inMemorySandboxSettings(this.limits);
    for (const [name] of SANDBOX_LOCKDOWN) delete settings[name];
    return DuckDBInstance.create(':memory:', settings);
  }
}

async function runChunk(connection: DuckDBConnection, catalog: TenantCatalog, query: ChunkQuery): Promise<BucketOutcome[]> {
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
  for (const [name, value] of SANDBOX_LOCKDOWN) await connection.run(`SET ${name} = ${value}`);

  try {
    await assertCrossTenantSql(connection, query.sql);
  } catch (error) {
    return query.buckets.map((bucket) => outcomes.get(bucket) ?? { bucket, status: 'error', message: messageOf(error) });
  }
  const withTable = query.table ? await databasesWithTable(connection, query.table) : undefined;

  const budget = { rows: query.maxRows, bytes: query.maxBytes };
  for (const [bucket, alias] of aliases) {
    if (withTable && !withTable.has(alias)) {
      outcomes.set(bucket, { bucket, status: 'skipped' });
      continue;
    }
    const remainingMs = query.deadline - Date.now();
    if (remainingMs <= 0) {
      outcomes.set(bucket, { bucket, status: 'error', message: 'Not queried: the job ran out of time before reaching this database.' });
      continue;
    }
    const outcome = await runOn(connection, bucket, alias, query.sql, {
      timeoutMs: Math.min(query.queryTimeoutMs, remainingMs),
      maxRows: budget.rows,
      maxBytes: Math.max(2, budget.bytes),
    });
    if (outcome.status === 'ok') {
      budget.rows -= outcome.rows.length;
      budget.bytes -= JSON.stringify(outcome.rows).length;
    }
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
): Promise<BucketOutcome> {
  try {
    await connection.run(`USE ${alias}`);
    const result = await runCapped(connection, sql, limits);
    return { bucket, status: 'ok', ...result };
  } catch (error) {
    const message =
      error instanceof QueryTimeoutError ? `The query ran longer than ${formatSeconds(limits.timeoutMs)} on this database and was stopped.` : messageOf(error);
    return { bucket, status: 'error', message: message.split(alias).join(bucket) };
  }
}

function messageOf(error: unknown): string {
  return error instanceof JobFailure ? error.message : firstLine(error);
}
