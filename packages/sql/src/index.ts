export * from './schema-context';
export * from './generator';
export { BuiltinSqlGenerator } from './builtin/builtin-generator';
export { quoteIdent, quoteLiteral } from './sql-text';
export { OpenAiSqlGenerator, type OpenAiSqlGeneratorOptions } from './openai/openai-generator';
