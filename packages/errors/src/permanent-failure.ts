/**
 * Thrown by a job handler when retrying cannot help (the payload names something that
 * can never be done). The queue adapter ends the job at once, without its remaining
 * attempts, and keeps it among the failed jobs, where Bull Board shows it.
 */
export class PermanentFailure extends Error {
  constructor(message: string, cause?: unknown) {
    super(message);
    this.name = 'PermanentFailure';
    if (cause !== undefined) this.cause = cause;
  }
}
