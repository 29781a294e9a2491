import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeDuckDb } from './duckdb-files';
import { demoWarehouseDir } from './fixtures';

/** The buckets of the shared demo warehouses, sorted. Integration tests only. */
export async function demoBuckets(): Promise<string[]> {
  const files = await fs.readdir(demoWarehouseDir());
  return files
    .filter((name) => name.endsWith('.duckdb'))
    .map((name) => name.slice(0, -'.duckdb'.length))
    .sort();
}

/** What a test's own warehouse folder holds, by bucket id. */
export interface WarehouseDirContents {
  /** Buckets made by running SQL in a new DuckDB file. */
  sql?: Record<string, string>;
  /** Buckets copied from the shared demo warehouses: bucket id → demo bucket. Integration tests only. */
  demo?: Record<string, string>;
  /** Buckets whose file is not a DuckDB database at all. */
  broken?: string[];
}

/** A warehouse folder of a test's own under the system temp folder, so the shared demo set stays untouched. */
export class TempWarehouseDir {
  private constructor(readonly dir: string) {}

  /** `label` starts the folder's name, so a folder left behind says which test made it. */
  static async create(label: string, contents: WarehouseDirContents = {}): Promise<TempWarehouseDir> {
    const warehouses = new TempWarehouseDir(await fs.mkdtemp(path.join(os.tmpdir(), `flock-${label}-`)));
    await warehouses.add(contents);
    return warehouses;
  }

  /** The DuckDB file of `bucket`, whether or not it exists yet. */
  file(bucket: string): string {
    return path.join(this.dir, `${bucket}.duckdb`);
  }

  async add({ sql = {}, demo = {}, broken = [] }: WarehouseDirContents): Promise<void> {
    for (const [bucket, statements] of Object.entries(sql)) await writeDuckDb(this.file(bucket), statements);
    await Promise.all(
      Object.entries(demo).map(([bucket, from]) => fs.copyFile(path.join(demoWarehouseDir(), `${from}.duckdb`), this.file(bucket))),
    );
    await Promise.all(
      broken.map((bucket) => fs.writeFile(this.file(bucket), 'this is not a DuckDB database, and never was\n'.repeat(200))),
    );
  }

  remove(): Promise<void> {
    return fs.rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * A warehouse folder for the enclosing describe block (or file): made before its first
 * test, removed after its last. `contents` may be worked out then, e.g. from the demo set.
 * Read `dir` and `file()` only from hooks and tests, once the folder exists. Jest runs
 * afterAll hooks in the order they are declared, so a warehouse closed by a later hook
 * closes after the folder is gone; its files are read-only and stay readable until then.
 */
export function useTempWarehouseDir(
  label: string,
  contents: WarehouseDirContents | (() => WarehouseDirContents | Promise<WarehouseDirContents>) = {},
): Pick<TempWarehouseDir, 'dir' | 'file' | 'add'> {
  let made: TempWarehouseDir | undefined;
  const current = () => {
    if (!made) throw new Error(`the ${label} warehouse folder is made in beforeAll; use it from a hook or a test`);
    return made;
  };
  beforeAll(async () => {
    made = await TempWarehouseDir.create(label, typeof contents === 'function' ? await contents() : contents);
  });
  afterAll(() => made?.remove());
  return {
    get dir() {
      return current().dir;
    },
    file: (bucket) => current().file(bucket),
    add: (more) => current().add(more),
  };
}
