import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** The token tests hand to MotherDuck code; the stand-in redacts it like the real connector. */
export const TEST_MOTHERDUCK_TOKEN = 'md_test_token_5f0c9a1e7b3d42c8';

const redactTestToken = (message: string) => message.split(TEST_MOTHERDUCK_TOKEN).join('[redacted]');

/**
 * @flock/sql's MotherDuckConnector, restated so this package need not depend on
 * @flock/sql (whose tests depend on this package).
 */
export interface MotherDuckConnectorStandIn {
  connect(): Promise<DuckDBConnection>;
  redact(message: string): string;
  close(): void;
}

/**
 * Stand-in bodies for `prompt_sql(question, include_tables)`, each a SELECT giving one
 * `query` column, as MotherDuck's does.
 */
export const PROMPT_SQL = {
  /** Echoes what it was called with, as JSON: the question, the tables and the current database. */
  echo: `SELECT to_json({question: question, include_tables: include_tables, database: current_database()})::VARCHAR AS query`,
  /** Answers every question with a fixed SELECT. */
  answer: (sql: string) => `SELECT '${sql.replace(/'/g, "''")}' AS query`,
  /** Fails as MotherDuck does when it refuses, here with the token in the message. */
  fail: `SELECT error('MotherDuck refused token ${TEST_MOTHERDUCK_TOKEN}: quota exceeded') AS query`,
  /** Returns no rows. */
  none: `SELECT NULL::VARCHAR AS query WHERE false`,
  /** Returns a blank query. */
  blank: `SELECT '   ' AS query`,
  /** Runs until interrupted. */
  slow: `SELECT max(hash(i))::VARCHAR AS query FROM range(1000000000000) t(i)`,
} as const;

export interface MotherDuckStandInOptions {
  /** Databases to attach, by name, each with statements run inside it (e.g. CREATE TABLE). */
  databases: Record<string, string[]>;
  /** Databases attached read-only from DuckDB files (a demo warehouse, say), by name. Default none. */
  files?: Record<string, string>;
  /** Body of the `prompt_sql` table macro (see PROMPT_SQL). Default `PROMPT_SQL.echo`. */
  promptSql?: string;
}

/**
 * A local, in-memory DuckDB playing MotherDuck for tests: it implements @flock/motherduck's
 * MotherDuckConnector (structurally, so this package need not depend on it).
 * Its databases are attached in-memory under the names MotherDuck would show, and
 * `prompt_sql` is a table macro. The macro is TEMP, created on every connection,
 * because a macro in one database is not found after `USE` selects another, while
 * the temp catalog is always searched, as the real extension's functions are.
 * DuckDB 1.5 accepts `include_tables => [...]` for a macro's named parameter.
 */
export class MotherDuckStandIn implements MotherDuckConnectorStandIn {
  private instance?: Promise<DuckDBInstance>;
  private open = 0;
  private whenAllClosed: (() => void)[] = [];
  /** Connections handed out so far. */
  connects = 0;

  constructor(private readonly options: MotherDuckStandInOptions) {}

  async connect(): Promise<DuckDBConnection> {
    this.instance ??= this.create();
    const connection = await (await this.instance).connect();
    // Counted through closeSync rather than probed with a query: a probe could run
    // beside an interrupted query still unwinding, and DuckDB connections are not for
    // concurrent use.
    this.open++;
    this.connects++;
    const closeSync = connection.closeSync.bind(connection);
    connection.closeSync = () => {
      closeSync();
      if (--this.open === 0) for (const resolve of this.whenAllClosed.splice(0)) resolve();
    };
    await connection.run(
      `CREATE OR REPLACE TEMP MACRO prompt_sql(question, include_tables := NULL) AS TABLE ${this.options.promptSql ?? PROMPT_SQL.echo}`,
    );
    return connection;
  }

  /**
   * Resolves once every connection handed out has been closed. Code under test closes
   * an interrupted connection only once its query has unwound, which can be a while
   * after the call it served has failed; waiting for the event, not for a fixed time,
   * keeps a slow machine from failing the test. A connection never closed is a leak,
   * and shows as the test's timeout.
   */
  allClosed(): Promise<void> {
    return this.open === 0 ? Promise.resolve() : new Promise((resolve) => this.whenAllClosed.push(resolve));
  }

  redact(message: string): string {
    return redactTestToken(message);
  }

  close(): void {
    const instance = this.instance;
    this.instance = undefined;
    instance?.then((open) => open.closeSync()).catch(() => undefined);
  }

  private async create(): Promise<DuckDBInstance> {
    // One thread: the slow macro would otherwise take every core of a shared machine.
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const setup = await instance.connect();
    try {
      for (const [name, statements] of Object.entries(this.options.databases)) {
        const ident = `"${name.replace(/"/g, '""')}"`;
        await setup.run(`ATTACH ':memory:' AS ${ident}`);
        await setup.run(`USE ${ident}`);
        for (const statement of statements) await setup.run(statement);
      }
      for (const [name, file] of Object.entries(this.options.files ?? {})) {
        await setup.run(`ATTACH '${file.replace(/'/g, "''")}' AS "${name.replace(/"/g, '""')}" (READ_ONLY)`);
      }
    } finally {
      setup.closeSync();
    }
    return instance;
  }
}

/**
 * Makes MotherDuck stand-ins for the tests of the enclosing describe block (or file).
 * After each test, every stand-in it made must have had all its connections closed,
 * interrupted ones included, before the stand-in itself is closed.
 */
export function useMotherDuckStandIns(): (options: MotherDuckStandInOptions) => MotherDuckStandIn {
  const made: MotherDuckStandIn[] = [];
  afterEach(async () => {
    for (const standIn of made.splice(0)) {
      await standIn.allClosed();
      standIn.close();
    }
  });
  return (options) => {
    const standIn = new MotherDuckStandIn(options);
    made.push(standIn);
    return standIn;
  };
}

/**
 * A fresh stand-in with the same `options` for every test of the enclosing describe
 * block (or file), checked and closed after each as useMotherDuckStandIns does. The
 * handle stands for the current test's stand-in, so it can be handed to code under test
 * as its connector from a beforeEach.
 */
export function useMotherDuckStandIn(
  options: MotherDuckStandInOptions,
): MotherDuckConnectorStandIn & Pick<MotherDuckStandIn, 'connects' | 'allClosed'> {
  const make = useMotherDuckStandIns();
  let current: MotherDuckStandIn | undefined;
  beforeEach(() => {
    current = make(options);
  });
  const live = () => {
    if (!current) throw new Error('the MotherDuck stand-in is made in beforeEach; use it from a hook or a test');
    return current;
  };
  return {
    connect: () => live().connect(),
    redact: (message) => live().redact(message),
    close: () => live().close(),
    allClosed: () => live().allClosed(),
    get connects() {
      return live().connects;
    },
  };
}

/** A stand-in for MotherDuck out of reach: every connect fails with `message`, which may hold the test token. */
export function unreachableMotherDuckStandIn(message: string): MotherDuckConnectorStandIn {
  return {
    connect: () => Promise.reject(new Error(message)),
    redact: redactTestToken,
    close: () => undefined,
  };
}

/** A stand-in for MotherDuck whose connect never settles until `release()` makes it fail. */
export function hangingMotherDuckStandIn(): { connector: MotherDuckConnectorStandIn; release(): void } {
  let release: () => void = () => undefined;
  const connector: MotherDuckConnectorStandIn = {
    connect: () => new Promise<DuckDBConnection>((_resolve, reject) => (release = () => reject(new Error('gave up')))),
    redact: (message) => message,
    close: () => undefined,
  };
  return { connector, release: () => release() };
}
