import { JOB_FAILURE_CODES } from '@flock/errors';
import { closedObject, ref, stringArray, stringSchema, type JsonSchema } from '../openapi/json-schema';

// The OpenAPI shapes of the poll bodies @flock/jobs' presentJob makes (and webhooks deliver).

const status = (value: string): JsonSchema => ({ type: 'string', const: value });

/** presentJob's processing shape, with the fields `running` adds (`optional` of them only at times). */
export function processingSchema(running: Record<string, JsonSchema> = {}, optional: string[] = []): JsonSchema {
  return closedObject({ data: closedObject({ job_id: ref('JobId'), status: status('processing'), ...running }, optional) });
}

/** presentJob's completed shape: a kind's data (beside job_id and status) and meta. */
export function completedSchema(data: Record<string, JsonSchema>, meta: JsonSchema, optional: string[] = []): JsonSchema {
  return closedObject({
    data: closedObject({ job_id: ref('JobId'), status: status('completed'), ...data }, optional),
    meta,
  });
}

/**
 * The poll body of one kind of job: one of its three shapes, told apart by `data.status`.
 * `anyOf` although exactly one matches: a `oneOf` whose branches differ only in a nested
 * `const` is one linters and some client generators cannot tell apart.
 */
export const jobPollSchema = (processing: string, completed: string): JsonSchema => ({
  anyOf: [ref(processing), ref(completed), ref('JobFailed')],
});

/** Schemas every kind of job (and the query endpoint's table of results) shares. */
export const jobSchemas: Record<string, JsonSchema> = {
  JobId: { type: 'string', format: 'uuid', description: 'A job id, as a submission returned it.' },
  JobSubmitted: closedObject({ data: closedObject({ job_id: ref('JobId'), status: status('processing') }) }),
  JobProcessing: processingSchema(),
  JobFailureCode: {
    type: 'string',
    enum: [...JOB_FAILURE_CODES],
    description: 'Why a job failed; stable codes, new ones may be added.',
  },
  JobFailed: closedObject({
    data: closedObject({
      job_id: ref('JobId'),
      status: status('failed'),
      error_code: ref('JobFailureCode'),
      error_message: stringSchema('Safe to show to the caller who asked.'),
    }),
  }),
  Columns: stringArray('Column names, in the order of each row’s values.'),
  Rows: {
    type: 'array',
    description: 'Result rows: one array of values per row, in the order of `columns`; any JSON value, null for SQL NULL.',
    items: { type: 'array', items: {} },
  },
};
