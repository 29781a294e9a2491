import { FlockApiError, FlockConnectionError, FlockError, FlockJobError, FlockTimeoutError } from '../errors';

/**
 * The exit status for each outcome, so scripts can branch on what went wrong without
 * parsing text. Documented in the repository's README and in `flock --help`; add, never renumber.
 */
export const EXIT_CODES: Record<string, number> = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  bad_request: 3,
  payload_too_large: 3,
  unsupported_media_type: 3,
  unauthorized: 4,
  forbidden: 5,
  not_found: 6,
  rate_limited: 7,
  service_unavailable: 8,
  connection_failed: 8,
  generation_failed: 10,
  validation_failed: 11,
  execution_failed: 12,
  query_timeout: 13,
  worker_timeout: 14,
  client_timeout: 15,
};

export function exitCodeOf(error: unknown): number {
  if (error instanceof FlockError) return EXIT_CODES[error.code] ?? EXIT_CODES.unexpected!;
  return EXIT_CODES.unexpected!;
}

/** One line for stderr: the code in brackets, so it can be grepped, then the server's message. */
export function describeError(error: unknown): string {
  if (error instanceof FlockJobError) return `flock: job ${error.jobId} failed [${error.code}]: ${error.message}`;
  if (error instanceof FlockApiError) return `flock: HTTP ${error.status} [${error.code}]: ${error.message}`;
  if (error instanceof FlockTimeoutError || error instanceof FlockConnectionError) return `flock: [${error.code}] ${error.message}`;
  return `flock: ${error instanceof Error ? error.message : String(error)}`;
}
