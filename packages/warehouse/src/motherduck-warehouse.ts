import { LRUCache } from 'lru-cache';
import {
  ExecutionFailedError,
  JobFailure,
  QueryTimeoutError,
  WorkerStoppingError,
  firstLine,
  formatSeconds,
  timeLeft,
} from '@flock/errors';
import { MotherDuckSessionError, motherDuckDatabase, withMotherDuckDatabase, type MotherDuckConnector } from '@flock/motherduck';
import type { SchemaContext } from '@flock/schema';
import { readSchemaContext } from './schema-reader';
import { StandaloneSqlValidator } from './standalone-validator';
import { DEFAULT_SCHEMA_CACHE_SIZE, runCapped, type QueryLimits, type QueryOptions, type QueryResult, type SchemaRead } from './warehouse';

export interface MotherDuckWarehouseOptions {
  connector: MotherDuckConnector;
  /** Bucket → MotherDuck database (FLOCK_MOTHERDUCK_DATABASES). Default none: every bucket uses the database of its own name. */
  databases?: Readonly<Record<string, string>>;
  defaultQueryLimits: QueryLimits;
  /**
   * How long a bucket's schema is reused before it is read again. Default 5 minutes: a
   * MotherDuck database has no file identity to notice a change by, as the local pool
   * has, and reading a schema costs a round trip per table and per text column.
   */
  schemaTtlMs?: number;
  /** Most buckets' schemas kept, least recently used dropped first. Default 256. */
  schemaCacheSize?: number;
  /** Aborted when the process is shutting down: see WarehouseOptions.stopping. */
  stopping?: AbortSignal;
}

const DEFAULT_SCHEMA_TTL_MS = 5 * 60_000;

/**
 * Past the query's own time limit, how long a stuck connect, `USE` or MotherDuck call
 * that ignores the interrupt is waited for. runCapped's timer fires first for a slow
 * query, so its query_timeout message is the one a tenant usually sees.
 */
const CONNECT_GRACE_MS = 2_000;

/**
 * Runs untrusted SQL for buckets whose data lives in MotherDuck, like Warehouse does
 * for local files: the same single-SELECT proof (on a local, empty DuckDB, so SQL that
 * fails it never reaches MotherDuck), then `USE` of the bucket's database and the same
 * row, byte and time caps. What it cannot copy is the sandbox: the `md:` instance needs
 * the network, and it reaches every database the token can. So SQL is also held to
 * reading the tables of the bucket's own database (assertReadsOnlyTables): no files,
 * no settings, no other database named. That is a check on what the SQL says, not a
 * wall like the local sandbox's; where tenants must be kept apart by more than that,
 * give their databases separate tokens (and so separate Flock deployments).
 */
export class MotherDuckWarehouse {
  // A local, empty DuckDB proves the SQL first, so SQL that fails never reaches MotherDuck.
  private readonly validator = new StandaloneSqlValidator();
  /** Bounded like the local cache: the least recently used buckets are dropped first. */
  private readonly schemas: LRUCache<string, SchemaContext>;

  constructor(private readonly options: MotherDuckWarehouseOptions) {
    this.schemas = new LRUCache({
      max: options.schemaCacheSize ?? DEFAULT_SCHEMA_CACHE_SIZE,
      ttl: options.schemaTtlMs ?? DEFAULT_SCHEMA_TTL_MS,
      // The TTL runs on Date.now(), the clock every other Flock deadline uses, read afresh
      // on each check (a schema read costs far more), so a test that stops that clock
      // decides when a schema expires.
      perf: Date,
      ttlResolution: 0,
      fetchMethod: (bucket) => this.readFromService(bucket),
    });
  }

  /** Validates and runs one SELECT on the bucket's MotherDuck database. */
  async query(bucket: string, sql: string, limits: Partial<QueryLimits> = {}, options: QueryOptions = {}): Promise<QueryResult> {
    const effective = { ...this.options.defaultQueryLimits, ...limits };
    const started = Date.now();
    const database = motherDuckDatabase(bucket, this.options.databases);
    await this.validator.assertOwnTablesSelect(sql, database);
    try {
      return await withMotherDuckDatabase(this.options.connector, database, effective.timeoutMs + CONNECT_GRACE_MS, (connection) =>
        // The limit counts from the start of the call, connecting included, as in Warehouse.
        runCapped(
          connection,
          sql,
          { ...effective, timeoutMs: Math.max(1, timeLeft(effective.timeoutMs, started + effective.timeoutMs)) },
          { stopping: this.options.stopping, cancel: options.cancel },
        ),
      );
    } catch (error) {
      // The caller's own reason, as it stopped the query: not the database's failure.
      if (options.cancel?.aborted && error === options.cancel.reason) throw error;
      throw this.failure(error, database, effective.timeoutMs);
    }
  }

  /**
   * The bucket's schema, read from its MotherDuck database with the same reader as a
   * local file's (it sees only the current database), reused for `schemaTtlMs`.
   * Concurrent asks share one read; a failed read is not kept.
   */
  async schema(bucket: string): Promise<SchemaContext> {
    return (await this.readSchema(bucket)).schema;
  }

  async readSchema(bucket: string): Promise<SchemaRead> {
    const cached = this.schemas.has(bucket);
    // fetchMethod never resolves undefined, so neither does fetch.
    return { schema: (await this.schemas.fetch(bucket))!, cached };
  }

  close(): void {
    this.schemas.clear();
    this.options.connector.close();
    this.validator.close().catch(() => undefined);
  }

  private async readFromService(bucket: string): Promise<SchemaContext> {
    const database = motherDuckDatabase(bucket, this.options.databases);
    const { timeoutMs } = this.options.defaultQueryLimits;
    try {
      return await withMotherDuckDatabase(this.options.connector, database, timeoutMs, readSchemaContext);
    } catch (error) {
      if (error instanceof MotherDuckSessionError && error.stage === 'timeout') {
        throw new ExecutionFailedError(
          `MotherDuck did not return the schema of the database '${database}' within ${formatSeconds(timeoutMs)}. Try again later.`,
        );
      }
      throw this.failure(error, database, timeoutMs);
    }
  }

  private failure(error: unknown, database: string, timeoutMs: number): Error {
    const { connector } = this.options;
    if (error instanceof WorkerStoppingError) return error;
    if (error instanceof MotherDuckSessionError) {
      const { timedOut, message } = error.describe(
        database,
        `MotherDuck did not answer within ${formatSeconds(timeoutMs)} and the query was stopped. Ask a narrower question or try again.`,
      );
      return timedOut ? new QueryTimeoutError(message) : new ExecutionFailedError(message);
    }
    if (error instanceof QueryTimeoutError) {
      // runCapped was given what was left after connecting; the asker's limit is the whole of it.
      return new QueryTimeoutError(
        `The query ran longer than ${formatSeconds(timeoutMs)} and was stopped. Ask a narrower question or filter the data further.`,
      );
    }
    if (error instanceof JobFailure) {
      // runCapped quotes DuckDB, and MotherDuck's errors are not known never to hold the token.
      const message = connector.redact(error.message);
      return message === error.message ? error : new JobFailure(error.code, message);
    }
    // Unexpected, so rethrown for BullMQ's retries; still never with the token in it.
    return new Error(connector.redact(firstLine(error)));
  }
}
