import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { isValidBucketId } from '@flock/schema';

/**
 * Where each bucket's warehouse lives: a folder of `{bucket}.duckdb` files
 * (DirectoryTenantCatalog), plus any buckets hosted on MotherDuck
 * (CompositeTenantCatalog).
 */
export interface TenantCatalog {
  /** Whether the bucket has a warehouse. Invalid ids never exist. */
  exists(bucket: string): Promise<boolean>;
  /** Every bucket with a warehouse, sorted. */
  list(): Promise<string[]>;
  /**
   * The local database file of a bucket. Throws on an invalid id, so no caller can
   * escape the folder, and HostedBucketError for a bucket hosted on MotherDuck, which
   * has no file to open.
   */
  locate(bucket: string): string;
}

const SUFFIX = '.duckdb';

export class DirectoryTenantCatalog implements TenantCatalog {
  private readonly root: string;

  constructor(dir: string) {
    this.root = path.resolve(dir);
  }

  locate(bucket: string): string {
    if (!isValidBucketId(bucket)) throw new Error(`Invalid bucket id: ${JSON.stringify(bucket)}`);
    const file = path.join(this.root, `${bucket}${SUFFIX}`);
    // Belt and braces: the id pattern already rules out separators and dots.
    if (path.dirname(file) !== this.root) throw new Error(`Bucket path escapes the warehouse folder: ${bucket}`);
    return file;
  }

  async exists(bucket: string): Promise<boolean> {
    if (!isValidBucketId(bucket)) return false;
    try {
      // Synchronous on purpose: a metadata call of microseconds on a local disk, where a
      // trip through libuv's thread pool costs ten times that in CPU, on every request.
      return statSync(this.locate(bucket)).isFile();
    } catch {
      return false;
    }
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((name) => name.endsWith(SUFFIX))
      .map((name) => name.slice(0, -SUFFIX.length))
      .filter(isValidBucketId)
      .sort();
  }
}

/** A bucket hosted on MotherDuck was asked for its local file; only MotherDuckWarehouse may serve it. */
export class HostedBucketError extends Error {
  constructor(readonly bucket: string) {
    super(`Bucket '${bucket}' is hosted on MotherDuck and has no local database file.`);
    this.name = 'HostedBucketError';
  }
}

/**
 * The folder's buckets plus those hosted on MotherDuck (the keys of
 * FLOCK_MOTHERDUCK_DATABASES). A hosted bucket's data lives only on MotherDuck: a
 * local file of the same name is ignored, and locate() refuses it, so no code path
 * can quietly answer a hosted tenant from a stale or unrelated file. A hosted bucket
 * exists because the operator listed it; whether its database is really there is
 * learnt on the first query, as MotherDuck is not asked on every request.
 */
export class CompositeTenantCatalog implements TenantCatalog {
  private readonly hosted: ReadonlySet<string>;

  /** @param hosted Buckets hosted on MotherDuck; ids that are not valid bucket ids are ignored. */
  constructor(
    private readonly local: TenantCatalog,
    hosted: Iterable<string>,
  ) {
    this.hosted = new Set([...hosted].filter(isValidBucketId));
  }

  isHosted(bucket: string): boolean {
    return this.hosted.has(bucket);
  }

  locate(bucket: string): string {
    if (this.isHosted(bucket)) throw new HostedBucketError(bucket);
    return this.local.locate(bucket);
  }

  async exists(bucket: string): Promise<boolean> {
    return this.isHosted(bucket) || this.local.exists(bucket);
  }

  async list(): Promise<string[]> {
    return [...new Set([...(await this.local.list()), ...this.hosted])].sort();
  }
}
