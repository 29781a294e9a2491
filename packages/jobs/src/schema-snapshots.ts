import type { FlockRedis } from './redis-client';
import type { TableInfo } from '@flock/schema';
import { schemaSnapshotKey } from './ids';

export interface SchemaSnapshotOptions {
  prefix: string;
  /** How long a snapshot is served before a worker reads the schema again. */
  ttlMs: number;
}

/**
 * The tables of each bucket as a worker last read them, for the API's `/tables`
 * endpoints: the API never opens a warehouse, so it serves these and asks a worker
 * (a `schema` job) only when a bucket has none. Value lists are left out: they are the
 * engines' business, and can be large.
 */
export class SchemaSnapshots {
  constructor(
    private readonly redis: FlockRedis,
    private readonly options: SchemaSnapshotOptions,
  ) {}

  async get(bucket: string): Promise<TableInfo[] | undefined> {
    const text = await this.redis.get(schemaSnapshotKey(this.options.prefix, bucket));
    if (text === null) return undefined;
    try {
      const tables: unknown = JSON.parse(text);
      return Array.isArray(tables) ? (tables as TableInfo[]) : undefined;
    } catch {
      return undefined; // read afresh rather than serve a snapshot that is not one
    }
  }

  /** Keeps the bucket's tables, less their value lists, and returns what it kept. */
  async put(bucket: string, tables: readonly TableInfo[]): Promise<TableInfo[]> {
    const stripped = tables.map((table) => ({
      ...table,
      columns: table.columns.map(({ name, type, kind, nullable }) => ({ name, type, kind, nullable })),
    }));
    await this.redis.set(schemaSnapshotKey(this.options.prefix, bucket), JSON.stringify(stripped), 'PX', this.options.ttlMs);
    return stripped;
  }
}
