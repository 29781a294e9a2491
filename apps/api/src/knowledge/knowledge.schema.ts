import Joi from 'joi';
import { KNOWLEDGE_LIMITS, TERM_KINDS } from '@flock/knowledge';

const object = (keys: Record<string, Joi.Schema>) =>
  Joi.object(keys)
    .required()
    .messages({ 'object.base': 'Request body must be a JSON object', 'any.required': 'Request body must be a JSON object' });

const text = (field: string, max: number) =>
  Joi.string()
    .trim()
    .min(1)
    .max(max)
    .messages({
      'any.required': `Missing '${field}' field`,
      'string.base': `'${field}' must be a string`,
      'string.empty': `'${field}' must not be empty`,
      'string.min': `'${field}' must not be empty`,
      'string.max': `'${field}' must be at most ${max} characters`,
    });

/** The `:term` of a glossary route: the word or phrase itself, URL-encoded. */
export const termParam = text('term', KNOWLEDGE_LIMITS.termLength).required().label('term');

/** The `:id` of an example or a feedback entry. */
export const entryIdParam = Joi.string()
  .pattern(/^[a-z]_[A-Za-z0-9_-]{1,40}$/)
  .required()
  .messages({ 'string.pattern.base': 'Unknown id' });

/** `PUT /api/v1/{bucket}/knowledge/glossary/{term}`: what the term means, on which table. */
export const glossaryBody = object({
  table: text('table', 255).required(),
  kind: Joi.string()
    .valid(...TERM_KINDS)
    .required()
    .messages({ 'any.required': "Missing 'kind' field", 'any.only': `'kind' must be one of ${TERM_KINDS.join(', ')}` }),
  sql: text('sql', KNOWLEDGE_LIMITS.sqlLength).required(),
  description: text('description', 500),
});

/** `POST /api/v1/{bucket}/knowledge/examples`: a question and the SQL that answers it. */
export const exampleBody = object({
  question: text('question', KNOWLEDGE_LIMITS.questionLength).required(),
  sql: text('sql', KNOWLEDGE_LIMITS.sqlLength).required(),
});

/** `POST /api/v1/{bucket}/ask/jobs/{jobId}/feedback`: was the answer right, and if not, what is. */
export const feedbackBody = object({
  correct: Joi.boolean()
    .strict()
    .required()
    .messages({ 'any.required': "Missing 'correct' field", 'boolean.base': "'correct' must be true or false" }),
  sql: text('sql', KNOWLEDGE_LIMITS.sqlLength),
  comment: text('comment', KNOWLEDGE_LIMITS.commentLength),
});

/** `GET /api/v1/{bucket}/knowledge/feedback?status=`. */
export const feedbackQuery = Joi.object({
  status: Joi.string().valid('noted', 'candidate', 'promoted').messages({ 'any.only': "'status' must be noted, candidate or promoted" }),
});
