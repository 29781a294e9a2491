/**
 * Helpers for the messages Flock stores in jobs and returns to callers, shared so every
 * engine and warehouse words limits and causes the same way.
 */

/**
 * The first line of an error's message; DuckDB puts hints and context on later lines.
 * Duck-typed rather than `instanceof Error`: errors raised by the native binding can
 * come from another realm (as under jest), and would otherwise print as "Error: …".
 */
export function firstLine(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
      ? (error as { message: string }).message
      : String(error);
  return message.split('\n')[0] ?? message;
}

/** A limit as people read it: 30000 → "30 s", 250 → "0.3 s". */
export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
