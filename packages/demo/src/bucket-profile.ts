import { hashString, SeededRandom } from './seeded-random';

/** Weights are integers out of this total, so SQL can compare them with integer math only. */
export const WEIGHT_TOTAL = 100_000;

/** A value and its share of rows, out of WEIGHT_TOTAL; lists are sorted most common first. */
export interface Weighted {
  value: string;
  weight: number;
}

/** Everything that varies between buckets; the rows themselves are drawn inside DuckDB from `salt`. */
export interface BucketProfile {
  bucket: string;
  seed: number;
  /** Mixed into every DuckDB hash() so buckets of the same size still differ row by row. */
  salt: number;
  members: number;
  payments: number;
  /** Zero when the bucket has no event and attendance tables. */
  events: number;
  hasEvents: boolean;
  membershipTypes: Weighted[];
  memberStatuses: Weighted[];
  countries: Weighted[];
  currencies: Weighted[];
  paymentStatuses: Weighted[];
  eventCategories: Weighted[];
  /** Offsets into the first and last name lists, so the commonest name differs per tenant. */
  firstNameOffset: number;
  lastNameOffset: number;
  /** Share of attendance rows that were checked in, in percent. */
  checkedInPercent: number;
}

export const MIN_MEMBERS = 30;
export const MAX_MEMBERS = 40_000;
/** `example` is what demos and docs show, so it stays readable: mid-sized. */
const EXAMPLE_MEMBERS = { min: 1_100, max: 1_500 };
/** About one tenant in this many never used events. */
const NO_EVENTS_ONE_IN = 20;
const ALWAYS_WITH_EVENTS = new Set(['example', 'jec']);

// prettier-ignore
export const COUNTRIES = [
  'Ireland', 'United Kingdom', 'France', 'Germany', 'Spain', 'Netherlands', 'Italy', 'Belgium',
  'Portugal', 'Poland', 'Sweden', 'Denmark', 'Austria', 'Switzerland', 'Norway', 'Finland',
  'Czech Republic', 'Greece', 'United States', 'Canada',
] as const;
/** How likely each country is to be a tenant's home country, in COUNTRIES order; the rest are never home. */
const HOME_COUNTRY_WEIGHTS = [30, 20, 12, 10, 8, 6, 5, 4, 3, 2];

/**
 * Geometric sizes from MIN_MEMBERS to MAX_MEMBERS, built by repeated multiplication
 * (exact IEEE arithmetic, unlike Math.pow) so sizes are identical on every machine.
 */
const SIZE_LADDER: number[] = (() => {
  const ladder = [MIN_MEMBERS];
  let size = MIN_MEMBERS;
  while (size < MAX_MEMBERS) {
    size *= 1.075;
    ladder.push(Math.min(size, MAX_MEMBERS));
  }
  return ladder;
})();

/** Whether the bucket has the `event` and `attendance` tables; `example` and `jec` always do. */
export function hasEventTables(bucket: string, seed = 42): boolean {
  if (ALWAYS_WITH_EVENTS.has(bucket)) return true;
  return hashString(`no-events:${seed}:${bucket}`) % NO_EVENTS_ONE_IN !== 0;
}

function logUniformMembers(random: SeededRandom): number {
  const position = random.next() * (SIZE_LADDER.length - 1);
  const step = Math.floor(position);
  const low = SIZE_LADDER[step] ?? MIN_MEMBERS;
  const high = SIZE_LADDER[step + 1] ?? MAX_MEMBERS;
  return Math.round(low + (position - step) * (high - low));
}

/** Builds a weight list whose last entry takes the remainder, so the weights always sum to WEIGHT_TOTAL. */
function weighted(values: readonly string[], leading: readonly number[]): Weighted[] {
  const rest = WEIGHT_TOTAL - leading.reduce((sum, w) => sum + w, 0);
  const weights = [...leading, rest];
  return values.map((value, i) => ({ value, weight: weights[i] ?? 0 }));
}

/**
 * One country clearly dominates (the tenant's home, 30-42%), then the others decay
 * geometrically in a per-tenant order, so the top country is unique even in tiny buckets.
 */
function countryWeights(random: SeededRandom, home: string): Weighted[] {
  const homeWeight = random.int(30_000, 42_000);
  const others = random.shuffle(COUNTRIES.filter((country) => country !== home));
  const raw: number[] = [];
  let factor = 1;
  for (let i = 0; i < others.length; i++) {
    raw.push(factor);
    factor *= 0.8;
  }
  const rawTotal = raw.reduce((sum, w) => sum + w, 0);
  const restTotal = WEIGHT_TOTAL - homeWeight;
  const tail = raw.map((w) => Math.floor((w / rawTotal) * restTotal));
  // Rounding leftovers go to the second country, which stays far behind the home one.
  tail[0] = (tail[0] ?? 0) + restTotal - tail.reduce((sum, w) => sum + w, 0);
  return [{ value: home, weight: homeWeight }, ...others.map((value, i) => ({ value, weight: tail[i] ?? 0 }))];
}

/**
 * The per-bucket parameters: a pure function of (bucket, seed). Shares are drawn in
 * ranges that never overlap, so the order of categories (Standard > Premium > Student >
 * Lifetime, and so on) holds in every bucket while exact proportions still vary.
 */
export function bucketProfile(bucket: string, seed = 42): BucketProfile {
  const random = SeededRandom.fromKey(`${seed}:${bucket}`);
  const salt = random.nextUint32() & 0x7fffffff;
  const sizeDraw = logUniformMembers(random);
  const members = bucket === 'example' ? random.int(EXAMPLE_MEMBERS.min, EXAMPLE_MEMBERS.max) : sizeDraw;
  const paymentsPerMemberPercent = random.int(320, 560);
  const payments = Math.floor((members * paymentsPerMemberPercent + 50) / 100);
  const hasEvents = hasEventTables(bucket, seed);
  const events = hasEvents ? Math.max(3, Math.round(members / 50)) : 0;

  const homeDraw = COUNTRIES[random.weightedIndex(HOME_COUNTRY_WEIGHTS)] ?? 'Ireland';
  const home = bucket === 'example' ? 'Ireland' : homeDraw;

  return {
    bucket,
    seed,
    salt,
    members,
    payments,
    events,
    hasEvents,
    // Listed rarest first so the commonest value takes the remainder, then flipped to most common first.
    membershipTypes: weighted(
      ['Lifetime', 'Student', 'Premium', 'Standard'],
      [random.int(3_000, 7_000), random.int(10_000, 15_000), random.int(20_000, 26_000)],
    ).reverse(),
    memberStatuses: weighted(['pending', 'inactive', 'active'], [random.int(6_000, 11_000), random.int(18_000, 28_000)]).reverse(),
    countries: countryWeights(random, home),
    currencies: weighted(['USD', 'GBP', 'EUR'], [random.int(5_000, 12_000), random.int(18_000, 30_000)]).reverse(),
    paymentStatuses: weighted(['failed', 'refunded', 'succeeded'], [random.int(1_500, 3_500), random.int(4_000, 8_000)]).reverse(),
    eventCategories: weighted(
      ['conference', 'social', 'workshop', 'meetup'],
      [random.int(6_000, 11_000), random.int(15_000, 21_000), random.int(25_000, 31_000)],
    ).reverse(),
    firstNameOffset: random.int(0, 999),
    lastNameOffset: random.int(0, 999),
    checkedInPercent: random.int(70, 80),
  };
}
