import fs from 'node:fs';
import type { DestinationStream } from 'pino';

/** Bytes waiting beyond this are dropped rather than held: a log that cannot keep up must not eat memory. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** A pipe that is momentarily full (EAGAIN) is tried again this much later. */
const RETRY_FULL_PIPE_MS = 20;
/** How long a synchronous write (a fatal line, the exit) waits for a full pipe before it drops what is left. */
const SYNC_FULL_PIPE_MS = 100;
/**
 * How long a line may wait for others to share its write. Each write is a trip through
 * libuv's thread pool that cost the API about 0.2 ms of its main thread per ask (a line
 * per request, at info); lines that wait up to this long go out several to a write.
 */
export const COALESCE_MS = 20;
/** How pino starts a line at level fatal: written at once, as the process is about to exit. */
const FATAL_LINE = '{"level":60,';

/** Destinations on stdout, written out at the process's exit: one listener for all of them. */
const onStdout = new Set<DroppingDestination>();

function writeAtExit(destination: DroppingDestination): void {
  if (onStdout.size === 0) {
    process.once('exit', () => {
      for (const each of onStdout) each.writeNow();
    });
  }
  onStdout.add(destination);
}

/** What a synchronous write waits on between tries at a full pipe (Atomics.wait sleeps on it). */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** The lines of `chunk` (holding `lines`) not in its first `written` bytes: a line's tail counts as one. */
function linesLeft(chunk: Buffer, written: number, lines: number): number {
  if (written === 0) return lines;
  let count = 0;
  for (let at = chunk.indexOf(10, written); at !== -1; at = chunk.indexOf(10, at + 1)) count++;
  return Math.max(1, count);
}

/**
 * Where log lines go: stdout by default, written a few lines at a time off the event
 * loop, and never in the way of the service. pino's own synchronous destination retries
 * a failed write for as long as it fails, so a full log disk or a stalled pipe froze
 * every request and even SIGTERM. Here a line that cannot be written (the disk is full,
 * the pipe is closed) or that finds too much already waiting is dropped and counted,
 * and the count is logged once lines go through again. A line waits up to COALESCE_MS
 * for others to join it; a fatal line, which is followed by an exit, a flush, and the
 * process's exit (stdout only) do not wait.
 */
export class DroppingDestination implements DestinationStream {
  private queued: Buffer[] = [];
  /** Lines in `queued`, for the count of those dropped. */
  private queuedLines = 0;
  private pendingBytes = 0;
  private writing = false;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly idle: (() => void)[] = [];

  constructor(private readonly fd = 1) {
    if (fd !== 1) return;
    // Opening Node's own stdout makes a pipe non-blocking, so a reader that stops
    // reading gives EAGAIN here instead of a thread stuck in write() forever.
    void process.stdout.writable;
    // Lines still waiting when the process ends (a crash, an exit without a flush) go
    // out synchronously: no timer or thread-pool trip runs after 'exit'.
    writeAtExit(this);
  }

  write(line: string): void {
    const bytes = Buffer.from(line);
    const fatal = line.startsWith(FATAL_LINE);
    // A fatal line is never the one dropped: it says why the process is about to end.
    if (!fatal && this.pendingBytes + bytes.length > MAX_PENDING_BYTES) {
      this.dropped++;
      return;
    }
    this.enqueue(bytes, 1);
    if (fatal) this.writeNow();
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

  private enqueue(bytes: Buffer, lines: number, first = false): void {
    if (first) this.queued.unshift(bytes);
    else this.queued.push(bytes);
    this.queuedLines += lines;
    this.pendingBytes += bytes.length;
  }

  /** Takes everything queued, as one buffer. */
  private take(): { chunk: Buffer; lines: number } {
    const chunk = this.queued.length === 1 ? this.queued[0]! : Buffer.concat(this.queued);
    const lines = this.queuedLines;
    this.queued = [];
    this.queuedLines = 0;
    this.pendingBytes -= chunk.length;
    return { chunk, lines };
  }

  private later(ms: number): void {
    if (this.writing || this.timer || this.queued.length === 0) return;
    // Unref'd: a process that is otherwise done writes what waits on 'exit' (stdout), or
    // is told to flush; a stalled reader must not keep it alive.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.next();
    }, ms).unref();
  }

  private next(): void {
    if (this.queued.length === 0) {
      for (const callback of this.idle.splice(0)) callback();
      return;
    }
    const { chunk, lines } = this.take();
    this.writing = true;
    fs.write(this.fd, chunk, 0, chunk.length, null, (error, written) => {
      this.writing = false;
      if (error && (error as NodeJS.ErrnoException).code === 'EAGAIN') written = 0;
      else if (error) {
        this.dropped += lines;
        written = chunk.length;
      } else if (this.dropped > 0) {
        const notice = `${JSON.stringify({ level: 40, time: new Date().toISOString(), event: 'log_lines_dropped', count: this.dropped })}\n`;
        this.dropped = 0;
        this.enqueue(Buffer.from(notice), 1);
      }
      // A full pipe took part of the chunk, or none: the rest goes first, a little later.
      if (written < chunk.length) {
        this.enqueue(chunk.subarray(written), linesLeft(chunk, written, lines), true);
        this.later(RETRY_FULL_PIPE_MS);
        return;
      }
      // A flush waits on what is queued: it goes now. Otherwise it waits for company.
      if (this.idle.length > 0 || this.queued.length === 0) this.next();
      else this.later(COALESCE_MS);
    });
  }

  /**
   * Writes what is queued synchronously, for a fatal line and at exit: neither a timer
   * nor the thread pool runs again. A line still in an async write may land after it.
   * A full pipe is waited on for up to SYNC_FULL_PIPE_MS; what it will not take by then
   * is dropped.
   */
  writeNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queued.length === 0) return;
    const { chunk, lines } = this.take();
    const giveUpAt = Date.now() + SYNC_FULL_PIPE_MS;
    let written = 0;
    while (written < chunk.length) {
      try {
        const last = fs.writeSync(this.fd, chunk, written);
        if (last === 0) break;
        written += last;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() >= giveUpAt) break;
        Atomics.wait(PAUSE, 0, 0, 1);
      }
    }
    if (written < chunk.length) this.dropped += linesLeft(chunk, written, lines);
  }
}
