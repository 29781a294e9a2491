import type { JobFailureCode } from '@flock/errors';
import type { TableInfo } from '@flock/schema';

export type JobStatus = 'processing' | 'completed' | 'failed';

/** Who submitted a job. Never a token or key: only the id the caller authenticated as. */
export interface JobOwner {
  type: 'user' | 'api_key';
  id: string;
}

/** The answer of a completed job, shaped like the seed's poll responses. */
export interface JobResult {
  columns: string[];
  rows: unknown[][];
  /** Always present for ask; for query-all only in natural-language mode. */
  generated_sql?: string;
  meta: Record<string, unknown>;
}

/** The answer of a schema read: the bucket's tables, without their value lists. */
export interface SchemaResult {
  tables: TableInfo[];
}

/** What every job's record holds, whatever its kind. */
interface JobRecordBase<R = JobResult> {
  id: string;
  status: JobStatus;
  owner: JobOwner;
  /** Milliseconds since the epoch, by the Redis server's clock. */
  submittedAt: number;
  finishedAt?: number;
  result?: R;
  errorCode?: JobFailureCode;
  errorMessage?: string;
  /**
   * Where the finished job's poll body is POSTed (issue 12), when the submitter asked.
   * Never part of any response: it is the submitter's, and may carry a token.
   */
  callbackUrl?: string;
}

/** A question to one bucket. */
export interface AskJobRecord extends JobRecordBase {
  kind: 'ask';
  bucket: string;
  question: string;
  /** The ask this one follows up (`previous_job_id`), when it is a follow-up. */
  followsJobId?: string;
}

/** One query over many buckets, as submitted: SQL, or a question to write it from. */
export interface QueryAllJobRecord extends JobRecordBase {
  kind: 'query-all';
  request: { sql: string } | { question: string };
  /** Buckets without this table are skipped. */
  table?: string;
}

/** A caller's own SQL on one bucket, answered synchronously by the API once a worker has run it. */
export interface QueryJobRecord extends JobRecordBase {
  kind: 'query';
  bucket: string;
  sql: string;
}

/** A read of one bucket's tables, answered synchronously by the API once a worker has read them. */
export interface SchemaJobRecord extends JobRecordBase<SchemaResult> {
  kind: 'schema';
  bucket: string;
}

/** A job's record, by kind: each kind keeps its own fields, none borrowed from another's. */
export type JobRecord = AskJobRecord | QueryAllJobRecord | QueryJobRecord | SchemaJobRecord;
export type JobKind = JobRecord['kind'];

/** A job as submitted, before the store gives it a status and a submission time. */
export type NewJob =
  | Omit<AskJobRecord, StoredFields>
  | Omit<QueryAllJobRecord, StoredFields>
  | Omit<QueryJobRecord, StoredFields>
  | Omit<SchemaJobRecord, StoredFields>;
type StoredFields = 'status' | 'submittedAt' | 'finishedAt' | 'result' | 'errorCode' | 'errorMessage';

/** What a worker's final write achieved. Only `stored` means this worker's answer counts. */
export type FinishOutcome = 'stored' | 'already_finished' | 'timed_out' | 'missing';
