import { DuckDBInstance } from '@duckdb/node-api';
import { ValidationFailedError } from '@flock/errors';
import { rejectionOf } from '@flock/testing';
import { assertTenantSelect } from './table-only-guard';

describe('assertTenantSelect', () => {
  it('parses a text once: SQL that passed passes again without DuckDB, refused SQL is checked and refused every time', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const passing = `SELECT ${Date.now()} AS n`;
    const refused = 'SELECT * FROM duckdb_settings()';
    await assertTenantSelect(connection, passing);
    await rejectionOf(assertTenantSelect(connection, refused), ValidationFailedError);
    connection.closeSync();
    instance.closeSync();
    // With its connection closed, only a remembered verdict can answer.
    await expect(assertTenantSelect(connection, passing)).resolves.toBeUndefined();
    await expect(assertTenantSelect(connection, refused)).rejects.not.toBeInstanceOf(ValidationFailedError);
    await expect(assertTenantSelect(connection, `${passing} `)).rejects.toThrow();
  });
});
