import type { FlockConfig, SqlGeneratorKind } from '@flock/config';
import { MotherDuckTokenConnector } from '@flock/motherduck';
import { BuiltinSqlGenerator, MotherDuckSqlGenerator, OpenAiSqlGenerator, SqlGeneratorRouter, type SqlGenerator } from '@flock/sql';

type GeneratorConfig = Pick<FlockConfig, 'sqlGenerator' | 'sqlGeneratorByBucket' | 'llm' | 'motherduck'>;

/** The engines named by FLOCK_SQL_GENERATOR and FLOCK_SQL_GENERATOR_BY_BUCKET, one instance per kind. */
export function createSqlGenerators(config: GeneratorConfig): SqlGeneratorRouter {
  const instances = new Map<SqlGeneratorKind, SqlGenerator>();
  const instance = (kind: SqlGeneratorKind) => {
    let generator = instances.get(kind);
    if (!generator) {
      generator = createSqlGenerator(kind, config);
      instances.set(kind, generator);
    }
    return generator;
  };
  const overrides = new Map(Object.entries(config.sqlGeneratorByBucket).map(([bucket, kind]) => [bucket, instance(kind)]));
  return new SqlGeneratorRouter(instance(config.sqlGenerator), overrides);
}

function createSqlGenerator(kind: SqlGeneratorKind, config: GeneratorConfig): SqlGenerator {
  switch (kind) {
    case 'builtin':
      return new BuiltinSqlGenerator();
    case 'openai':
      // Config validation requires FLOCK_LLM_BASE_URL and FLOCK_LLM_MODEL whenever openai is named; this guards other callers.
      if (!config.llm) throw new Error('The openai generator needs FLOCK_LLM_BASE_URL and FLOCK_LLM_MODEL');
      return new OpenAiSqlGenerator(config.llm);
    case 'motherduck':
      // Config validation requires MOTHERDUCK_TOKEN whenever motherduck is named; this guards other callers.
      if (!config.motherduck) throw new Error('The motherduck generator needs MOTHERDUCK_TOKEN');
      return new MotherDuckSqlGenerator({
        connector: new MotherDuckTokenConnector(config.motherduck.token),
        databases: config.motherduck.databases,
      });
  }
}
