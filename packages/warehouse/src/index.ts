export * from './bucket-id';
export * from './tenant-catalog';
export * from './instance-pool';
export * from './result-encoder';
export * from './sql-validator';
export * from './schema-reader';
export * from './warehouse';
