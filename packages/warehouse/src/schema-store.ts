import type { SchemaContext } from '@flock/schema';

/**
 * Schemas shared between worker processes, keyed by bucket and file identity: reading
 * one (row counts, value lists) costs tens of milliseconds of a tenant's file, and every
 * worker would otherwise pay it again for every bucket it has not served. A store that
 * fails is only a miss: the worker reads the file itself.
 */
export interface SchemaStore {
  /** The bucket's schema as read from this version of its file, if one was stored. */
  get(bucket: string, fileId: string): Promise<SchemaContext | undefined>;
  put(bucket: string, fileId: string, schema: SchemaContext): Promise<void>;
  /** Claims the reading of this version for a while: false when another process is reading it. */
  claim(bucket: string, fileId: string): Promise<boolean>;
}

/** What a prefetch did, for the worker's log. */
export interface PrefetchOutcome {
  /** Schemas read from their files by this process. */
  read: number;
  /** Schemas another process had already stored. */
  shared: number;
  /** Buckets left to the process that claimed them, or that failed to read. */
  skipped: number;
}
