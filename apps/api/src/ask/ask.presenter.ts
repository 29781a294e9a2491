import type { JobRecord } from '@flock/jobs';

/**
 * The seed's three poll shapes. `job_id` and `status` are added to the completed shape
 * (allowed: fields may be added, never renamed), so clients can branch on `status`
 * whatever the outcome.
 */
export function presentAskJob(record: JobRecord): object {
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
          generated_sql: result.generated_sql,
        },
        meta: { ...result.meta, bucket: record.bucket, question: record.question },
      };
    }
  }
}
