import type { DuckDBConnection } from '@duckdb/node-api';
import { LRUCache } from 'lru-cache';
import { ValidationFailedError } from '@flock/errors';
import { parseSingleSelect } from './sql-validator';

/** Table functions that make rows out of their arguments alone, touching no file, network or setting. */
const PURE_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest']);

/** Scalar functions that read the process's settings or environment, where the MotherDuck token lives. */
const PROCESS_FUNCTIONS = new Set(['current_setting', 'getenv', 'getvariable']);

/**
 * Postgres-style catalog macros: given an oid, they read any attached database's
 * catalog (`pg_get_constraintdef(oid)` over a range of oids printed a neighbour's
 * constraints in a cross-tenant chunk), so they are refused wherever tables are.
 */
const CATALOG_FUNCTIONS = /^(pg_get_\w+|pg_\w+_is_visible|pg_has_role|has_\w+_privilege|(sh)?obj_description|col_description)$/;

/** Characters a file path or URL has and a table name written by a query engine does not. */
const PATH_LIKE = /[/\\.:]/;

/**
 * Holds SQL to reading one database's own tables, where a sandbox wall alone cannot:
 *
 * - on MotherDuck (below), where the instance has network and file access;
 * - in a cross-tenant chunk, where several tenants' databases are attached to one
 *   instance: `USE` only sets the default, so DuckDB's catalog views and functions
 *   (`duckdb_databases()`, `information_schema.tables`) would list the neighbours and
 *   their files in a row labelled with this bucket. There the database's alias is
 *   random and never known to the SQL, so no qualified name is allowed at all.
 *
 * The local sandbox reads nothing but the tenant's file, because its instance is opened
 * with external access off and configuration locked. An `md:` instance cannot be: it
 * needs the network and the extension. And MotherDuck runs part of a query on the
 * worker itself, so `read_text('/proc/self/environ')` or `FROM '/srv/other.csv'` would
 * read the worker's files and environment, which hold MOTHERDUCK_TOKEN. SQL bound for
 * MotherDuck may therefore read tables only: no table function but the pure ones, no
 * path or URL in FROM (a replacement scan), no access to settings.
 *
 * Nor does `USE` keep tenants apart there: the token reads every database it can see,
 * and a query may name any of them. So the SQL may name only `database`, the bucket's
 * own: a table reference with a catalog must name it, and a two-part one (`x.t`) may
 * say only `main` or the database itself, because DuckDB reads `x.t` as database `x`
 * whenever one exists. DuckDB's own catalog views (`pg_settings`, `duckdb_databases`,
 * `information_schema.tables`, ...) and `SHOW` list every attached database, and
 * `pg_settings` the settings, so they are refused too.
 *
 * Everything is checked on DuckDB's own parse tree, once `parseSingleSelect` has
 * proved it one SELECT (so callers need no separate assertSingleSelect); names are compared case-insensitively, as DuckDB resolves them.
 * The catalog views refused are those of the local DuckDB this runs on: views the
 * motherduck extension adds in a schema of their own (`md_information_schema.x`) are
 * caught by the two-part rule, but any it put on the search path would not be.
 */
export async function assertReadsOnlyTables(
  connection: DuckDBConnection,
  sql: string,
  database: string,
  subject = 'SQL run on MotherDuck',
): Promise<void> {
  // One parse serves both checks: first that it is a single SELECT, then what it reads.
  const tree = await parseSingleSelect(connection, sql);
  const reader = await connection.runAndReadAll('SELECT DISTINCT lower(view_name) FROM duckdb_views() WHERE internal');
  const scope: Scope = { database: database.toLowerCase(), systemViews: new Set(reader.getRowsJS().map((row) => String(row[0]))) };
  const problem = firstProblem(tree, (record) => outsideRead(record, scope));
  if (problem) throw new ValidationFailedError(`${subject} may read only the database's tables: ${problem}.`);
}

/** A cross-tenant chunk's SQL: only unqualified or `main.` tables, no catalog views or table functions. */
export function assertCrossTenantSql(connection: DuckDBConnection, sql: string): Promise<void> {
  // No database name is ever allowed: each bucket's alias is random, so SQL has no business naming one.
  return assertReadsOnlyTables(connection, sql, '', 'A cross-tenant query');
}

interface Scope {
  /** The bucket's own database, lower-cased. */
  database: string;
  /** DuckDB's built-in catalog views, lower-cased. */
  systemViews: ReadonlySet<string>;
}

/** The first problem `check` finds at any node of DuckDB's parse tree, depth first. */
function firstProblem(node: unknown, check: (record: Record<string, unknown>) => string | undefined): string | undefined {
  if (Array.isArray(node)) {
    for (const child of node) {
      const problem = firstProblem(child, check);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const record = node as Record<string, unknown>;
  const problem = check(record);
  if (problem) return problem;
  for (const value of Object.values(record)) {
    const inner = firstProblem(value, check);
    if (inner) return inner;
  }
  return undefined;
}

function outsideRead(record: Record<string, unknown>, scope: Scope): string | undefined {
  if (record.type === 'TABLE_FUNCTION') {
    const name = functionName((record.function as Record<string, unknown> | undefined)?.function_name);
    if (!PURE_TABLE_FUNCTIONS.has(name)) return `the table function ${name}() is not allowed`;
  }
  if (record.type === 'BASE_TABLE') return outsideTable(record, scope);
  // SHOW TABLES, SHOW ALL TABLES, SHOW DATABASES carry no query of their own to check.
  // DESCRIBE and SUMMARIZE do, and it is walked like any other.
  if (record.type === 'SHOW_REF' && !record.query) return 'SHOW lists more than this database';
  if (record.class === 'FUNCTION') {
    const name = functionName(record.function_name);
    if (PROCESS_FUNCTIONS.has(name) || CATALOG_FUNCTIONS.test(name)) return `${name}() is not allowed`;
  }
  return undefined;
}

function outsideTable(table: Record<string, unknown>, scope: Scope): string | undefined {
  const name = typeof table.table_name === 'string' ? table.table_name : '';
  const catalog = typeof table.catalog_name === 'string' ? table.catalog_name : '';
  const schema = typeof table.schema_name === 'string' ? table.schema_name : '';
  if (PATH_LIKE.test(name)) return `'${name}' is a file or URL, not a table`;
  if (catalog !== '') {
    return catalog.toLowerCase() === scope.database ? undefined : `'${catalog}.${schema}.${name}' is in another database`;
  }
  if (schema !== '' && schema.toLowerCase() !== 'main' && schema.toLowerCase() !== scope.database) {
    return `'${schema}.${name}' may be outside this database`;
  }
  // Unqualified and `main.` names fall through to DuckDB's built-in views when the
  // database has no table of that name.
  if (scope.systemViews.has(name.toLowerCase())) return `'${name}' is a DuckDB catalog view, which lists other databases`;
  return undefined;
}

function functionName(name: unknown): string {
  return typeof name === 'string' ? name.toLowerCase() : '';
}

/**
 * What may reveal the server rather than the tenant's data, even inside the local
 * sandbox: its settings (paths, limits) and its attached files' paths. The sandbox
 * keeps these read-only, not hidden, so they are refused by name.
 */
const SERVER_TABLE_FUNCTIONS = new Set([
  // They run SQL given as a string, which the parse tree shows only as text: every
  // check here would be stepped around (query('SELECT path FROM duckdb_databases()')).
  'query',
  'query_table',
  'json_execute_serialized_sql',
  'duckdb_settings',
  'duckdb_databases',
  'duckdb_extensions',
  'duckdb_temporary_files',
  'duckdb_memory',
  'duckdb_secrets',
  'pragma_database_list',
]);
const SERVER_VIEWS = new Set([...SERVER_TABLE_FUNCTIONS, 'pg_settings']);

/**
 * SQL texts that passed assertTenantSelect. The verdict depends on the text alone (the
 * parser is DuckDB's, the rules are fixed), and the same SQL comes back often: the
 * builtin engine writes the same SQL for the same question, and dashboards ask the same
 * questions. Parsing costs a DuckDB statement, about 1.2 ms. Refused SQL is not kept.
 */
const passedTenantSql = new LRUCache<string, true>({ max: 4096, maxSize: 8_000_000, sizeCalculation: (_value, sql) => sql.length + 1 });

/**
 * A local tenant's SQL: exactly one SELECT (as assertSingleSelect) that reads no server
 * setting or path. The tenant's own tables and DuckDB's catalog of them stay readable:
 * the instance holds nothing else.
 */
export async function assertTenantSelect(connection: DuckDBConnection, sql: string): Promise<void> {
  if (passedTenantSql.has(sql)) return;
  const problem = firstProblem(await parseSingleSelect(connection, sql), serverRead);
  if (problem) throw new ValidationFailedError(`The SQL may not read the server's settings or files: ${problem}.`);
  passedTenantSql.set(sql, true);
}

function serverRead(record: Record<string, unknown>): string | undefined {
  if (record.type === 'TABLE_FUNCTION') {
    const name = functionName((record.function as Record<string, unknown> | undefined)?.function_name);
    if (SERVER_TABLE_FUNCTIONS.has(name)) return `${name}() is not allowed`;
  }
  if (record.type === 'BASE_TABLE' && SERVER_VIEWS.has(functionName(record.table_name))) {
    return `'${String(record.table_name)}' is not allowed`;
  }
  if (record.class === 'FUNCTION' && PROCESS_FUNCTIONS.has(functionName(record.function_name))) {
    return `${functionName(record.function_name)}() is not allowed`;
  }
  return undefined;
}
