/**
 * Errors that cross the HTTP boundary. Each carries the machine-readable code of the
 * seed contract and the status it maps to; the API's error middleware is the only
 * place that turns them into the `{"error":{"code","message"}}` envelope.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
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
    super('bad_request', message, 400);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required') {
    super('unauthorized', message, 401);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('forbidden', message, 403);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message, 404);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super('payload_too_large', message, 413);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super('unsupported_media_type', message, 415);
  }
}

/** How long a client is told to wait before trying a service that is down again. */
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;

export class ServiceUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('service_unavailable', message, 503, { 'Retry-After': String(RETRY_AFTER_UNAVAILABLE_SECONDS) });
    if (cause !== undefined) this.cause = cause;
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('rate_limited', `Too many requests; retry in ${retryAfterSeconds} s`, 429, { 'Retry-After': String(retryAfterSeconds) });
  }
}

/**
 * A callback URL Flock will not call: malformed, not http(s), carrying credentials, or
 * pointing at an address the SSRF guard refuses. A 400 at submission; at delivery time
 * it ends the delivery without retries.
 */
export class CallbackRefusedError extends BadRequestError {}
