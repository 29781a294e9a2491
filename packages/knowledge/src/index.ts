export * from './knowledge';
export * from './knowledge-store';
export * from './term-sql';
export * from './definition-check';
