import { Writable } from 'node:stream';

/** JSON log lines as objects; a line that is not JSON is left out. */
export function parseLogLines(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      const entry: unknown = JSON.parse(line);
      return entry !== null && typeof entry === 'object' ? [entry as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

/**
 * A stream to hand a logger as its destination, keeping every line written to it, so a
 * test can check what reached the log: structured fields through entries(), and the
 * raw text for secrets, which must not appear anywhere in it.
 */
export function captureLogs(): { stream: Writable; text(): string; entries(): Record<string, unknown>[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, text: () => lines.join('\n'), entries: () => parseLogLines(lines) };
}
