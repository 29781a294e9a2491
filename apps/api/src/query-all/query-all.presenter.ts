import type { QueryAllJobRecord } from '@flock/jobs';
import { presentJob } from '../http/job.presenter';

/** A cross-tenant job in the seed's poll shapes; `generated_sql` only in natural-language mode. */
export function presentQueryAllJob(record: QueryAllJobRecord): object {
  return presentJob(record, (result) => ({
    data: {
      columns: result.columns,
      rows: result.rows,
      ...(result.generated_sql !== undefined ? { generated_sql: result.generated_sql } : {}),
    },
    meta: result.meta,
  }));
}
