import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Where one query may spill, and how much. */
export interface SpillCap {
  folder: string;
  maxBytes: number;
}

const UNITS: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };

/** A size as DuckDB writes it ("512MB", "1.5GiB") in bytes: decimal units for KB/MB/GB, binary for KiB/MiB/GiB. */
export function sizeInBytes(size: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(kb|mb|gb|kib|mib|gib)\s*$/i.exec(size);
  if (!match) throw new Error(`Not a size: ${size}`);
  return Math.round(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!);
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
