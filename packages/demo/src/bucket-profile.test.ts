import { bucketNames } from './bucket-names';
import { bucketProfile, COUNTRIES, hasEventTables, MAX_MEMBERS, MIN_MEMBERS, WEIGHT_TOTAL, type Weighted } from './bucket-profile';

const names = bucketNames(2000);
const profiles = names.map((name) => bucketProfile(name));

function strictlyDescending(weights: Weighted[]): boolean {
  return weights.every((w, i) => i === 0 || (weights[i - 1] as Weighted).weight > w.weight);
}

describe('bucketProfile', () => {
  it('is a pure function of bucket and seed', () => {
    expect(bucketProfile('example', 42)).toEqual(bucketProfile('example', 42));
    expect(bucketProfile('example', 42).salt).not.toBe(bucketProfile('example', 43).salt);
  });

  it('keeps example mid-sized and readable', () => {
    for (const seed of [1, 42, 777]) {
      const { members } = bucketProfile('example', seed);
      expect(members).toBeGreaterThanOrEqual(800);
      expect(members).toBeLessThanOrEqual(2000);
    }
  });

  it('spreads sizes from a few dozen members to tens of thousands', () => {
    const sizes = profiles.map((p) => p.members).sort((a, b) => a - b);
    expect(sizes[0]).toBeGreaterThanOrEqual(MIN_MEMBERS);
    expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(MAX_MEMBERS);
    expect(sizes.filter((n) => n < 100).length).toBeGreaterThan(100);
    expect(sizes.filter((n) => n > 10_000).length).toBeGreaterThan(100);
  });

  it('has 3 to 6 payments per member and at least 3 events when it has events', () => {
    for (const p of profiles) {
      expect(p.payments / p.members).toBeGreaterThanOrEqual(3);
      expect(p.payments / p.members).toBeLessThanOrEqual(6);
      if (p.hasEvents) expect(p.events).toBeGreaterThanOrEqual(3);
      else expect(p.events).toBe(0);
    }
  });

  it('draws weights that sum to the total, in a fixed order with a unique top', () => {
    for (const p of profiles) {
      for (const list of [p.membershipTypes, p.memberStatuses, p.currencies, p.paymentStatuses, p.eventCategories]) {
        expect(list.reduce((sum, w) => sum + w.weight, 0)).toBe(WEIGHT_TOTAL);
        expect(strictlyDescending(list)).toBe(true);
      }
      expect(p.membershipTypes.map((w) => w.value)).toEqual(['Standard', 'Premium', 'Student', 'Lifetime']);
      expect(p.memberStatuses.map((w) => w.value)).toEqual(['active', 'inactive', 'pending']);
      expect(p.currencies.map((w) => w.value)).toEqual(['EUR', 'GBP', 'USD']);
      expect(p.paymentStatuses.map((w) => w.value)).toEqual(['succeeded', 'refunded', 'failed']);
      expect(p.countries.reduce((sum, w) => sum + w.weight, 0)).toBe(WEIGHT_TOTAL);
      expect(new Set(p.countries.map((w) => w.value))).toEqual(new Set(COUNTRIES));
      const [home, second] = p.countries;
      expect(home!.weight).toBeGreaterThan(2 * second!.weight);
    }
  });

  it('leaves out events for about one bucket in twenty, never for example or jec', () => {
    expect(hasEventTables('example')).toBe(true);
    expect(hasEventTables('jec')).toBe(true);
    const without = names.filter((name) => !hasEventTables(name)).length;
    expect(without / names.length).toBeGreaterThan(0.03);
    expect(without / names.length).toBeLessThan(0.07);
  });
});
