import type { JobFailureCode } from '@flock/errors';

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

export interface JobRecord {
  id: string;
  kind: string;
  status: JobStatus;
  bucket: string;
  question: string;
  owner: JobOwner;
  /** Milliseconds since the epoch, by the Redis server's clock. */
  submittedAt: number;
  finishedAt?: number;
  result?: JobResult;
  errorCode?: JobFailureCode;
  errorMessage?: string;
}

/** What a worker's final write achieved. Only `stored` means this worker's answer counts. */
export type FinishOutcome = 'stored' | 'already_finished' | 'timed_out' | 'missing';
