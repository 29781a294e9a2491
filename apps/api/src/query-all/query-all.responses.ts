import { completedSchema, jobPollSchema, processingSchema } from '../http/job.responses';
import { closedObject, integerSchema, ref, stringArray, stringSchema, type JsonSchema } from '../openapi/json-schema';

/** presentQueryAllJob's shapes; the completed meta is what the merge step stores. */
export const queryAllSchemas: Record<string, JsonSchema> = {
  /** Also the data of a stream's `progress` event. */
  QueryAllProgress: closedObject({
    databases_done: integerSchema('Databases that have answered: queried, skipped or errored.'),
    databases_total: integerSchema('Databases the job runs on.'),
  }),
  QueryAllJobProcessing: processingSchema({ progress: ref('QueryAllProgress') }, ['progress']),
  QueryAllJobCompleted: completedSchema(
    {
      columns: { ...ref('Columns'), description: 'Column names; the first is always `_bucket`.' },
      rows: ref('Rows'),
      generated_sql: stringSchema('Only in natural-language mode: the SQL generated from the question.'),
    },
    closedObject(
      {
        databases_queried: integerSchema('Databases successfully queried.'),
        databases_skipped: integerSchema('Databases skipped (missing the filtered table).'),
        databases_errored: integerSchema('Databases where the query failed.'),
        total_rows: integerSchema('Rows the databases produced, before the row caps.'),
        row_count: integerSchema('Rows returned.'),
        skipped: stringArray('Buckets skipped.'),
        errors: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: 'Bucket name to error message, for the databases that failed.',
        },
        truncated: { type: 'boolean', description: 'Whether rows were dropped to fit the row caps.' },
        schema_drift: closedObject(
          { partial_columns: stringArray('Columns some answering buckets did not have (null in their rows).') },
          [],
          'Present when buckets answered with different columns.',
        ),
        execution_time_seconds: { type: 'number', minimum: 0, description: 'Wall-clock time from submission.' },
        chunks: integerSchema('Chunks the fan-out ran in.'),
      },
      ['schema_drift'],
    ),
    ['generated_sql'],
  ),
  QueryAllJob: jobPollSchema('QueryAllJobProcessing', 'QueryAllJobCompleted'),
};
