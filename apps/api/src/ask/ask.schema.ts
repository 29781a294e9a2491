import Joi from 'joi';
import { BUCKET_ID_PATTERN } from '@flock/schema';

export const bucketParam = Joi.string()
  .pattern(BUCKET_ID_PATTERN)
  .required()
  .label('bucket')
  .messages({
    'string.pattern.base':
      'Invalid bucket id: use 1 to 63 lowercase letters, digits, "-" or "_", starting with a letter or digit',
  });

export function askBody(maxQuestionLength: number) {
  return Joi.object({
    question: Joi.string()
      .trim()
      .min(1)
      .max(maxQuestionLength)
      .required()
      .messages({
        'any.required': "Missing 'question' field",
        'string.base': "'question' must be a string",
        'string.empty': "'question' must not be empty",
        'string.min': "'question' must not be empty",
        'string.max': `'question' must be at most ${maxQuestionLength} characters`,
      }),
  })
    .required()
    // Unknown fields are ignored rather than rejected, so clients written against a
    // newer API (which may add fields) keep working.
    .unknown(true)
    .messages({ 'object.base': 'Request body must be a JSON object', 'any.required': 'Request body must be a JSON object' });
}

/** Job ids are UUIDs; anything else cannot exist and is answered like an unknown id. */
export const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
