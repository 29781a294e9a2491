import type { AskJobRecord, JobResult, QueryAllJobRecord } from '../job-record';

/**
 * The seed's poll shapes, shared by every kind of job: still running, failed, and a
 * completed shape each kind fills in. `job_id` and `status` are added to the completed
 * shape (fields may be added, never renamed), so clients can branch on `status`
 * whatever the outcome. `running` adds fields to the processing shape (a fan-out's progress).
 */
export function presentJob(
  record: AskJobRecord | QueryAllJobRecord,
  running: object,
  completed: (result: JobResult) => { data: object; meta: object },
): object {
  switch (record.status) {
    case 'processing':
      return { data: { job_id: record.id, status: 'processing', ...running } };
    case 'failed':
      return {
        data: { job_id: record.id, status: 'failed', error_code: record.errorCode, error_message: record.errorMessage },
      };
    case 'completed': {
      const { data, meta } = completed(record.result!);
      return { data: { job_id: record.id, status: 'completed', ...data }, meta };
    }
  }
}

/** What a submission answers (202): the job's id, to poll or stream. */
export function presentSubmitted(jobId: string): object {
  return { data: { job_id: jobId, status: 'processing' } };
}
