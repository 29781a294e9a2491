/** Caps on the rows a result keeps: how many, and how large their JSON may be. */
export interface RowCaps {
  maxRows: number;
  /** UTF-8 bytes of the rows as a JSON array; the original's 400 KB item limit was in bytes too. */
  maxBytes: number;
}

/** A value's size as JSON in UTF-8 bytes, the unit byte caps are stated in. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * Rows kept under RowCaps as a prefix: once one row does not fit, no later row is kept
 * either, so a capped result is always the first rows in order, never one with holes.
 */
export class CappedRows<T> {
  readonly rows: T[] = [];
  private bytes = 2; // the enclosing []
  private full = false;

  constructor(private readonly caps: RowCaps) {}

  /** Keeps `row` if it fits under both caps; false, now and for every later row, once one does not. */
  add(row: T): boolean {
    if (this.full) return false;
    const size = jsonBytes(row) + 1; // and its comma
    if (this.rows.length >= this.caps.maxRows || this.bytes + size > this.caps.maxBytes) {
      this.full = true;
      return false;
    }
    this.rows.push(row);
    this.bytes += size;
    return true;
  }

  /** Whether a row has already been turned away: the caller may stop converting rows. */
  get isFull(): boolean {
    return this.full;
  }
}
