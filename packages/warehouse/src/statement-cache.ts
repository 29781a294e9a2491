import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { LRUCache } from 'lru-cache';

/**
 * Statements kept per connection. Each holds its SQL's text, parse tree and plan, about
 * 27 kB measured on a demo bucket's aggregate, so a worker's idle instances hold at most
 * this many times that beside their pages (FLOCK_POOL_MAX_IDLE instances × 8 × 27 kB:
 * 31 MB at the default), for SQL of that size.
 */
export const STATEMENTS_PER_CONNECTION = 8;

/**
 * The statements one lease's connection has prepared, by SQL text, so that a question
 * asked again of the same bucket runs its plan again instead of parsing, binding and
 * planning it anew: for a small query that is about a third of DuckDB's work (measured
 * 1.7–2.0 ms against 1.2–1.5 ms a query on one connection).
 *
 * A plan is valid only on the data it was bound to, which is why the cache lives and
 * dies with the connection: the pool gives a connection to one bucket at one file
 * version, READ_ONLY, and closes it when the instance is emptied (right after the
 * DETACH), after any failed or interrupted query, and when the file changes (a new
 * version is a new lease). DuckDB would otherwise rebind a kept statement to whatever
 * database later took the name.
 *
 * Only SQL whose constants are known to be small should be kept (QueryOptions.keepPlan):
 * DuckDB folds constant expressions into the plan when it prepares it, so a short text
 * such as `repeat('x', 10000000)` keeps 10 MB, which no memory limit counts.
 */
export class StatementCache {
  private readonly prepared: LRUCache<string, DuckDBPreparedStatement>;
  private readonly onReuse: () => void;

  /** `onReuse` hears of each query run from a kept plan, for the pool's counts. */
  constructor(
    private readonly connection: DuckDBConnection,
    { max = STATEMENTS_PER_CONNECTION, onReuse = () => undefined }: { max?: number; onReuse?: () => void } = {},
  ) {
    this.onReuse = onReuse;
    // A statement pushed out is freed now rather than when the connection closes; only
    // one query runs on a lease at a time, so it is never the one running.
    this.prepared = new LRUCache({ max, dispose: (statement) => statement.destroySync() });
  }

  /** The statement for `sql`, kept from an earlier query on this connection or prepared now. */
  async prepare(sql: string): Promise<DuckDBPreparedStatement> {
    const kept = this.prepared.get(sql);
    if (kept) {
      this.onReuse();
      return kept;
    }
    const statement = await this.connection.prepare(sql);
    // Should another caller have kept the same SQL meanwhile, its statement stays: setting
    // this one would free that one, which may be running.
    const raced = this.prepared.get(sql);
    if (raced) {
      statement.destroySync();
      return raced;
    }
    this.prepared.set(sql, statement);
    return statement;
  }

  /** Statements kept now. */
  get size(): number {
    return this.prepared.size;
  }
}
