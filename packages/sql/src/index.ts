export * from './schema-context';
export * from './generator';
export { BuiltinSqlGenerator } from './builtin/builtin-generator';
export { quoteIdent, quoteLiteral } from './sql-text';
export { OpenAiSqlGenerator, type OpenAiSqlGeneratorOptions } from './openai/openai-generator';
export { MotherDuckSqlGenerator, type MotherDuckSqlGeneratorOptions } from './motherduck/motherduck-generator';
export { MotherDuckTokenConnector, type MotherDuckConnector } from './motherduck/motherduck-connector';
export { MotherDuckSessionError, withMotherDuckDatabase, type MotherDuckStage } from './motherduck/motherduck-session';
export { motherDuckDatabase, promptSqlStatement, useDatabaseSql, type BoundStatement } from './motherduck/prompt-sql-statement';
