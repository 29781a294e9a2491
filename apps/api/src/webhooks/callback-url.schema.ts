import Joi from 'joi';
import { MAX_CALLBACK_URL_LENGTH } from '@flock/webhooks';

/** The optional `callback_url` of a submission; what it may point at is checked by the service (CallbackUrls). */
export const callbackUrlField = Joi.string()
  .max(MAX_CALLBACK_URL_LENGTH)
  .messages({
    'string.base': "'callback_url' must be a string",
    'string.empty': "'callback_url' must not be empty",
    'string.max': `'callback_url' must be at most ${MAX_CALLBACK_URL_LENGTH} characters`,
  });
