import type { Request, Response } from 'express';
import type { JobFinishes, JobProgress } from '@flock/jobs';
import { errorEnvelope } from './error.middleware';

/** What a stream shows of a job at one moment: its status, its poll body, and a fan-out's progress. */
export interface JobView {
  status: string;
  /** The poll answer, exactly as GET …/jobs/{jobId} would give it now. */
  body: object;
  progress?: JobProgress;
}

export interface JobEventsOptions {
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
