import Joi from 'joi';
import { callbackUrlField } from '../webhooks/callback-url.schema';

export function askBody(maxQuestionLength: number) {
  return (
    Joi.object({
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
      callback_url: callbackUrlField,
    })
      .required()
      // Unknown fields are ignored rather than rejected, so clients written against a
      // newer API (which may add fields) keep working.
      .unknown(true)
      .messages({ 'object.base': 'Request body must be a JSON object', 'any.required': 'Request body must be a JSON object' })
  );
}
