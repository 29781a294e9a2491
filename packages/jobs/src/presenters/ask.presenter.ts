import type { AskJobRecord } from '../job-record';
import { presentJob } from './job.presenter';

/** An ask job in the seed's poll shapes. */
export function presentAskJob(record: AskJobRecord): object {
  return presentJob(record, {}, (result) => ({
    data: { columns: result.columns, rows: result.rows, generated_sql: result.generated_sql },
    meta: { ...result.meta, bucket: record.bucket, question: record.question },
  }));
}
