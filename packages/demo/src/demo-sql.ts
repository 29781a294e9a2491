import { WEIGHT_TOTAL, type BucketProfile, type Weighted } from './bucket-profile';

/**
 * SQL that fills one demo warehouse. Every value is a pure function of a row index and
 * the bucket salt through DuckDB's hash(), so the data does not depend on thread
 * scheduling, and the only floating point used is sqrt and plain division, which IEEE
 * rounds identically everywhere. Integer literals are cast to BIGINT before products
 * that could overflow INTEGER.
 */

/** The schema of /work/shared/demo-schema.md, verbatim in names, types and constraints. */
export const MEMBER_DDL = `CREATE TABLE member (
  id              INTEGER PRIMARY KEY,
  first_name      VARCHAR NOT NULL,
  last_name       VARCHAR NOT NULL,
  email           VARCHAR NOT NULL,
  membership_type VARCHAR NOT NULL,
  status          VARCHAR NOT NULL,
  country         VARCHAR NOT NULL,
  joined_at       DATE NOT NULL
)`;

export const PAYMENT_DDL = `CREATE TABLE payment (
  id        INTEGER PRIMARY KEY,
  member_id INTEGER NOT NULL REFERENCES member(id),
  amount    DECIMAL(10,2) NOT NULL,
  currency  VARCHAR NOT NULL,
  status    VARCHAR NOT NULL,
  paid_at   TIMESTAMP NOT NULL
)`;

export const EVENT_DDL = `CREATE TABLE event (
  id        INTEGER PRIMARY KEY,
  name      VARCHAR NOT NULL,
  category  VARCHAR NOT NULL,
  starts_at TIMESTAMP NOT NULL,
  capacity  INTEGER NOT NULL
)`;

export const ATTENDANCE_DDL = `CREATE TABLE attendance (
  event_id   INTEGER NOT NULL REFERENCES event(id),
  member_id  INTEGER NOT NULL REFERENCES member(id),
  checked_in BOOLEAN NOT NULL
)`;

// prettier-ignore
export const FIRST_NAMES = [
  'Aoife', 'Sean', 'Niamh', 'Conor', 'Ciara', 'Liam', 'Siobhan', 'Cian', 'Emma', 'Oisin',
  'Sophie', 'James', 'Grace', 'Jack', 'Chloe', 'Daniel', 'Sarah', 'Patrick', 'Hannah', 'Michael',
  'Emily', 'David', 'Olivia', 'Thomas', 'Lucy', 'Adam', 'Anna', 'Ryan', 'Katie', 'Mark',
  'Laura', 'Paul', 'Claire', 'Luke', 'Rachel', 'Eoin', 'Orla', 'Darragh', 'Roisin', 'Fionn',
  'Marie', 'Pierre', 'Camille', 'Louis', 'Lea', 'Hugo', 'Julia', 'Lukas', 'Lena', 'Felix',
  'Sofia', 'Pablo', 'Lucia', 'Mateo', 'Ines', 'Tiago', 'Giulia', 'Marco', 'Eva', 'Jan',
];

// prettier-ignore
export const LAST_NAMES = [
  'Murphy', 'Kelly', 'Byrne', 'Ryan', 'Walsh', 'Smith', 'Doyle', 'Brennan', 'Lynch', 'Kennedy',
  'Gallagher', 'Doherty', 'Quinn', 'Nolan', 'Carroll', 'Connolly', 'Daly', 'Farrell', 'Burke', 'Collins',
  'Brown', 'Wilson', 'Taylor', 'Jones', 'Evans', 'Clarke', 'Hughes', 'Wright', 'Green', 'Hall',
  'Martin', 'Bernard', 'Dubois', 'Moreau', 'Laurent', 'Muller', 'Schmidt', 'Fischer', 'Weber', 'Wagner',
  'Garcia', 'Lopez', 'Martinez', 'Sanchez', 'Romero', 'Silva', 'Santos', 'Costa', 'Rossi', 'Bianchi',
  'Jansen', 'De Vries', 'Peeters', 'Novak', 'Nowak', 'Larsen', 'Nielsen', 'Berg', 'Huber', 'Meyer',
];

/** Inclusive data window of the schema document. */
const JOIN_START = "DATE '2019-01-01'";
const JOIN_DAYS = 2373; // 2019-01-01 .. 2025-06-30 inclusive
const PAY_START = "TIMESTAMP '2022-01-01 00:00:00'";
const PAY_END = "TIMESTAMP '2025-06-30 23:59:59'";
const EVENT_DAYS = 1277; // 2022-01-01 .. 2025-06-30 inclusive
/** The largest rooms get distinct capacities, so "top N by capacity" is unambiguous up to N. */
const DISTINCT_TOP_CAPACITIES = 10;
/** A prime above any member count, so multiplying by it modulo the count is a permutation. */
const SCATTER_PRIME = 100_003;

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function sqlList(values: readonly string[]): string {
  return `[${values.map(quote).join(', ')}]`;
}

/** A uniform BIGINT in [0, modulus) drawn from the row's hash and a stream number. */
function uniform(keys: string, salt: number, stream: number, modulus: number | string): string {
  return `(hash(${keys}, ${salt}, ${stream}) % ${modulus})::BIGINT`;
}

/** Position of each row in a per-stream random order; quotas on it give exact shares. */
function shuffledRank(keys: string, salt: number, stream: number): string {
  return `(row_number() OVER (ORDER BY hash(${keys}, ${salt}, ${stream}), ${keys}) - 1)`;
}

/**
 * Maps a shuffled rank to a value by cumulative quota rather than by per-row chance,
 * so group sizes match the weights exactly and their order holds even for 30 rows.
 */
function quotaCase(rank: string, total: string, weights: readonly Weighted[]): string {
  const branches: string[] = [];
  let cumulative = 0;
  weights.forEach((w, i) => {
    cumulative += w.weight;
    if (i === weights.length - 1 || w.weight === 0) return;
    branches.push(`WHEN ${rank} * ${WEIGHT_TOTAL} < ${cumulative}::BIGINT * ${total} THEN ${quote(w.value)}`);
  });
  const last = weights[weights.length - 1];
  if (!last) throw new Error('quotaCase needs at least one value');
  return `CASE ${branches.join(' ')} ELSE ${quote(last.value)} END`;
}

export function memberInsert(p: BucketProfile): string {
  const n = p.members;
  // The smaller of two uniform picks favours the start of the (per-tenant rotated) name
  // list linearly: common names exist without one name swamping the rest.
  const skewedName = (a: string, b: string, list: readonly string[], offset: number) =>
    `${sqlList(list)}[1 + (least(${a}, ${b}) + ${offset}) % ${list.length}]`;
  return `INSERT INTO member
WITH draws AS (
  SELECT i,
    ${uniform('i', p.salt, 1, FIRST_NAMES.length)} AS first_a,
    ${uniform('i', p.salt, 7, FIRST_NAMES.length)} AS first_b,
    ${uniform('i', p.salt, 2, LAST_NAMES.length)} AS last_a,
    ${uniform('i', p.salt, 8, LAST_NAMES.length)} AS last_b,
    ${uniform('i', p.salt, 3, 1_000_000)} AS u_day,
    ${shuffledRank('i', p.salt, 4)} AS r_type,
    ${shuffledRank('i', p.salt, 5)} AS r_status,
    ${shuffledRank('i', p.salt, 6)} AS r_country
  FROM range(${n}) t(i)
), named AS (
  SELECT i,
    ${skewedName('first_a', 'first_b', FIRST_NAMES, p.firstNameOffset)} AS first_name,
    ${skewedName('last_a', 'last_b', LAST_NAMES, p.lastNameOffset)} AS last_name,
    ${quotaCase('r_type', String(n), p.membershipTypes)} AS membership_type,
    ${quotaCase('r_status', String(n), p.memberStatuses)} AS status,
    ${quotaCase('r_country', String(n), p.countries)} AS country,
    -- Join dates rise with the id and grow denser toward today, as a growing club's do.
    least(${JOIN_DAYS - 1}, CAST(floor(${JOIN_DAYS} * sqrt((i + u_day / 1000000.0::DOUBLE) / ${n}.0::DOUBLE)) AS INTEGER)) AS join_day
  FROM draws
)
SELECT i + 1,
  first_name,
  last_name,
  lower(replace(first_name, ' ', '')) || '.' || lower(replace(last_name, ' ', '')) || (i + 1) || '@example.org',
  membership_type,
  status,
  country,
  ${JOIN_START} + join_day
FROM named
ORDER BY i`;
}

/**
 * Payments go to members in proportion to how long they could pay (since joining, or
 * since 2022 for older members), via an ASOF join on cumulative weights, and never
 * before the member joined. Ids follow payment time, as an append-only ledger's do.
 */
export function paymentInsert(p: BucketProfile): string {
  const n = p.payments;
  return `INSERT INTO payment
WITH spans AS (
  SELECT id,
    greatest(CAST(joined_at AS TIMESTAMP), ${PAY_START}) AS start_at,
    30 + date_diff('day', greatest(joined_at, DATE '2022-01-01'), DATE '2025-06-30') AS weight
  FROM member
), cumulative AS (
  SELECT id, start_at, sum(weight) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) - weight AS cum_start
  FROM spans
), total AS (
  SELECT sum(weight)::BIGINT AS w FROM spans
), draws AS (
  SELECT i,
    (hash(i, ${p.salt}, 21) % (SELECT w FROM total))::BIGINT AS x,
    ${uniform('i', p.salt, 22, 10_000)} AS u_amount,
    ${uniform('i', p.salt, 23, 1_000_000_007)} AS u_time,
    ${shuffledRank('i', p.salt, 24)} AS r_currency,
    ${shuffledRank('i', p.salt, 25)} AS r_status
  FROM range(${n}) t(i)
), placed AS (
  SELECT d.*, c.id AS member_id,
    c.start_at + to_seconds(d.u_time % (date_diff('second', c.start_at, ${PAY_END}) + 1)) AS paid_at
  FROM draws d ASOF JOIN cumulative c ON d.x >= c.cum_start
)
SELECT row_number() OVER (ORDER BY paid_at, member_id, i),
  member_id,
  -- Cubing a uniform makes small fees common and large ones rare: 5.00 .. 499.85.
  CAST((500 + 49500 * u_amount * u_amount * u_amount // 1000000000000) / 100.0 AS DECIMAL(10,2)),
  ${quotaCase('r_currency', String(n), p.currencies)},
  ${quotaCase('r_status', String(n), p.paymentStatuses)},
  paid_at
FROM placed
ORDER BY 1`;
}

export function eventInsert(p: BucketProfile): string {
  const n = p.events;
  return `INSERT INTO event
WITH draws AS (
  SELECT i,
    ${uniform('i', p.salt, 31, EVENT_DAYS)} AS day,
    ${uniform('i', p.salt, 32, 12)} AS hour,
    ${uniform('i', p.salt, 33, 2)} AS half,
    ${uniform('i', p.salt, 34, 10_000)} AS u_cap,
    ${shuffledRank('i', p.salt, 35)} AS r_category
  FROM range(${n}) t(i)
), shaped AS (
  SELECT i, u_cap,
    ${quotaCase('r_category', String(n), p.eventCategories)} AS category,
    ${PAY_START} + to_days(CAST(day AS INTEGER)) + to_hours(CAST(9 + hour AS INTEGER)) + to_minutes(CAST(30 * half AS INTEGER)) AS starts_at
  FROM draws
), sized AS (
  SELECT *,
    -- Conferences are big and meetups small; squaring keeps large rooms rare.
    CASE category
      WHEN 'conference' THEN 150 + 840 * u_cap * u_cap // 100000000
      WHEN 'social' THEN 20 + 380 * u_cap * u_cap // 100000000
      WHEN 'meetup' THEN 15 + 185 * u_cap * u_cap // 100000000
      ELSE 10 + 70 * u_cap * u_cap // 100000000
    END AS raw_capacity,
    CASE WHEN month(starts_at) IN (12, 1, 2) THEN 'Winter'
         WHEN month(starts_at) IN (3, 4, 5) THEN 'Spring'
         WHEN month(starts_at) IN (6, 7, 8) THEN 'Summer'
         ELSE 'Autumn' END AS season
  FROM shaped
), ranked AS (
  SELECT *, row_number() OVER (ORDER BY raw_capacity DESC, i) - 1 AS r_capacity FROM sized
), capped AS (
  -- "Top N by capacity" must have one answer: the largest rooms are nudged up by a few
  -- seats until each is strictly larger than the next and than every other room.
  -- Raw sizes stop below 990, so the nudged ones stay within 1000.
  SELECT *,
    CASE WHEN r_capacity < ${DISTINCT_TOP_CAPACITIES}
      THEN max(CASE WHEN r_capacity <= ${DISTINCT_TOP_CAPACITIES} THEN raw_capacity + r_capacity END)
             OVER (ORDER BY r_capacity ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) - r_capacity
      ELSE raw_capacity END AS capacity
  FROM ranked
)
SELECT row_number() OVER (ORDER BY starts_at, i),
  season || ' ' || upper(category[1]) || category[2:] || ' #' || row_number() OVER (PARTITION BY category ORDER BY starts_at, i),
  category,
  starts_at,
  capacity
FROM capped
ORDER BY 1`;
}

/**
 * Each event draws a number of picks proportional to its capacity; picks favour some
 * members (the smaller of two uniform ranks, scattered over ids by a prime) so there
 * are regulars, duplicates collapse, and nobody attends before joining.
 */
export function attendanceInsert(p: BucketProfile): string {
  const m = p.members;
  return `INSERT INTO attendance
WITH planned AS (
  SELECT id, starts_at, 3 + capacity * (10 + ${uniform('id', p.salt, 41, 51)}) // 100 AS picks
  FROM event
), picks AS (
  SELECT id AS event_id, starts_at, unnest(range(picks)) AS j FROM planned
), chosen AS (
  SELECT DISTINCT event_id, starts_at,
    1 + (least(${uniform('event_id, j', p.salt, 42, m)}, ${uniform('event_id, j', p.salt, 43, m)}) * ${SCATTER_PRIME} + ${p.salt % m}) % ${m} AS member_id
  FROM picks
)
SELECT c.event_id, c.member_id, ${uniform('c.event_id, c.member_id', p.salt, 44, 100)} < ${p.checkedInPercent}
FROM chosen c JOIN member mb ON mb.id = c.member_id
WHERE mb.joined_at <= CAST(c.starts_at AS DATE)
ORDER BY c.event_id, c.member_id`;
}
