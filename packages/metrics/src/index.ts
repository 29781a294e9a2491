export * from './operations-server';
export * from './queue-depth';
export * from './registry';
