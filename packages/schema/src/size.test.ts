import { sizeInBytes } from './size';

describe('sizeInBytes', () => {
  it('reads sizes as DuckDB writes them: decimal KB/MB/GB, binary KiB/MiB/GiB', () => {
    expect(sizeInBytes('512MB')).toBe(512_000_000);
    expect(sizeInBytes('1GB')).toBe(1_000_000_000);
    expect(sizeInBytes('1.5 gb')).toBe(1_500_000_000);
    expect(sizeInBytes('64KiB')).toBe(65_536);
    expect(sizeInBytes('2GiB')).toBe(2 * 2 ** 30);
  });

  it('refuses what is not a size', () => {
    expect(() => sizeInBytes('lots')).toThrow(/Not a size/);
    expect(() => sizeInBytes('12')).toThrow(/Not a size/);
  });
});
