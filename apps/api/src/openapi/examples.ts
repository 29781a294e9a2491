/**
 * The seed pages' JSON examples (/work/shared/seeds), with the fields the code adds to
 * them: `job_id` and `status` in a completed poll, and the workers' meta. The values are
 * the seeds' own, so the document reads like the contract it implements; the lint checks
 * every example against its schema.
 */
const ASK_JOB = 'a6220339-7ed3-42cf-b93a-67f78043567a';
const QUERY_ALL_JOB = '503a73be-9119-43ba-8e30-4f278f978d49';

export const seedExamples = {
  askRequests: {
    simple: { question: 'How many active members do we have?' },
    payments: { question: 'Total payments by currency for 2024' },
  },
  askSubmitted: { data: { job_id: ASK_JOB, status: 'processing' } },
  askPoll: {
    processing: { data: { job_id: ASK_JOB, status: 'processing' } },
    completed: {
      data: {
        job_id: ASK_JOB,
        status: 'completed',
        columns: ['membership_type', 'count'],
        rows: [
          ['Standard', 450],
          ['Premium', 120],
        ],
        generated_sql: 'SELECT membership_type, count(*) as count FROM member GROUP BY membership_type',
      },
      meta: {
        bucket: 'example',
        question: 'How many members by type?',
        row_count: 2,
        total_rows: 2,
        truncated: false,
        generator: 'builtin',
        generation_time_ms: 12,
        execution_time_ms: 4,
        duration_ms: 21,
      },
    },
    failed: {
      data: {
        job_id: ASK_JOB,
        status: 'failed',
        error_code: 'generation_failed',
        error_message: 'Could not generate a query for that question.',
      },
    },
  },
  queryAllRequests: {
    sql: { sql: 'SELECT count(*) AS total FROM member' },
    question: { question: 'How many members are there?', table: 'member' },
  },
  queryAllSubmitted: { data: { job_id: QUERY_ALL_JOB, status: 'processing' } },
  queryAllPoll: {
    processing: { data: { job_id: QUERY_ALL_JOB, status: 'processing' } },
    running: {
      data: { job_id: QUERY_ALL_JOB, status: 'processing', progress: { databases_done: 120, databases_total: 177 } },
    },
    completed: {
      data: {
        job_id: QUERY_ALL_JOB,
        status: 'completed',
        columns: ['_bucket', 'total'],
        rows: [
          ['example', 1523],
          ['jec', 4200],
        ],
      },
      meta: {
        databases_queried: 177,
        databases_skipped: 0,
        databases_errored: 0,
        total_rows: 177,
        row_count: 177,
        execution_time_seconds: 9.6,
        skipped: [],
        errors: {},
        truncated: false,
        chunks: 4,
      },
    },
    failed: {
      data: {
        job_id: QUERY_ALL_JOB,
        status: 'failed',
        error_code: 'generation_failed',
        error_message: 'Could not generate SQL: timeout',
      },
    },
  },
};
