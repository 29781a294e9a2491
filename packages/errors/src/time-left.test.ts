import { timeLeft } from './time-left';

describe('timeLeft', () => {
  it('is the limit when there is no deadline, or the deadline is further off', () => {
    expect(timeLeft(30_000)).toBe(30_000);
    expect(timeLeft(30_000, 1_000_000, 900_000)).toBe(30_000);
  });

  it('is what is left before a nearer deadline, and not positive once it has passed', () => {
    expect(timeLeft(30_000, 1_000_000, 990_000)).toBe(10_000);
    expect(timeLeft(30_000, 1_000_000, 1_000_000)).toBe(0);
    expect(timeLeft(30_000, 1_000_000, 1_005_000)).toBeLessThan(0);
  });
});
