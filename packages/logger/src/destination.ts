import fs from 'node:fs';
import type { DestinationStream } from 'pino';

/** Lines waiting beyond this are dropped rather than held: a log that cannot keep up must not eat memory. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** A pipe that is momentarily full (EAGAIN) is tried again this much later. */
const RETRY_FULL_PIPE_MS = 20;
/**
 * How long a line may wait for others to share its write. Each write is a trip through
 * libuv's thread pool that cost the API about 0.2 ms of its main thread per ask (a line
 * per request, at info); lines that wait up to this long go out several to a write.
 */
export const COALESCE_MS = 20;
/** How pino starts a line at level fatal: written at once, as the process is about to exit. */
const FATAL_LINE = '{"level":60,';

/**
 * Where log lines go: stdout by default, written a few lines at a time off the event
 * loop, and never in the way of the service. pino's own synchronous destination retries
 * a failed write for as long as it fails, so a full log disk or a stalled pipe froze
 * every request and even SIGTERM. Here a line that cannot be written (the disk is full,
 * the pipe is closed) or that finds too much already waiting is dropped and counted,
 * and the count is logged once lines go through again. A line waits up to COALESCE_MS
 * for others to join it; a fatal line, which is followed by an exit, and a flush do not
 * wait.
 */
export class DroppingDestination implements DestinationStream {
  private queued: string[] = [];
  private pendingBytes = 0;
  private writing = false;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly idle: (() => void)[] = [];

  constructor(private readonly fd = 1) {
    // Opening Node's own stdout makes a pipe non-blocking, so a reader that stops
    // reading gives EAGAIN here instead of a thread stuck in write() forever.
    if (fd === 1) void process.stdout.writable;
  }

  write(line: string): void {
    if (this.pendingBytes + line.length > MAX_PENDING_BYTES) {
      this.dropped++;
      return;
    }
    this.queued.push(line);
    this.pendingBytes += line.length;
    if (line.startsWith(FATAL_LINE)) this.writeQueuedNow();
    else this.later(COALESCE_MS);
  }

  /** Calls back once what is queued now has been written or dropped (pino's logger.flush); writes it without waiting. */
  flush(callback: () => void = () => undefined): void {
    if (!this.writing && this.queued.length === 0) {
      callback();
      return;
    }
    this.idle.push(callback);
    if (this.timer && !this.writing) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.next();
    }
  }

  private later(ms: number): void {
    if (this.writing || this.timer || this.queued.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.next();
    }, ms);
  }

  private next(): void {
    const lines = this.queued;
    if (lines.length === 0) {
      for (const callback of this.idle.splice(0)) callback();
      return;
    }
    this.queued = [];
    this.writing = true;
    const chunk = lines.join('');
    fs.write(this.fd, chunk, (error) => {
      this.writing = false;
      if (error && (error as NodeJS.ErrnoException).code === 'EAGAIN') {
        this.queued.unshift(chunk);
        this.later(RETRY_FULL_PIPE_MS);
        return;
      }
      this.pendingBytes -= chunk.length;
      if (error) {
        this.dropped += lines.length;
      } else if (this.dropped > 0) {
        const count = this.dropped;
        this.dropped = 0;
        const line = `${JSON.stringify({ level: 40, time: new Date().toISOString(), event: 'log_lines_dropped', count })}\n`;
        this.queued.push(line);
        this.pendingBytes += line.length;
      }
      // A flush waits on what is queued: it goes now. Otherwise it waits for company.
      if (this.idle.length > 0 || this.queued.length === 0) this.next();
      else this.later(COALESCE_MS);
    });
  }

  /**
   * Writes what is queued synchronously, for a fatal line: the process exits next, and
   * neither a timer nor the thread pool would run again. A line still in an async write
   * may land after it. What the pipe will not take at once is dropped.
   */
  private writeQueuedNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.queued;
    this.queued = [];
    const chunk = lines.join('');
    this.pendingBytes -= chunk.length;
    const bytes = Buffer.from(chunk);
    try {
      // A write that takes nothing ends it: the rest is lost rather than spun on.
      for (let written = 0, last = -1; written < bytes.length && last !== 0; written += last) {
        last = fs.writeSync(this.fd, bytes, written);
      }
    } catch {
      this.dropped += lines.length;
    }
  }
}
