import type { DuckDBConnection } from '@duckdb/node-api';
import { firstLine, formatSeconds } from '@flock/errors';
import type { MotherDuckConnector } from './motherduck-connector';
import { useDatabaseSql } from './motherduck-database';

/** Which step of a MotherDuck session failed before the caller's own work could. */
export type MotherDuckStage = 'connect' | 'use' | 'timeout';

/**
 * Opening MotherDuck or selecting the database failed, or the deadline passed.
 * `detail` is DuckDB's first line with the token already redacted; the raw error is
 * deliberately not kept as `cause`, since loggers print causes in full.
 */
export class MotherDuckSessionError extends Error {
  constructor(
    readonly stage: MotherDuckStage,
    readonly detail: string,
  ) {
    super(`MotherDuck ${stage} failed: ${detail}`);
    this.name = 'MotherDuckSessionError';
  }

  /**
   * What a tenant is told, worded once for the engine and the warehouse alike. Only the
   * timeout's wording differs between them, since it says what was being waited for, so
   * the caller supplies it; `timedOut` lets the caller pick the error class (a timeout is
   * the asker's `query_timeout`, not a failure).
   */
  describe(database: string, timeoutMessage: string): { timedOut: boolean; message: string } {
    switch (this.stage) {
      case 'connect':
        return { timedOut: false, message: `MotherDuck could not be reached: ${this.detail}` };
      case 'use':
        return { timedOut: false, message: `The MotherDuck database '${database}' could not be opened: ${this.detail}` };
      case 'timeout':
        return { timedOut: true, message: timeoutMessage };
    }
  }
}

/**
 * Runs `work` on a fresh connection that has `USE`d `database`, all within
 * `timeoutMs`. A fresh connection per call keeps one bucket's `USE` from leaking into
 * another's question. At the deadline the connection is interrupted and the caller
 * stops waiting at once: interrupt() stops DuckDB's own execution, but a stalled
 * network call (opening `md:`, or inside the extension) may not notice it. The
 * connection is closed only once the work has settled, never under a running query.
 * Errors thrown by `work` itself pass through unchanged and unredacted.
 */
export async function withMotherDuckDatabase<T>(
  connector: MotherDuckConnector,
  database: string,
  timeoutMs: number,
  work: (connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  let connection: DuckDBConnection | undefined;
  let abandoned = false;
  const run = (async () => {
    try {
      connection = await connector.connect();
    } catch (error) {
      throw new MotherDuckSessionError('connect', connector.redact(firstLine(error)));
    }
    if (abandoned) throw new MotherDuckSessionError('timeout', 'abandoned');
    try {
      await connection.run(useDatabaseSql(database));
    } catch (error) {
      throw new MotherDuckSessionError('use', connector.redact(firstLine(error)));
    }
    return work(connection);
  })();
  const close = () => connection?.closeSync();
  // Also handles the rejection of a run nobody awaits any more, after the deadline.
  run.then(close, close).catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      abandoned = true;
      connection?.interrupt();
      reject(new MotherDuckSessionError('timeout', `no answer within ${formatSeconds(timeoutMs)}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
