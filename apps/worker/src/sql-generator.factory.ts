import type { FlockConfig } from '@flock/config';
import { BuiltinSqlGenerator, type SqlGenerator } from '@flock/sql';

/** The engine named by FLOCK_SQL_GENERATOR. */
export function createSqlGenerator(config: Pick<FlockConfig, 'sqlGenerator'>): SqlGenerator {
  switch (config.sqlGenerator) {
    case 'builtin':
      return new BuiltinSqlGenerator();
  }
}
