import type { JobFailureCode } from './job-failure';

/**
 * Errors that cross the HTTP boundary. Each carries the machine-readable code of the
 * seed contract and the status it maps to; the API's error middleware is the only
 * place that turns them into the `{"error":{"code","message"}}` envelope.
 */
/**
 * Every code the API's error envelope can carry apart from a job's own failure codes
 * (JOB_FAILURE_CODES), with the status each answers with. The OpenAPI document takes its
 * enum from here, so a code added in the code is documented, and one retyped is not.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  /** Not an AppError: the error middleware's answer to anything unexpected, with an error id. */
  internal_error: 500,
  service_unavailable: 503,
} as const;
export type ApiErrorCode = keyof typeof ERROR_STATUS;
/** What `error.code` of an error envelope may be. */
export type ErrorCode = ApiErrorCode | JobFailureCode;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    /** Extra response headers, e.g. `Retry-After` for rate limits. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string) {
    super('bad_request', message, ERROR_STATUS.bad_request);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required') {
    super('unauthorized', message, ERROR_STATUS.unauthorized);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('forbidden', message, ERROR_STATUS.forbidden);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message, ERROR_STATUS.not_found);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super('payload_too_large', message, ERROR_STATUS.payload_too_large);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super('unsupported_media_type', message, ERROR_STATUS.unsupported_media_type);
  }
}

/** How long a client is told to wait before trying a service that is down again. */
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;

export class ServiceUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('service_unavailable', message, ERROR_STATUS.service_unavailable, { 'Retry-After': String(RETRY_AFTER_UNAVAILABLE_SECONDS) });
    if (cause !== undefined) this.cause = cause;
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('rate_limited', `Too many requests; retry in ${retryAfterSeconds} s`, ERROR_STATUS.rate_limited, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

/**
 * A callback URL Flock will not call: malformed, not http(s), carrying credentials, or
 * pointing at an address the SSRF guard refuses. A 400 at submission; at delivery time
 * it ends the delivery without retries.
 */
export class CallbackRefusedError extends BadRequestError {}

/**
 * A callback host with no address (NXDOMAIN): refused at submission like any bad URL,
 * but at delivery possibly a moment's DNS trouble, so retried rather than given up.
 */
export class CallbackHostUnresolvedError extends CallbackRefusedError {}
