import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { isValidBucketId } from '@flock/schema';
import { bucketNames } from './bucket-names';
import { bucketProfile } from './bucket-profile';
import { ATTENDANCE_DDL, attendanceInsert, EVENT_DDL, eventInsert, MEMBER_DDL, memberInsert, PAYMENT_DDL, paymentInsert } from './demo-sql';

export interface DemoOptions {
  /** Folder that receives one <bucket>.duckdb per bucket. */
  dir: string;
  /** Number of buckets; default 177 as in the original deployment. */
  count?: number;
  /** Seed for all randomness; default 42. */
  seed?: number;
  /** Recreate files that already exist. Default false. */
  force?: boolean;
  /** Parallel writers; default 2 (the machine has 2 cores). */
  concurrency?: number;
  /** Called after each bucket, for progress output. */
  onBucket?: (bucket: string, created: boolean) => void;
}

export interface DemoSummary {
  created: string[];
  existing: string[];
  buckets: string[];
}

export const DEFAULT_BUCKET_COUNT = 177;
export const DEFAULT_SEED = 42;
const DEFAULT_CONCURRENCY = 2;
/**
 * With DuckDB's default 256 KiB blocks every table, column group and key index claims
 * whole blocks, which dominates the size of the many small buckets; large buckets
 * compress better in bigger blocks. Measured on the 177 default buckets, this split
 * takes the folder from 582 MB to 218 MB. DuckDB reads the block size from the file header, so
 * readers need no setting.
 */
function blockSizeFor(members: number): string {
  return members < 5_000 ? '16384' : '65536';
}

/** Distinguishes temp files of concurrent writes of the same bucket within one process. */
let tempSequence = 0;

export function warehousePath(dir: string, bucket: string): string {
  return path.join(dir, `${bucket}.duckdb`);
}

function removeIfPresent(file: string): void {
  fs.rmSync(file, { force: true });
}

/**
 * Writes one bucket's warehouse, replacing any existing file. The database is built
 * under a hidden temp name in the same folder, checkpointed and closed, then renamed
 * over the target: rename is atomic within a filesystem, so readers see either the
 * old warehouse or the complete new one, never a half-written file.
 */
export async function createDemoWarehouse(dir: string, bucket: string, seed = DEFAULT_SEED): Promise<void> {
  if (!isValidBucketId(bucket)) throw new Error(`Invalid bucket name: ${JSON.stringify(bucket)}`);
  fs.mkdirSync(dir, { recursive: true });
  const target = warehousePath(dir, bucket);
  const temp = path.join(dir, `.${bucket}.duckdb.tmp-${process.pid}-${++tempSequence}`);
  removeIfPresent(temp);
  removeIfPresent(`${temp}.wal`);

  const profile = bucketProfile(bucket, seed);
  try {
    // One thread: physical row order then follows the INSERT's ORDER BY exactly, so even
    // queries without ORDER BY return identical answers; parallelism comes from writing
    // several buckets at once instead.
    const instance = await DuckDBInstance.create(temp, { threads: '1', default_block_size: blockSizeFor(profile.members) });
    try {
      const connection = await instance.connect();
      try {
        await connection.run(MEMBER_DDL);
        await connection.run(PAYMENT_DDL);
        await connection.run(memberInsert(profile));
        await connection.run(paymentInsert(profile));
        if (profile.hasEvents) {
          await connection.run(EVENT_DDL);
          await connection.run(ATTENDANCE_DDL);
          await connection.run(eventInsert(profile));
          await connection.run(attendanceInsert(profile));
        }
        await connection.run('CHECKPOINT');
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
    // A WAL left by an earlier crashed writer would be replayed onto the new file.
    removeIfPresent(`${target}.wal`);
    fs.renameSync(temp, target);
  } finally {
    removeIfPresent(temp);
    removeIfPresent(`${temp}.wal`);
  }
}

/**
 * Creates the first `count` demo buckets in `dir`, skipping files that already exist
 * unless `force` is set, so calling it on every start is cheap once the data is there.
 */
export async function createDemoWarehouses(options: DemoOptions): Promise<DemoSummary> {
  const count = options.count ?? DEFAULT_BUCKET_COUNT;
  const seed = options.seed ?? DEFAULT_SEED;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive whole number, got ${count}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be a whole number, got ${seed}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive whole number, got ${concurrency}`);
  }

  fs.mkdirSync(options.dir, { recursive: true });
  const buckets = bucketNames(count, seed);
  const createdSet = new Set<string>();
  let next = 0;
  let failure: unknown;

  const worker = async (): Promise<void> => {
    while (failure === undefined && next < buckets.length) {
      const bucket = buckets[next++] as string;
      try {
        const create = options.force || !fs.existsSync(warehousePath(options.dir, bucket));
        if (create) {
          await createDemoWarehouse(options.dir, bucket, seed);
          createdSet.add(bucket);
        }
        options.onBucket?.(bucket, create);
      } catch (error) {
        // Stop handing out work but let the other writer finish its bucket, so no
        // temp file is abandoned mid-write when the error surfaces.
        failure ??= error;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, buckets.length) }, worker));
  if (failure !== undefined) throw failure;

  // Reported in bucket order, whatever order the writers finished in.
  return {
    created: buckets.filter((b) => createdSet.has(b)),
    existing: buckets.filter((b) => !createdSet.has(b)),
    buckets,
  };
}
