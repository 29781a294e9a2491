export { bucketNames } from './bucket-names';
export { hasEventTables, bucketProfile, type BucketProfile, type Weighted } from './bucket-profile';
export {
  createDemoWarehouse,
  createDemoWarehouses,
  warehousePath,
  DEFAULT_BUCKET_COUNT,
  DEFAULT_SEED,
  type DemoOptions,
  type DemoSummary,
} from './demo-warehouse';
