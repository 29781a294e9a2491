export * from './logger';
export * from './shutdown';
export * from './destination';
export * from './repeated-errors';
