import {
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  doubleFromDecimalValue,
  createDuckDBValueConverter,
  type DuckDBValue,
  type DuckDBType,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';

/**
 * Rows leave Flock as JSON-native values: integers stay numbers while a double holds
 * them exactly (the seed shows `["Standard", 450]`, not `"450"`), DECIMAL becomes a
 * number, temporal values become ISO-8601 strings. DuckDB's stock JSON converter keeps
 * BIGINT and DECIMAL as strings and prints timestamps with a space, hence this table.
 */
function exactIntegerOrString(value: DuckDBValue): number | string {
  const big = value as bigint;
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big.toString();
}

function finiteNumberOrNull(value: DuckDBValue): number | null {
  const n = value as number;
  // JSON has no NaN or Infinity; null is the honest encoding of "not a number".
  return Number.isFinite(n) ? n : null;
}

function isoTimestamp(value: DuckDBValue): string {
  // DuckDB prints `2024-01-02 10:11:12.5` (and `+00` for TIMESTAMPTZ); ISO-8601 wants a T
  // separator and a full `+00:00` offset.
  return String(value)
    .replace(' ', 'T')
    .replace(/([+-]\d{2})$/, '$1:00');
}

const base = JsonDuckDBValueConverter;
const overrides: Partial<Record<DuckDBTypeId, DuckDBValueConverter<Json>>> = {
  [DuckDBTypeId.BIGINT]: exactIntegerOrString,
  [DuckDBTypeId.UBIGINT]: exactIntegerOrString,
  [DuckDBTypeId.HUGEINT]: exactIntegerOrString,
  [DuckDBTypeId.UHUGEINT]: exactIntegerOrString,
  [DuckDBTypeId.DECIMAL]: doubleFromDecimalValue,
  [DuckDBTypeId.FLOAT]: finiteNumberOrNull,
  [DuckDBTypeId.DOUBLE]: finiteNumberOrNull,
  [DuckDBTypeId.TIMESTAMP]: isoTimestamp,
  [DuckDBTypeId.TIMESTAMP_S]: isoTimestamp,
  [DuckDBTypeId.TIMESTAMP_MS]: isoTimestamp,
  [DuckDBTypeId.TIMESTAMP_NS]: isoTimestamp,
  [DuckDBTypeId.TIMESTAMP_TZ]: isoTimestamp,
};

const converters = Object.fromEntries(
  Object.values(DuckDBTypeId)
    .filter((id): id is DuckDBTypeId => typeof id === 'number')
    .map((id) => [
      id,
      overrides[id] ?? ((value: DuckDBValue, type: DuckDBType, self: DuckDBValueConverter<Json>) => base(value, type, self)),
    ]),
) as Record<DuckDBTypeId, DuckDBValueConverter<Json>>;

/** Converts DuckDB values to the JSON-native encoding of the public API. */
export const jsonNativeConverter: DuckDBValueConverter<Json> = createDuckDBValueConverter(converters);

export type JsonValue = Json;
