import type { RequestHandler } from 'express';
import { canAccessBucket, canManageKnowledge } from '@flock/auth';
import { ForbiddenError, UnauthorizedError } from '@flock/errors';
import { bucketParam } from '../http/params';
import { validate } from '../http/validate';

/**
 * 403 for a bucket the caller may not use, whether or not it exists: the answer must
 * not tell anyone which tenants there are. Only callers allowed on a bucket can learn
 * that it has no warehouse (404, from the service).
 */
export const requireBucketAccess: RequestHandler = (req, _res, next) => {
  const bucket = validate(bucketParam, req.params.bucket);
  if (!req.principal) throw new UnauthorizedError();
  if (!canAccessBucket(req.principal, bucket)) throw new ForbiddenError(`Access denied to bucket '${bucket}'`);
  next();
};

/** Changes to a bucket's knowledge: admins, and tenant admins of that bucket (after requireBucketAccess). */
export const requireTenantAdmin: RequestHandler = (req, _res, next) => {
  const bucket = validate(bucketParam, req.params.bucket);
  if (!req.principal) throw new UnauthorizedError();
  if (!canManageKnowledge(req.principal, bucket))
    throw new ForbiddenError(`Managing the knowledge of bucket '${bucket}' needs a tenant admin's credential`);
  next();
};

export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (!req.principal) throw new UnauthorizedError();
  if (!req.principal.admin) throw new ForbiddenError('Admin API key required');
  next();
};
