import type { QueryAllJobRecord } from '../job-record';
import type { JobProgress } from '../job-store';
import { presentJob } from './job.presenter';

/**
 * A cross-tenant job in the seed's poll shapes; `generated_sql` only in natural-language
 * mode. While it runs, once planned, an added `progress`: the databases that have
 * answered (queried, skipped or errored) out of all it runs on.
 */
export function presentQueryAllJob(record: QueryAllJobRecord, progress?: JobProgress): object {
  const running = progress ? { progress: { databases_done: progress.done, databases_total: progress.total } } : {};
  return presentJob(record, running, (result) => ({
    data: {
      columns: result.columns,
      rows: result.rows,
      ...(result.generated_sql !== undefined ? { generated_sql: result.generated_sql } : {}),
    },
    meta: result.meta,
  }));
}
