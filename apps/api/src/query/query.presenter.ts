import type { JobResult } from '@flock/jobs';
import { closedObject, integerSchema, ref, stringSchema, type JsonSchema } from '../openapi/json-schema';

/** A caller's own query, answered: the seed's table of results, and the query worker's meta. */
export function presentQueryResult(result: JobResult): object {
  return { data: { columns: result.columns, rows: result.rows }, meta: result.meta };
}

export const querySchemas: Record<string, JsonSchema> = {
  QueryResult: closedObject({
    data: closedObject({ columns: ref('Columns'), rows: ref('Rows') }),
    meta: closedObject({
      bucket: stringSchema(),
      row_count: integerSchema('Rows returned.'),
      total_rows: integerSchema('Rows the query produced, before the row caps.'),
      truncated: { type: 'boolean', description: 'Whether rows were dropped to fit the row caps.' },
      execution_time_ms: integerSchema(),
    }),
  }),
};
