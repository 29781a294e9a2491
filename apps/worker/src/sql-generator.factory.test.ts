import { BuiltinSqlGenerator, OpenAiSqlGenerator } from '@flock/sql';
import { createSqlGenerators } from './sql-generator.factory';

const llm = {
  baseUrl: 'http://127.0.0.1:9/v1',
  model: 'some-model',
  timeoutMs: 30_000,
  attempts: 4,
  maxSchemaChars: 12_000,
  sendValues: true,
};

describe('createSqlGenerators', () => {
  it('builds the openai engine from the LLM settings, with their attempts', () => {
    const router = createSqlGenerators({ sqlGenerator: 'openai', sqlGeneratorByBucket: { jec: 'builtin' }, llm });
    const engine = router.forBucket('example');
    expect(engine).toBeInstanceOf(OpenAiSqlGenerator);
    expect(engine).toMatchObject({ name: 'openai', maxAttempts: 4 });
    expect(router.forBucket('jec')).toBeInstanceOf(BuiltinSqlGenerator);
  });

  it('shares one openai instance between the default and bucket overrides', () => {
    const router = createSqlGenerators({ sqlGenerator: 'builtin', sqlGeneratorByBucket: { a: 'openai', b: 'openai' }, llm });
    expect(router.forBucket('a')).toBe(router.forBucket('b'));
    expect(router.engines()).toHaveLength(2);
  });

  it('says what is missing when openai is named without LLM settings', () => {
    expect(() => createSqlGenerators({ sqlGenerator: 'openai', sqlGeneratorByBucket: {} })).toThrow(
      'The openai generator needs FLOCK_LLM_BASE_URL and FLOCK_LLM_MODEL',
    );
  });
});
