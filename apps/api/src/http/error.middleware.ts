import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import {
  AppError,
  BadRequestError,
  ERROR_STATUS,
  JOB_FAILURE_CODES,
  JobFailure,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  type ApiErrorCode,
  type ErrorCode,
} from '@flock/errors';
import { isRedisUnavailable } from '@flock/jobs';
import { closedObject, stringSchema, type JsonSchema } from '../openapi/json-schema';

/** Errors body-parser raises, identified by its documented `type` field. */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

function fromBodyParser(error: BodyParserError, contentEncoding: string | undefined): AppError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new BadRequestError('Request body is not valid JSON');
    case 'entity.too.large':
      return new PayloadTooLargeError('Request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new BadRequestError('Request body encoding is not supported; send UTF-8 JSON');
    case undefined:
      // zlib's own error (a corrupt gzip, deflate or br body) comes through with status
      // 400 and no type: the caller's body, not the server, is at fault.
      if (error.status === 400 && contentEncoding && contentEncoding !== 'identity') {
        return new BadRequestError(`Request body could not be decompressed as ${contentEncoding}`);
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * A job failure met synchronously (the schema and query endpoints wait for a worker's
 * answer): the code keeps its name and the status says whose fault it was. A
 * database that cannot be opened is execution_failed (422), as a query it refuses is,
 * rather than a 500 with nothing to act on.
 */
const STATUS_OF_FAILURE: Partial<Record<JobFailure['code'], number>> = {
  query_timeout: 408,
  execution_failed: 422,
  // No worker finished the job in time: the service, not the caller's SQL, is at fault.
  worker_timeout: 503,
};

const isApiCode = (code: ErrorCode): code is ApiErrorCode => code in ERROR_STATUS;

/** The status an error envelope with this code answers with. */
export function errorStatusOf(code: ErrorCode): number {
  return isApiCode(code) ? ERROR_STATUS[code] : (STATUS_OF_FAILURE[code] ?? 400);
}

function fromJobFailure(error: JobFailure): AppError {
  return new AppError(error.code, error.message, errorStatusOf(error.code));
}

/** Every code an error envelope may carry, and those a given status carries. */
export const ERROR_CODES: ErrorCode[] = [...(Object.keys(ERROR_STATUS) as ErrorCode[]), ...JOB_FAILURE_CODES];
export const errorCodesOf = (status: number): ErrorCode[] => ERROR_CODES.filter((code) => errorStatusOf(code) === status);

/**
 * The one place errors become responses. AppErrors carry their own code and status;
 * Redis away or refusing writes is a 503 with Retry-After; anything else is a bug, so
 * the caller gets a generic 500 with an id to quote and the stack goes to the log only.
 * A stream whose headers are sent (job events) carries the same envelope as an event.
 */
export function errorEnvelope(
  error: unknown,
  req: Request,
): { status: number; headers: Record<string, string>; body: { error: Record<string, string> } } {
  const known =
    error instanceof AppError
      ? error
      : error instanceof JobFailure
        ? fromJobFailure(error)
        : error instanceof URIError
          ? // The router could not percent-decode a path parameter (`%`, `%ff`): the caller's path is at fault.
            new BadRequestError('The request path is not valid percent-encoding')
          : isRedisUnavailable(error)
            ? // Redis away or refusing writes: nothing was half-done, and the same request will work once it is back.
              new ServiceUnavailableError('Flock cannot reach its job store right now. Try again shortly.', error)
            : fromBodyParser(error as BodyParserError, req.headers['content-encoding']?.toLowerCase());
  if (known) {
    if (known.cause !== undefined) req.log.warn({ err: known.cause, code: known.code }, 'request failed on a dependency');
    return { status: known.status, headers: known.headers, body: { error: { code: known.code, message: known.message } } };
  }
  const errorId = randomUUID();
  req.log.error({ err: error, errorId }, 'unhandled error');
  return {
    status: 500,
    headers: {},
    body: {
      error: {
        code: 'internal_error' satisfies ErrorCode,
        message: `An unexpected error occurred. Quote error id ${errorId} when reporting it.`,
        error_id: errorId,
      },
    },
  };
}

export const errorMiddleware: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const { status, headers, body } = errorEnvelope(error, req);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(status).json(body);
};

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`));
};

/**
 * The envelope, with `code` one of `codes`; `error_id` comes with `internal_error` only.
 * The document gives each status its own, with the codes of that status (errorCodesOf).
 */
export function errorEnvelopeSchema(codes: ErrorCode[]): JsonSchema {
  const withId = codes.includes('internal_error');
  return closedObject({
    error: closedObject(
      {
        code: { type: 'string', enum: codes, description: 'Machine-readable error code; stable, new ones may be added.' },
        message: stringSchema('Human-readable error message.'),
        ...(withId
          ? { error_id: { type: 'string', format: 'uuid', description: 'With `internal_error`: the id to quote when reporting it.' } }
          : {}),
      },
      // Required where `internal_error` is the only code (a 500), optional where it is one of several.
      codes.length > 1 ? ['error_id'] : [],
    ),
  });
}
