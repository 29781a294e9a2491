import Joi from 'joi';
import { NotFoundError } from '@flock/errors';
import { parseJobId } from '@flock/jobs';
import { BUCKET_ID_PATTERN } from '@flock/schema';

/** The `:bucket` of every per-tenant route. */
export const bucketParam = Joi.string().pattern(BUCKET_ID_PATTERN).required().label('bucket').messages({
  'string.pattern.base': 'Invalid bucket id: use 1 to 63 lowercase letters, digits, "-" or "_", starting with a letter or digit',
});

/** The `:jobId` of a poll, normalised; text that cannot be a job id is answered exactly like an unknown id. */
export function jobIdParam(text: string): string {
  const jobId = parseJobId(text);
  if (!jobId) throw new NotFoundError(`Unknown job: ${text}`);
  return jobId;
}
