import { hasEventTables } from './bucket-profile';
import { SeededRandom } from './seeded-random';

/** The two tenants every deployment has, always first and in this order. */
export const FIXED_BUCKETS = ['example', 'jec'] as const;

/**
 * Test suites generate only the first handful of buckets, yet must meet a tenant
 * without events; so one such bucket is guaranteed at or before this index.
 */
export const NO_EVENTS_GUARANTEED_BY = 7;

// prettier-ignore
const PREFIXES = [
  'north', 'south', 'east', 'west', 'old', 'new', 'upper', 'lower', 'little', 'greater',
  'high', 'royal', 'central', 'inner', 'outer', 'far',
];

// prettier-ignore
const PLACES = [
  'harbour', 'riverside', 'oakwood', 'hillside', 'lakeside', 'meadow', 'bayview', 'kingsbridge',
  'elmfield', 'stonegate', 'millbrook', 'seaview', 'ashgrove', 'fernhill', 'beacon', 'marsh',
  'valley', 'clifftop', 'greenway', 'foxrock', 'willowdale', 'parkside', 'brookside', 'highfield',
  'rosehill', 'castlepoint', 'quayside', 'northgate', 'southbank', 'westwood', 'eastfield', 'redhill',
  'whitecliff', 'blackrock', 'silverdale', 'goldcrest', 'ironbridge', 'copperfield', 'maplewood', 'pinecrest',
];

// prettier-ignore
const CITIES = [
  'dublin', 'cork', 'galway', 'limerick', 'waterford', 'kilkenny', 'sligo', 'belfast',
  'london', 'leeds', 'bristol', 'glasgow', 'edinburgh', 'cardiff', 'york', 'bath',
  'paris', 'lyon', 'nantes', 'lille', 'bordeaux', 'berlin', 'hamburg', 'munich',
  'cologne', 'madrid', 'seville', 'valencia', 'lisbon', 'porto', 'amsterdam', 'utrecht',
  'ghent', 'bruges', 'milan', 'turin', 'vienna', 'zurich', 'oslo', 'malmo',
];

// prettier-ignore
const ACTIVITIES = [
  'chess', 'rowing', 'cycling', 'hiking', 'running', 'swimming', 'sailing', 'climbing',
  'tennis', 'golf', 'rugby', 'hurling', 'football', 'cricket', 'badminton', 'fencing',
  'photography', 'film', 'book', 'poetry', 'jazz', 'choir', 'orchestra', 'drama',
  'gardening', 'birdwatching', 'astronomy', 'history', 'heritage', 'language', 'coding', 'robotics',
  'makers', 'pottery', 'knitting', 'quilting', 'baking', 'wine', 'coffee', 'boardgame',
  'yoga', 'pilates', 'dance', 'salsa', 'tango', 'kayak', 'surf', 'triathlon', 'orienteering', 'debating',
];

// prettier-ignore
const ORGANISATIONS = [
  'club', 'society', 'association', 'collective', 'guild', 'league', 'network', 'circle',
  'union', 'group', 'alliance', 'academy', 'federation', 'fellowship', 'forum', 'crew',
];

/** Attempts at a fresh combination before falling back to a numeric suffix. */
const MAX_ATTEMPTS = 40;

function candidate(random: SeededRandom): string {
  const shape = random.weightedIndex([3, 4, 3]);
  if (shape === 0) return `${random.pick(PREFIXES)}-${random.pick(PLACES)}-${random.pick(ORGANISATIONS)}`;
  if (shape === 1) return `${random.pick(PLACES)}-${random.pick(ACTIVITIES)}-${random.pick(ORGANISATIONS)}`;
  return `${random.pick(CITIES)}-${random.pick(ACTIVITIES)}-${random.pick(ORGANISATIONS)}`;
}

/**
 * Generates the raw slug sequence lazily. Each name depends only on the seed and the
 * names before it, so any prefix of the sequence is the same whatever count is asked.
 */
function* slugSequence(seed: number): Generator<string> {
  const random = SeededRandom.fromKey(`bucket-names:${seed}`);
  const taken = new Set<string>(FIXED_BUCKETS);
  for (;;) {
    let name: string | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && name === undefined; attempt++) {
      const next = candidate(random);
      if (!taken.has(next)) name = next;
    }
    if (name === undefined) {
      // Word combinations are running out: suffixes keep names unique and deterministic.
      const base = candidate(random);
      let suffix = 2;
      while (taken.has(`${base}-${suffix}`)) suffix++;
      name = `${base}-${suffix}`;
    }
    taken.add(name);
    yield name;
  }
}

/**
 * The first `count` bucket names for a seed: `example`, `jec`, then tenant-like slugs,
 * all unique. A bucket without event tables is moved forward if needed so it appears
 * by index NO_EVENTS_GUARANTEED_BY; the move is a fixed rule on the infinite sequence,
 * so bucketNames(n) is always a prefix of bucketNames(m) for n < m.
 */
export function bucketNames(count: number, seed = 42): string[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a whole number >= 0, got ${count}`);
  const names: string[] = [...FIXED_BUCKETS];
  const slugs = slugSequence(seed);
  const take = (): string => slugs.next().value as string;
  while (names.length <= NO_EVENTS_GUARANTEED_BY) names.push(take());

  if (names.slice(FIXED_BUCKETS.length).every((name) => hasEventTables(name, seed))) {
    const skipped: string[] = [];
    let found = take();
    while (hasEventTables(found, seed)) {
      skipped.push(found);
      found = take();
    }
    const displaced = names[NO_EVENTS_GUARANTEED_BY] as string;
    names[NO_EVENTS_GUARANTEED_BY] = found;
    names.push(displaced, ...skipped);
  }

  while (names.length < count) names.push(take());
  return names.slice(0, count);
}
