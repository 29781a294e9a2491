import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * Where MotherDuck connections come from. The generator and the MotherDuck warehouse
 * use nothing else, so tests can hand them a local DuckDB playing MotherDuck's part.
 */
export interface MotherDuckConnector {
  /** A new connection; the caller closes it. */
  connect(): Promise<DuckDBConnection>;
  /** `message` with every secret (the token) taken out; applied before text reaches a job record or a log. */
  redact(message: string): string;
  close(): void;
}

const REDACTED = '[redacted]';

/** The real MotherDuck, over an `md:` DuckDB instance authenticated with a service token. */
export class MotherDuckTokenConnector implements MotherDuckConnector {
  private instance?: Promise<DuckDBInstance>;

  /**
   * @param settings Extra DuckDB settings for the `md:` instance, e.g. `extension_directory`
   *   where the motherduck extension is pre-installed. Default none.
   */
  constructor(
    private readonly token: string,
    private readonly settings: Readonly<Record<string, string>> = {},
  ) {}

  async connect(): Promise<DuckDBConnection> {
    // One instance per process: opening `md:` loads the extension and authenticates over
    // the network, while a connection on an open instance is cheap. The token goes in
    // the settings, not in the path, because DuckDB repeats the path in its errors.
    this.instance ??= DuckDBInstance.create('md:', { ...this.settings, motherduck_token: this.token }).catch((error: unknown) => {
      // A failed open (network, bad token) must not stick: the next question retries it.
      this.instance = undefined;
      throw error;
    });
    return (await this.instance).connect();
  }

  redact(message: string): string {
    return this.token === '' ? message : message.split(this.token).join(REDACTED);
  }

  close(): void {
    const instance = this.instance;
    this.instance = undefined;
    instance?.then((open) => open.closeSync()).catch(() => undefined);
  }
}
