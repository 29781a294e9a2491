import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Where one query may spill, and how much. */
export interface SpillCap {
  folder: string;
  maxBytes: number;
}

/** Disk really used by the files in `folder` (allocated blocks, so sparse files count as what they hold). */
async function usedBytes(folder: string): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch {
    return 0; // not created yet: nothing spilled
  }
  const sizes = await Promise.all(
    names.map((name) =>
      fs.stat(path.join(folder, name)).then(
        (stat) => stat.blocks * 512,
        () => 0,
      ),
    ),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * Calls `onExceeded` once the spill folder holds more than the cap, checking every
 * `everyMs` while a query runs; returns the function that stops watching. DuckDB's own
 * max_temp_directory_size did not hold (DuckDB 1.5 spilled 1.3 GB of a window sort
 * under a 1 MB cap), so the cap is enforced from outside, by interrupting the query.
 */
export function watchSpill(cap: SpillCap, onExceeded: () => void, everyMs = 250): () => void {
  let stopped = false;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || stopped) return;
    checking = true;
    usedBytes(cap.folder)
      .then((used) => {
        if (!stopped && used > cap.maxBytes) {
          stopped = true;
          clearInterval(timer);
          onExceeded();
        }
      })
      .finally(() => {
        checking = false;
      });
  }, everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
