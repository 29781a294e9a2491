import { MotherDuckTokenConnector, type MotherDuckConnector } from '@flock/motherduck';
import type { FoundValue, SchemaContext } from '@flock/schema';
import { MotherDuckWarehouse } from './motherduck-warehouse';
import type { PoolStats } from './instance-pool';
import { CompositeTenantCatalog, DirectoryTenantCatalog } from './tenant-catalog';
import {
  createWarehouse,
  type QueryLimits,
  type QueryOptions,
  type QueryResult,
  type SchemaRead,
  type PrefetchOutcome,
  type StuckQueryPolicy,
  type TenantWarehouse,
  type Warehouse,
  type WarehouseSettings,
} from './warehouse';

/** The MotherDuck access operators configure (FlockConfig.motherduck). */
export interface MotherDuckSettings {
  token: string;
  /** Bucket → MotherDuck database (FLOCK_MOTHERDUCK_DATABASES); every bucket listed is hosted there. */
  databases: Readonly<Record<string, string>>;
}

export interface TenantWarehouseSettings extends WarehouseSettings {
  /** Unset: every bucket is a local file. */
  motherduck?: MotherDuckSettings;
}

export interface TenantWarehouseOptions {
  /** Where MotherDuck connections come from. Default: the real MotherDuck with the configured token; tests pass a local stand-in. */
  motherDuckConnector?: MotherDuckConnector;
  /** For local queries that ignore the interrupt; see StuckQueryPolicy. */
  stuckQuery?: StuckQueryPolicy;
  /** Aborted when the process is shutting down: see WarehouseOptions.stopping. */
  stopping?: AbortSignal;
}

/**
 * The warehouse every Flock process uses, from its settings. The MotherDuck side
 * exists only when MotherDuck is configured; building it opens nothing, as the `md:`
 * instance is opened on the first hosted query.
 */
export function createTenantWarehouse(settings: TenantWarehouseSettings, options: TenantWarehouseOptions = {}): RoutingWarehouse {
  const local = createWarehouse(settings, undefined, { stuckQuery: options.stuckQuery, stopping: options.stopping });
  const { motherduck } = settings;
  if (!motherduck) return new RoutingWarehouse(local);
  const hosted = new MotherDuckWarehouse({
    connector: options.motherDuckConnector ?? new MotherDuckTokenConnector(motherduck.token),
    databases: motherduck.databases,
    stopping: options.stopping,
    defaultQueryLimits: { timeoutMs: settings.queryTimeoutMs, maxRows: settings.maxResultRows, maxBytes: settings.maxResultBytes },
  });
  return new RoutingWarehouse(local, { warehouse: hosted, buckets: Object.keys(motherduck.databases) });
}

/**
 * The buckets a deployment serves, from its settings, without opening any of them: the
 * API checks buckets with it, and never runs tenant SQL itself.
 */
export function createTenantCatalog(settings: Pick<TenantWarehouseSettings, 'warehouseDir' | 'motherduck'>): CompositeTenantCatalog {
  return new CompositeTenantCatalog(new DirectoryTenantCatalog(settings.warehouseDir), Object.keys(settings.motherduck?.databases ?? {}));
}

/**
 * Sends each bucket to where its data lives. A bucket listed in
 * FLOCK_MOTHERDUCK_DATABASES is hosted on MotherDuck: its schema and queries go to
 * MotherDuckWarehouse, and a local file of the same name is ignored. Every other
 * bucket is a local DuckDB file, served by Warehouse in its sandbox. (The motherduck
 * generator is separate: for an unlisted bucket it still asks prompt_sql in the
 * database of the bucket's own name, while the data stays local.)
 */
export class RoutingWarehouse implements TenantWarehouse {
  /** The folder's buckets and the hosted ones; its locate() refuses hosted buckets. */
  readonly catalog: CompositeTenantCatalog;

  constructor(
    private readonly local: Warehouse,
    private readonly hosted?: { warehouse: MotherDuckWarehouse; buckets: readonly string[] },
  ) {
    this.catalog = new CompositeTenantCatalog(local.catalog, hosted?.buckets ?? []);
  }

  /** Whether the bucket's data lives on MotherDuck rather than in a local file. */
  isHosted(bucket: string): boolean {
    return this.catalog.isHosted(bucket);
  }

  query(bucket: string, sql: string, limits?: Partial<QueryLimits>, options?: QueryOptions): Promise<QueryResult> {
    return this.route(bucket).query(bucket, sql, limits, options);
  }

  schema(bucket: string): Promise<SchemaContext> {
    return this.route(bucket).schema(bucket);
  }

  readSchema(bucket: string): Promise<SchemaRead> {
    return this.route(bucket).readSchema(bucket);
  }

  /** Reads every local bucket's schema ahead of its first ask: see Warehouse.prefetchSchemas. Hosted buckets are read when asked. */
  async prefetchSchemas(signal?: AbortSignal, onSchema?: (bucket: string, schema: SchemaContext) => void): Promise<PrefetchOutcome> {
    const buckets = (await this.local.catalog.list()).filter((bucket) => !this.isHosted(bucket));
    return this.local.prefetchSchemas(buckets, signal, onSchema);
  }

  /** Local buckets only: a hosted bucket's names are found among its listed values alone. */
  async findValues(bucket: string, texts: string[], options?: QueryOptions): Promise<FoundValue[]> {
    return this.hosted && this.isHosted(bucket) ? [] : this.local.findValues(bucket, texts, options);
  }

  /** A hosted bucket's data has no identity Flock can read, so it never matches an earlier answer. */
  version(bucket: string): string | undefined {
    return this.hosted && this.isHosted(bucket) ? undefined : this.local.version(bucket);
  }

  /** The local sandbox pool's figures, for metrics; MotherDuck's connections are not counted. */
  poolStats(): PoolStats {
    return this.local.poolStats();
  }

  close(): void {
    this.local.close();
    this.hosted?.warehouse.close();
  }

  private route(bucket: string): Warehouse | MotherDuckWarehouse {
    return this.hosted && this.isHosted(bucket) ? this.hosted.warehouse : this.local;
  }
}
