import type { JobRecord } from '@flock/jobs';

/**
 * The seed's poll shapes for cross-tenant jobs. As for ask, `job_id` and `status` are
 * added to the completed shape; `generated_sql` appears only in natural-language mode.
 */
export function presentQueryAllJob(record: JobRecord): object {
  switch (record.status) {
    case 'processing':
      return { data: { job_id: record.id, status: 'processing' } };
    case 'failed':
      return {
        data: { job_id: record.id, status: 'failed', error_code: record.errorCode, error_message: record.errorMessage },
      };
    case 'completed': {
      const result = record.result!;
      return {
        data: {
          job_id: record.id,
          status: 'completed',
          columns: result.columns,
          rows: result.rows,
          ...(result.generated_sql !== undefined ? { generated_sql: result.generated_sql } : {}),
        },
        meta: result.meta,
      };
    }
  }
}
