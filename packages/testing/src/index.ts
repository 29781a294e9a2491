export * from './fixtures';
export * from './processes';
export * from './reference';
export * from './motherduck-stand-in';
export * from './redis-contents';
export * from './duckdb-files';
export * from './chat-completions-stand-in';
export * from './rejections';
