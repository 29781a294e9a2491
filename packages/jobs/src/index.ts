export * from './catalog';
export * from './job-record';
export * from './job-store';
export * from './queues';
