import { execFileSync } from 'node:child_process';
import type { Logger } from '@flock/logger';

/**
 * Caps this process's data memory (RLIMIT_DATA, soft and hard, with prlimit from
 * util-linux). DuckDB's memory_limit governs its buffer pool, not every allocation: a
 * huge string (`repeat('x', 4e9)`) is allocated outside it, and took a process to 5.9
 * GB in the probe of issue 10. Under this ceiling such an allocation fails at once, as
 * DuckDB's own out-of-memory error for that query alone, and the worker, and every
 * other tenant's job on it, go on. RLIMIT_DATA counts private writable memory only, so
 * the address space V8 and DuckDB reserve without using does not count against it.
 */
export function applyMemoryCeiling(bytes: number, logger: Logger): void {
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--data=${bytes}:${bytes}`], { stdio: 'pipe' });
    logger.info({ memoryCeilingBytes: bytes }, 'worker memory ceiling set');
  } catch (error) {
    // Without prlimit (macOS, a minimal image) the worker still runs, but says it is unguarded.
    logger.error({ err: error, memoryCeilingBytes: bytes }, 'could not set the worker memory ceiling; install util-linux (prlimit)');
  }
}
