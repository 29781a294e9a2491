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
      // A follow-up ("only for 2024") names the asker's earlier, answered question in this bucket.
      previous_job_id: Joi.string().guid().messages({ '*': "'previous_job_id' must be the job_id of an earlier ask" }),
      callback_url: callbackUrlField,
    })
      .required()
      // Unknown fields are ignored rather than rejected, so clients written against a
      // newer API (which may add fields) keep working.
      .unknown(true)
      .messages({ 'object.base': 'Request body must be a JSON object', 'any.required': 'Request body must be a JSON object' })
  );
}
