import type { Example, Feedback, GlossaryTerm, KnowledgeDocument } from '@flock/knowledge';
import { closedObject, integerSchema, stringArray, stringSchema, type JsonSchema } from '../openapi/json-schema';

/** What askers may read: the glossary and examples the engines use, at the file's revision; feedback is for tenant admins. */
export function presentKnowledge(document: KnowledgeDocument): object {
  return { data: { revision: document.revision, glossary: document.glossary, examples: document.examples } };
}

export const presentTerm = (term: GlossaryTerm): object => ({ data: term });
export const presentExample = (example: Example): object => ({ data: example });
export const presentFeedback = (feedback: Feedback): object => ({ data: feedback });

const timestamp = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });
const who = stringSchema('Who saved it: `key:<name>` or `user:<sub>`.');

const glossaryTerm = closedObject(
  {
    term: stringSchema('The word or phrase, as defined.'),
    table: stringSchema('The table whose rows the definition reads.'),
    kind: {
      type: 'string',
      enum: ['filter', 'column', 'measure'],
      description: '`filter`: a condition on rows; `column`: a value of each row; `measure`: sum/avg/min/max over rows.',
    },
    sql: stringSchema('A DuckDB expression over the table’s columns.'),
    type: stringSchema('The DuckDB type of the row value (of the aggregate’s argument for a measure), found when it was saved.'),
    description: stringSchema(),
    created_at: timestamp('When it was saved.'),
    created_by: who,
  },
  ['description'],
);

const example = closedObject(
  {
    id: stringSchema(),
    question: stringSchema(),
    sql: stringSchema('SQL that answers the question; it ran on the bucket when it was saved.'),
    source: { type: 'string', enum: ['admin', 'feedback'], description: 'Added by a tenant admin, or promoted from feedback.' },
    feedback_id: stringSchema('The feedback it was promoted from.'),
    created_at: timestamp('When it was saved.'),
    created_by: who,
  },
  ['feedback_id'],
);

const feedback = closedObject(
  {
    id: stringSchema(),
    job_id: stringSchema('The ask it is about.'),
    question: stringSchema('That ask’s question.'),
    generated_sql: stringSchema('The SQL Flock answered with, when it answered.'),
    correct: { type: 'boolean' },
    sql: stringSchema('The SQL the asker says is right (or the answer’s own, when marked correct); it ran when the feedback was given.'),
    columns: stringArray('The columns that SQL returned.'),
    comment: stringSchema(),
    status: {
      type: 'string',
      enum: ['noted', 'candidate', 'promoted'],
      description: '`candidate`: carries SQL a tenant admin may promote to an example; `noted`: a comment only.',
    },
    example_id: stringSchema('The example it became.'),
    created_at: timestamp('When it was given.'),
    created_by: who,
  },
  ['generated_sql', 'sql', 'columns', 'comment', 'example_id'],
);

export const knowledgeSchemas: Record<string, JsonSchema> = {
  GlossaryTerm: glossaryTerm,
  Example: example,
  Feedback: feedback,
  Knowledge: closedObject({
    data: closedObject({
      revision: integerSchema('Goes up by one with every saved change; answers record the revision they used.'),
      glossary: { type: 'array', items: { $ref: '#/components/schemas/GlossaryTerm' } },
      examples: { type: 'array', items: { $ref: '#/components/schemas/Example' } },
    }),
  }),
  GlossaryTermSaved: closedObject({ data: { $ref: '#/components/schemas/GlossaryTerm' } }),
  ExampleSaved: closedObject({ data: { $ref: '#/components/schemas/Example' } }),
  FeedbackSaved: closedObject({ data: { $ref: '#/components/schemas/Feedback' } }),
  FeedbackList: closedObject({ data: { type: 'array', items: { $ref: '#/components/schemas/Feedback' } } }),
};
