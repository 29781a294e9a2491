export * from './generator';
export { BuiltinSqlGenerator } from './builtin/builtin-generator';
/** WordNet as the built-in engine loads it, for measuring its start-up and lookup cost. */
export { wordnet } from './builtin/language/wordnet';
export { OpenAiSqlGenerator, type OpenAiSqlGeneratorOptions } from './openai/openai-generator';
export { MotherDuckSqlGenerator, type MotherDuckSqlGeneratorOptions } from './motherduck/motherduck-generator';
export { promptSqlStatement, type BoundStatement } from './motherduck/prompt-sql-statement';
export { generateAndRun, type CorrectedRun } from './correction';
export { resolveFollowUp, type FollowUpChange, type ResolvedFollowUp } from './follow-up';
