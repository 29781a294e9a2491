import type { components } from './generated/openapi';

type Responses = components['responses'];
type EnvelopeCode<R> = R extends { content: { 'application/json': { error: { code: infer C } } } } ? C : never;

/** The error envelope's codes, as the OpenAPI document lists them for each status. */
export type ApiErrorCode = EnvelopeCode<Responses[keyof Responses]>;
/** Why a job ended `failed` (`data.error_code`). */
export type JobFailureCode = components['schemas']['JobFailureCode'];
/** Failures of the client's own: no answer from the server, or it stopped waiting. */
export type ClientErrorCode = 'connection_failed' | 'client_timeout';
/**
 * Every code a FlockError may carry. The server may add codes (never rename them), so a
 * code this client does not know yet still arrives, as a plain string.
 */
export type FlockErrorCode = ApiErrorCode | JobFailureCode | ClientErrorCode | (string & {});

/**
 * What can go wrong, typed by the API's error codes: a refused request carries the
 * envelope's `code` (`unauthorized`, `not_found`, …), a job that ended `failed` carries
 * its `error_code` (`generation_failed`, …). Callers branch on `code`, never on text.
 */
export class FlockError extends Error {
  constructor(
    readonly code: FlockErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The API refused the request: its HTTP status and the `{"error":{"code","message"}}` it sent. */
export class FlockApiError extends FlockError {
  declare readonly code: ApiErrorCode | (string & {});

  constructor(
    code: ApiErrorCode | (string & {}),
    message: string,
    readonly status: number,
    /** From `Retry-After`, on 429 and 503. */
    readonly retryAfterSeconds?: number,
  ) {
    super(code, message);
  }
}

/** The job ran and ended `failed`: `code` is its `error_code`. */
export class FlockJobError extends FlockError {
  declare readonly code: JobFailureCode | (string & {});

  constructor(
    code: JobFailureCode | (string & {}),
    message: string,
    readonly jobId: string,
  ) {
    super(code, message);
  }
}

/** The server could not be reached, or answered with something that is not the API. */
export class FlockConnectionError extends FlockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('connection_failed', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The client stopped waiting for a job (its `timeoutMs`); the job may still finish. */
export class FlockTimeoutError extends FlockError {
  constructor(
    readonly jobId: string,
    waitedMs: number,
  ) {
    super('client_timeout', `Stopped waiting for job ${jobId} after ${waitedMs} ms; it may still finish`);
  }
}

/** Worth trying again after a pause: the server is busy, draining or briefly without Redis. */
export function isTransient(error: unknown): boolean {
  if (error instanceof FlockConnectionError) return true;
  return error instanceof FlockApiError && (error.status === 429 || error.status === 503 || error.status === 502 || error.status === 504);
}
