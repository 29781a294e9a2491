export * from './principal';
export * from './jwt-verifier';
export * from './api-keys';
