import { BUCKET_ID_PATTERN } from '@flock/schema';
import { bucketNames, NO_EVENTS_GUARANTEED_BY } from './bucket-names';
import { hasEventTables } from './bucket-profile';

describe('bucketNames', () => {
  it('starts with example then jec', () => {
    expect(bucketNames(2)).toEqual(['example', 'jec']);
    expect(bucketNames(177).slice(0, 2)).toEqual(['example', 'jec']);
    expect(bucketNames(1)).toEqual(['example']);
    expect(bucketNames(0)).toEqual([]);
  });

  it('gives 5000 unique, valid names', () => {
    const names = bucketNames(5000);
    expect(names).toHaveLength(5000);
    expect(new Set(names).size).toBe(5000);
    for (const name of names) expect(name).toMatch(BUCKET_ID_PATTERN);
  });

  it('stays unique and valid far beyond the word combinations', () => {
    const names = bucketNames(100_000);
    expect(new Set(names).size).toBe(100_000);
    expect(names.every((name) => BUCKET_ID_PATTERN.test(name))).toBe(true);
  });

  it('looks like tenant slugs', () => {
    for (const name of bucketNames(50).slice(2)) expect(name).toMatch(/^[a-z]+(-[a-z]+){1,2}$/);
  });

  it('is deterministic, and every shorter list is a prefix of a longer one', () => {
    const long = bucketNames(1000, 42);
    expect(bucketNames(1000, 42)).toEqual(long);
    for (const count of [3, 7, 8, 9, 24, 177]) expect(bucketNames(count, 42)).toEqual(long.slice(0, count));
  });

  it('depends on the seed, except for the fixed first two', () => {
    const a = bucketNames(20, 1);
    const b = bucketNames(20, 2);
    expect(a.slice(0, 2)).toEqual(b.slice(0, 2));
    expect(a.slice(2)).not.toEqual(b.slice(2));
  });

  it('puts a bucket without events early, whatever the seed', () => {
    for (const seed of [0, 1, 7, 42, 1234, 99_999]) {
      const names = bucketNames(NO_EVENTS_GUARANTEED_BY + 1, seed);
      expect(names.some((name) => !hasEventTables(name, seed))).toBe(true);
    }
  });

  it('rejects a negative or fractional count', () => {
    expect(() => bucketNames(-1)).toThrow(RangeError);
    expect(() => bucketNames(1.5)).toThrow(RangeError);
  });
});
