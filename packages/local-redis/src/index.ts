export * from './local-redis';
export * from './local-cluster';
