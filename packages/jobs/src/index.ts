export * from './catalog';
export * from './ids';
export * from './job-record';
export * from './job-store';
export * from './queues';
export * from './schema-snapshots';
export * from './submit';
export * from './tenant-slots';
