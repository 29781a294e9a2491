import { completedSchema, jobPollSchema } from '../http/job.responses';
import { closedObject, integerSchema, ref, stringArray, stringSchema, type JsonSchema } from '../openapi/json-schema';

/** presentAskJob's completed shape; its meta is what the ask worker stores, plus the bucket and question. */
export const askSchemas: Record<string, JsonSchema> = {
  AskJobCompleted: completedSchema(
    { columns: ref('Columns'), rows: ref('Rows'), generated_sql: stringSchema('The SQL that was run.') },
    closedObject(
      {
        bucket: stringSchema(),
        question: stringSchema(),
        row_count: integerSchema('Rows returned.'),
        total_rows: integerSchema('Rows the query produced, before the row caps.'),
        truncated: { type: 'boolean', description: 'Whether rows were dropped to fit the row caps.' },
        explanation: stringSchema('How the engine read the question, when it says.'),
        ignored: stringArray('Words of the question that took no part in the SQL.'),
        generator: stringSchema('The engine that wrote the SQL.'),
        generation_attempts: { type: 'integer', minimum: 2, description: 'Tries the engine needed, when more than one.' },
        generation_time_ms: integerSchema('0 for an answer from the cache.'),
        execution_time_ms: integerSchema('0 for an answer from the cache.'),
        duration_ms: integerSchema(),
        prompt_chars: integerSchema("The language model prompt's size, in characters, for engines that send one."),
        follows_job_id: stringSchema('The earlier ask this one followed up (`previous_job_id`).'),
        resolved_question: stringSchema('The follow-up rewritten as a question of its own, as the engine read it.'),
        chart: {
          type: 'object',
          description: 'A Vega-Lite spec for the result, when its shape suits one; its data is named `result`. GET …/chart.svg draws it.',
        },
        cached: {
          type: 'boolean',
          description: "Whether the answer is an earlier job's to the same question on the same data (FLOCK_ANSWER_CACHE).",
        },
        knowledge: closedObject(
          {
            revision: integerSchema("The revision of the bucket's knowledge the answer was written with."),
            terms: stringArray('Glossary terms the SQL reads.'),
            example_id: stringSchema('The saved example whose SQL answered the question.'),
            examples_shown: integerSchema('Saved examples a language model was shown as worked answers.'),
          },
          ['terms', 'example_id', 'examples_shown'],
          "Which of the bucket's glossary and examples the answer used, when it used any.",
        ),
      },
      [
        'explanation',
        'ignored',
        'generation_attempts',
        'prompt_chars',
        'follows_job_id',
        'resolved_question',
        'chart',
        'cached',
        'knowledge',
      ],
    ),
  ),
  AskJob: jobPollSchema('JobProcessing', 'AskJobCompleted'),
};
