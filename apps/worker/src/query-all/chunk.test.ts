import { chunk } from './query-all.processor';

describe('chunk', () => {
  it('spreads items evenly under the size cap, keeping their order', () => {
    const items = Array.from({ length: 177 }, (_, i) => i);
    const chunks = chunk(items, 25);
    expect(chunks).toHaveLength(8);
    expect(chunks.flat()).toEqual(items);
    for (const part of chunks) expect([22, 23]).toContain(part.length);
  });

  it('keeps a list that fits in one chunk whole, and never makes an empty chunk', () => {
    expect(chunk(['a', 'b'], 25)).toEqual([['a', 'b']]);
    expect(chunk(['a', 'b', 'c'], 1)).toEqual([['a'], ['b'], ['c']]);
    expect(chunk([], 25)).toEqual([]);
  });
});
