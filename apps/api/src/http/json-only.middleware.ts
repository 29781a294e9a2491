import type { RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from '@flock/errors';

/** Requests that carry a body must say it is JSON; nothing else is parsed. */
export const jsonOnly: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if ((req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') && hasBody && !req.is('application/json')) {
    next(new UnsupportedMediaTypeError('Request body must be JSON (Content-Type: application/json)'));
    return;
  }
  next();
};
