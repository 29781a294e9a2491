import type { Response } from 'express';
import Joi from 'joi';
import type { JobFinishes } from '@flock/jobs';

/** The longest a poll may be held: well inside any proxy's idle timeout. */
export const MAX_JOB_WAIT_MS = 20_000;

/** A poll's query: `wait_ms` holds it until the job finishes, up to that long. */
export const jobWaitQuery = Joi.object({
  wait_ms: Joi.number()
    .integer()
    .min(0)
    .max(MAX_JOB_WAIT_MS)
    .default(0)
    .messages({ '*': `'wait_ms' must be a whole number of milliseconds from 0 to ${MAX_JOB_WAIT_MS}` }),
}).unknown(true);

/**
 * Aborts when the client of `res` goes away before its answer is sent, so a held wait
 * ends with it rather than lingering (a waiter and a timer each) for up to 20 s.
 */
export function clientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  // Gone already, while the request was authenticated or validated: 'close' has passed.
  if (res.req.socket?.destroyed !== false) gone.abort();
  else
    res.once('close', () => {
      if (!res.writableFinished) gone.abort();
    });
  return gone.signal;
}

/**
 * Reads a job and, while it is still processing, waits up to `waitMs` for it to finish
 * (or for `gone`, see clientGone), then reads it again. The wait is registered before
 * the first read, so a job finishing in between is not missed. `read` checks the
 * caller's right to the job each time.
 */
export async function readWaiting<T extends { status: string }>(
  finishes: JobFinishes,
  jobId: string,
  waitMs: number,
  read: () => Promise<T>,
  gone?: AbortSignal,
): Promise<T> {
  if (waitMs <= 0) return read();
  const waiting = finishes.wait(jobId, waitMs, gone);
  try {
    const record = await read();
    if (record.status !== 'processing') return record;
    await waiting.finished;
    return await read();
  } finally {
    waiting.cancel();
  }
}
