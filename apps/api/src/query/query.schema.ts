import Joi from 'joi';

/** The body of `POST /api/v1/{bucket}/query`: one read-only statement. */
export const queryBody = Joi.object({
  sql: Joi.string().trim().min(1).max(100_000).required().messages({
    'any.required': "Missing 'sql' field",
    'string.base': "'sql' must be a string",
    'string.empty': "'sql' must not be empty",
    'string.min': "'sql' must not be empty",
    'string.max': "'sql' must be at most 100000 characters",
  }),
})
  .required()
  .unknown(true)
  .messages({ 'object.base': 'Request body must be a JSON object', 'any.required': 'Request body must be a JSON object' });
