import { quoteIdent } from '@flock/schema';

/**
 * The MotherDuck database that holds a bucket's data: the one mapped to it in
 * FLOCK_MOTHERDUCK_DATABASES, else the database of the bucket's own name.
 */
export function motherDuckDatabase(bucket: string, databases: Readonly<Record<string, string>> = {}): string {
  // Own keys only: bucket ids such as `constructor` would otherwise find Object's own properties.
  return Object.hasOwn(databases, bucket) ? databases[bucket]! : bucket;
}

/**
 * `USE` takes an identifier, which cannot be a bound parameter, so the name is quoted.
 * Bucket ids may hold `-` or start with a digit, and a mapped name may be a keyword.
 */
export function useDatabaseSql(database: string): string {
  return `USE ${quoteIdent(database)}`;
}
