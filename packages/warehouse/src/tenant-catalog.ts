import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isValidBucketId } from './bucket-id';

/**
 * Where each bucket's warehouse lives. The embedded default is a folder of
 * `{bucket}.duckdb` files; MotherDuck plugs in behind the same interface later.
 */
export interface TenantCatalog {
  /** Whether the bucket has a warehouse. Invalid ids never exist. */
  exists(bucket: string): Promise<boolean>;
  /** Every bucket with a warehouse, sorted. */
  list(): Promise<string[]>;
  /** The database path for a bucket. Throws on an invalid id, so no caller can escape the folder. */
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
      return (await fs.stat(this.locate(bucket))).isFile();
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
