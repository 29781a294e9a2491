export * from './fixtures';
export * from './processes';
