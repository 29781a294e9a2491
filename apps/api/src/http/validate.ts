import type Joi from 'joi';
import { BadRequestError } from '@flock/errors';

/** Validates with joi and turns the first problem into a 400 `bad_request`. */
export function validate<T>(schema: Joi.Schema<T>, value: unknown): T {
  const { error, value: valid } = schema.validate(value, { abortEarly: true, convert: true });
  if (error) throw new BadRequestError(error.details[0]?.message ?? error.message);
  return valid as T;
}
