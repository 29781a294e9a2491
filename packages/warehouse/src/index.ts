// The public face of the storage adapter. The pool, the result encoder, the validators'
// internals and the MotherDuck adapter are deliberately not exported: callers reach
// tenants only through a TenantWarehouse, so every query passes the same checks.
export {
  createTenantCatalog,
  createTenantWarehouse,
  RoutingWarehouse,
  type MotherDuckSettings,
  type TenantWarehouseOptions,
  type TenantWarehouseSettings,
} from './routing-warehouse';
export {
  createWarehouse,
  sandboxLimitsOf,
  Warehouse,
  type PrefetchOutcome,
  type QueryLimits,
  type QueryOptions,
  type QueryResult,
  type StuckQueryPolicy,
  type SchemaRead,
  type TenantWarehouse,
  type WarehouseOptions,
  type WarehouseSettings,
} from './warehouse';
export { CompositeTenantCatalog, DirectoryTenantCatalog, HostedBucketError, type TenantCatalog } from './tenant-catalog';
export { FanOutRunner, type BucketOutcome, type ChunkQuery, type FanOutOptions, type HostedBuckets } from './fan-out';
export { StandaloneSqlValidator } from './standalone-validator';
export { QueryOverrunError } from './warehouse';
export type { PoolStats } from './instance-pool';
export { CappedRows, jsonBytes, type RowCaps } from './row-caps';
