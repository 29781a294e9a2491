export * from './fixtures';
export * from './processes';
export * from './reference';
