import type { Request, Response } from 'express';
import { principalKey } from '@flock/auth';
import { RateLimitedError } from '@flock/errors';
import type { JobFinishes, JobProgress } from '@flock/jobs';
import { closedObject, ref, type JsonSchema } from '../openapi/json-schema';
import { errorEnvelope } from './error.middleware';

/** What a stream shows of a job at one moment: its status, its poll body, and a fan-out's progress. */
export interface JobView {
  status: string;
  /** The poll answer, exactly as GET …/jobs/{jobId} would give it now. */
  body: object;
  progress?: JobProgress;
}

/**
 * How many event streams each caller holds open on this replica. Each costs a
 * connection, a waiter and a read every few seconds for minutes, so one caller may
 * hold only so many (FLOCK_STREAMS_PER_CALLER); the request-rate limit alone would let
 * it pile up thousands.
 */
export class OpenStreams {
  private readonly byCaller = new Map<string, number>();

  constructor(private readonly perCaller: number) {}

  /** Counts one more stream for the request's caller, or throws 429 at the limit; the returned function uncounts it. */
  open(req: Request): () => void {
    const caller = principalKey(req.principal!);
    const count = this.byCaller.get(caller) ?? 0;
    if (count >= this.perCaller) throw new RateLimitedError(5);
    this.byCaller.set(caller, count + 1);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      const left = (this.byCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.byCaller.set(caller, left);
      else this.byCaller.delete(caller);
    };
  }
}

export interface JobEventsOptions {
  /** This replica's count of open streams per caller. */
  streams: OpenStreams;
  finishes: JobFinishes;
  jobId: string;
  /** Reads the job as the caller may see it; throws (404, 503) as the poll would. */
  read: () => Promise<JobView>;
  /** Whether this API process is draining: streams end, and clients reconnect elsewhere. */
  draining: () => boolean;
  /**
   * How often a running job is read again without being woken: often for a fan-out's
   * progress, rarely for an ask, whose finish the channel announces.
   */
  everyMs: number;
  /** A stream ends (without a result; the client reconnects) after this long, so none is held forever. */
  maxMs?: number;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  heartbeatMs?: number;
}

/**
 * Server-Sent Events for one job (issue 12): `status` now, `progress` whenever a
 * fan-out's count moves, then `result` with the final poll body, and the stream ends.
 * The first read happens before any header is sent, so an unknown job or a refused
 * caller gets the usual error envelope. The job's finish is heard through JobFinishes,
 * the channel every replica subscribes to, so the stream may be held by any replica.
 * A stream ends early, with its last `status`, when this replica drains or after `maxMs`
 * (five minutes); the client then reconnects, to another replica if this one drains.
 */
export async function streamJobEvents(req: Request, res: Response, options: JobEventsOptions): Promise<void> {
  const { finishes, jobId, read } = options;
  const release = options.streams.open(req);
  res.on('close', release);
  // Listened for first: a client that leaves during the first read must not be streamed to.
  let closed = false;
  let wakeOnClose = () => undefined as void;
  res.on('close', () => {
    closed = true;
    wakeOnClose();
  });
  let view = await read();
  if (closed || res.destroyed) return;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    // nginx and friends would otherwise buffer the stream.
    'X-Accel-Buffering': 'no',
  });
  const send = (event: string, data: object) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const until = Date.now() + (options.maxMs ?? 300_000);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
  try {
    send('status', { job_id: jobId, status: view.status });
    let lastProgress = '';
    while (!closed) {
      if (view.status !== 'processing') {
        send('result', view.body);
        break;
      }
      if (view.progress) {
        const progress = JSON.stringify(view.progress);
        if (progress !== lastProgress) {
          send('progress', { databases_done: view.progress.done, databases_total: view.progress.total });
          lastProgress = progress;
        }
      }
      if (options.draining() || Date.now() >= until) break;
      const waiting = finishes.wait(jobId, Math.min(options.everyMs, until - Date.now()));
      wakeOnClose = waiting.cancel;
      await waiting.finished;
      if (closed) break;
      view = await read();
    }
  } catch (error) {
    // Headers are gone: the failure travels as an event, in the usual envelope.
    if (!closed) send('error', errorEnvelope(error, req).body);
  } finally {
    clearInterval(heartbeat);
    res.end();
  }
}

/** The data of a stream's `status` event; `progress`, `result` and `error` carry the poll's own schemas. */
export const jobStatusEventSchema: JsonSchema = closedObject({
  job_id: ref('JobId'),
  status: { type: 'string', enum: ['processing', 'completed', 'failed'] },
});
