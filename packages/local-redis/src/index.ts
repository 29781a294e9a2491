export * from './local-redis';
