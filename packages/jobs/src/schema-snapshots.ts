import type { Redis } from 'ioredis';
import type { SchemaContext, TableInfo } from '@flock/schema';
import { schemaClaimKey, schemaContextKey, schemaSnapshotKey } from './ids';

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
    private readonly redis: Redis,
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

/** A stored schema is kept this long unused; a changed file replaces it at once. */
const SCHEMA_CONTEXT_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a worker may take to read a schema before another may read it instead. */
const SCHEMA_CLAIM_MS = 60_000;

/**
 * Each bucket's full schema, value lists included, shared by the workers (the warehouse's
 * SchemaStore): one worker reads a bucket's file, every other loads what it stored. One
 * key per bucket, holding the file identity it was read from, so a replaced file is a
 * miss and its new schema overwrites the old. The API never reads these.
 */
export class SchemaContexts {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(bucket: string, fileId: string): Promise<SchemaContext | undefined> {
    const text = await this.redis.get(schemaContextKey(this.prefix, bucket));
    if (text === null) return undefined;
    try {
      const stored = JSON.parse(text) as { fileId?: unknown; schema?: SchemaContext };
      return stored.fileId === fileId && Array.isArray(stored.schema?.tables) ? stored.schema : undefined;
    } catch {
      return undefined; // read afresh rather than trust a value that is not one
    }
  }

  async put(bucket: string, fileId: string, schema: SchemaContext): Promise<void> {
    await this.redis.set(schemaContextKey(this.prefix, bucket), JSON.stringify({ fileId, schema }), 'PX', SCHEMA_CONTEXT_TTL_MS);
  }

  async claim(bucket: string, fileId: string): Promise<boolean> {
    return (await this.redis.set(schemaClaimKey(this.prefix, bucket, fileId), '1', 'PX', SCHEMA_CLAIM_MS, 'NX')) === 'OK';
  }
}
