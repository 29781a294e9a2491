import fs from 'node:fs';
import type { DestinationStream } from 'pino';

/** Lines waiting beyond this are dropped rather than held: a log that cannot keep up must not eat memory. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** A pipe that is momentarily full (EAGAIN) is tried again this much later. */
const RETRY_FULL_PIPE_MS = 20;

/**
 * Where log lines go: stdout by default, written one chunk at a time off the event loop,
 * and never in the way of the service. pino's own synchronous destination retries a
 * failed write for as long as it fails, so a full log disk or a stalled pipe froze
 * every request and even SIGTERM. Here a line that cannot be written (the disk is full,
 * the pipe is closed) or that finds too much already waiting is dropped and counted,
 * and the count is logged once lines go through again.
 */
export class DroppingDestination implements DestinationStream {
  private queued: string[] = [];
  private pendingBytes = 0;
  private writing = false;
  private dropped = 0;
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
    if (!this.writing) this.next();
  }

  /** Calls back once what is queued now has been written or dropped (pino's logger.flush). */
  flush(callback: () => void = () => undefined): void {
    if (!this.writing && this.queued.length === 0) callback();
    else this.idle.push(callback);
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
        setTimeout(() => this.writing || this.next(), RETRY_FULL_PIPE_MS).unref();
        return;
      }
      this.pendingBytes -= chunk.length;
      if (error) {
        this.dropped += lines.length;
      } else if (this.dropped > 0) {
        const count = this.dropped;
        this.dropped = 0;
        this.write(`${JSON.stringify({ level: 40, time: new Date().toISOString(), event: 'log_lines_dropped', count })}\n`);
      }
      this.next();
    });
  }
}
