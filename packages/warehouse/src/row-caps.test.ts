import { CappedRows, jsonBytes } from './row-caps';

describe('CappedRows', () => {
  it('keeps rows until the row cap, then none after', () => {
    const capped = new CappedRows<number[]>({ maxRows: 2, maxBytes: 1_000 });
    expect([[1], [2], [3]].map((row) => capped.add(row))).toEqual([true, true, false]);
    expect(capped.rows).toEqual([[1], [2]]);
    expect(capped.isFull).toBe(true);
  });

  it('counts the byte cap in UTF-8 bytes, with brackets and commas, as the JSON array would take', () => {
    // ["é"] is 5 characters but 6 bytes; with the enclosing [] and its comma the row needs 9.
    expect(jsonBytes(['é'])).toBe(6);
    expect(new CappedRows<string[]>({ maxRows: 10, maxBytes: 8 }).add(['é'])).toBe(false);
    const fits = new CappedRows<string[]>({ maxRows: 10, maxBytes: 9 });
    expect(fits.add(['é'])).toBe(true);
    expect(jsonBytes(fits.rows)).toBeLessThanOrEqual(9);
  });

  it('keeps a prefix: a small row after one that did not fit is dropped too', () => {
    const capped = new CappedRows<string[]>({ maxRows: 10, maxBytes: 20 });
    capped.add(['a']);
    capped.add(['x'.repeat(50)]);
    expect(capped.add(['b'])).toBe(false);
    expect(capped.rows).toEqual([['a']]);
  });
});
