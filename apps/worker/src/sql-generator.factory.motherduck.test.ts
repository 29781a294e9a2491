import { BuiltinSqlGenerator, MotherDuckSqlGenerator } from '@flock/sql';
import { createSqlGenerators } from './sql-generator.factory';

// Building the engine opens nothing: the md: instance is opened on the first question.
const motherduck = { token: 'md_fake_token_for_factory_test', databases: { acme: 'acme_prod' } };

describe('createSqlGenerators with motherduck', () => {
  it('builds the motherduck engine for the buckets that name it', () => {
    const router = createSqlGenerators({ sqlGenerator: 'builtin', sqlGeneratorByBucket: { acme: 'motherduck' }, motherduck });
    expect(router.forBucket('acme')).toBeInstanceOf(MotherDuckSqlGenerator);
    expect(router.forBucket('acme')).toMatchObject({ name: 'motherduck', maxAttempts: 1 });
    expect(router.forBucket('other')).toBeInstanceOf(BuiltinSqlGenerator);
  });

  it('says what is missing when motherduck is named without a token', () => {
    expect(() => createSqlGenerators({ sqlGenerator: 'motherduck', sqlGeneratorByBucket: {} })).toThrow(
      'The motherduck generator needs MOTHERDUCK_TOKEN',
    );
  });
});
