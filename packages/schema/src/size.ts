/** A size as DuckDB writes it (`512MB`, `1.5 GiB`): decimal KB/MB/GB, binary KiB/MiB/GiB. */
export const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|KiB|MiB|GiB)$/i;

const UNITS: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };

/** A size matching SIZE_PATTERN in bytes. */
export function sizeInBytes(size: string): number {
  const match = SIZE_PATTERN.exec(size.trim());
  if (!match) throw new Error(`Not a size: ${size}`);
  return Math.round(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!);
}
