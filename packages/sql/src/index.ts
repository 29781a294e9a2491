export * from './schema-context';
export * from './generator';
export { BuiltinSqlGenerator } from './builtin/builtin-generator';
/** WordNet as the built-in engine loads it, for measuring its start-up and lookup cost. */
export { wordnet } from './builtin/language/wordnet';
export { quoteIdent, quoteLiteral } from './sql-text';
export { OpenAiSqlGenerator, type OpenAiSqlGeneratorOptions } from './openai/openai-generator';
export { MotherDuckSqlGenerator, type MotherDuckSqlGeneratorOptions } from './motherduck/motherduck-generator';
export { MotherDuckTokenConnector, type MotherDuckConnector } from './motherduck/motherduck-connector';
export { MotherDuckSessionError, withMotherDuckDatabase, type MotherDuckStage } from './motherduck/motherduck-session';
export { motherDuckDatabase, promptSqlStatement, useDatabaseSql, type BoundStatement } from './motherduck/prompt-sql-statement';
export { generateAndRun, type CorrectedRun } from './correction';
