/**
 * What a worker keeps in memory for each bucket it serves, besides its sandbox
 * instance: the bucket's schema (with the values it lists and samples) and what the
 * built-in engine derives from it (its word and value indexes). Reads every bucket of
 * the 177 (or --buckets N) demo warehouses as a worker's prefetch does, and prints the
 * heap each adds per bucket, measured after full garbage collections. The engine's
 * process-wide memos (word stems, word comparisons, each bounded) grow during the
 * reads too, and are counted with its indexes.
 *
 *   pnpm bench:bucket-memory [--buckets 177]
 */
import { loadConfig } from '@flock/config';
import { BuiltinSqlGenerator } from '@flock/sql';
import { createTenantWarehouse } from '@flock/warehouse';
import { bucketsIn, keptWarehouses } from './support';

const at = process.argv.indexOf('--buckets');
const COUNT = at > 0 ? Number(process.argv[at + 1]) : 177;
if (!Number.isInteger(COUNT) || COUNT < 1) throw new Error('--buckets takes a whole number of buckets, 1 or more');

function heapKb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (pnpm bench:bucket-memory does)');
  gc();
  gc();
  const usage = process.memoryUsage();
  // Typed arrays live outside the JavaScript heap: counted too.
  return (usage.heapUsed + usage.arrayBuffers) / 1024;
}

async function main(): Promise<void> {
  const dir = await keptWarehouses(COUNT);
  const warehouse = createTenantWarehouse(loadConfig({ ...process.env, FLOCK_WAREHOUSE_DIR: dir, FLOCK_POOL_MAX_IDLE: '0' }));
  const engine = new BuiltinSqlGenerator();
  // What the engine loads once per process (WordNet's index), before anything is counted.
  engine.prepare({ tables: [] });
  const buckets = bucketsIn(dir);
  const before = heapKb();
  const schemas = [];
  for (const bucket of buckets) schemas.push(await warehouse.schema(bucket));
  const read = heapKb();
  for (const schema of schemas) engine.prepare(schema);
  const prepared = heapKb();
  warehouse.close();
  const per = (kb: number) => `${(kb / buckets.length).toFixed(0)} kB`;
  console.log(`${buckets.length} demo buckets, heap per bucket:`);
  console.log(`  schema (tables, listed and sampled values): ${per(read - before)}`);
  console.log(`  built-in engine's indexes:                 ${per(prepared - read)}`);
  console.log(`  together:                                  ${per(prepared - before)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
