import Joi from 'joi';
import { BUCKET_ID_PATTERN } from '@flock/schema';
import { callbackUrlField } from '../webhooks/callback-url.schema';

export interface QueryAllBody {
  sql?: string;
  question?: string;
  table?: string;
  buckets?: string[];
  callback_url?: string;
}

/** Most buckets one request may name; beyond it, omit `buckets` to query them all. */
export const MAX_NAMED_BUCKETS = 10_000;

export function queryAllBody(maxQuestionLength: number) {
  return (
    Joi.object<QueryAllBody>({
      sql: Joi.string().trim().min(1).max(100_000).messages({
        'string.base': "'sql' must be a string",
        'string.empty': "'sql' must not be empty",
        'string.max': "'sql' must be at most 100000 characters",
      }),
      question: Joi.string()
        .trim()
        .min(1)
        .max(maxQuestionLength)
        .messages({
          'string.base': "'question' must be a string",
          'string.empty': "'question' must not be empty",
          'string.max': `'question' must be at most ${maxQuestionLength} characters`,
        }),
      table: Joi.string()
        .pattern(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/)
        .messages({
          'string.base': "'table' must be a string",
          'string.empty': "'table' must not be empty",
          'string.pattern.base': "'table' must be a table name: letters, digits and '_', not starting with a digit",
        }),
      buckets: Joi.array()
        .items(
          Joi.string().pattern(BUCKET_ID_PATTERN).messages({
            'string.base': "'buckets' must hold bucket ids as strings",
            'string.pattern.base': "'buckets' holds an invalid bucket id: {{#value}}",
          }),
        )
        .min(1)
        .max(MAX_NAMED_BUCKETS)
        .unique()
        .messages({
          'array.base': "'buckets' must be an array of bucket ids",
          'array.min': "'buckets' must name at least one bucket; omit it to query every bucket",
          'array.max': `'buckets' may name at most ${MAX_NAMED_BUCKETS} buckets; omit it to query every bucket`,
          'array.unique': "'buckets' names a bucket more than once: {{#value}}",
        }),
      callback_url: callbackUrlField,
    })
      .required()
      .xor('sql', 'question')
      // Unknown fields are ignored, as for ask, so newer clients keep working.
      .unknown(true)
      .messages({
        'object.base': 'Request body must be a JSON object',
        'any.required': 'Request body must be a JSON object',
        'object.missing': "Missing 'sql' or 'question' field",
        'object.xor': "Send either 'sql' or 'question', not both",
      })
  );
}
