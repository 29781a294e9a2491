import { Counter, Gauge, Histogram } from 'prom-client';
import { DURATION_BUCKETS, createRegistry, seconds } from '@flock/metrics';
import type { PoolStats } from '@flock/warehouse';

/** How a job attempt ended, as a metric label. */
export type JobOutcome = 'completed' | 'failed' | 'skipped' | 'interrupted' | 'error';

/** What the job metrics are labelled with. No bucket, job or user: one series per value would never end. */
export interface JobLabels {
  /** The queue's job name: ask, query, schema, queryAll, queryAllChunk, queryAllMerge. */
  kind: string;
  /** The SQL engine that answered (builtin, openai, motherduck); `none` where none generates. */
  engine?: string;
}

/**
 * The worker process's metrics: job durations by kind, engine, outcome and failure
 * code; generation and execution time; the sandbox pool. Read over IPC by the
 * supervisor, which serves them on its port (see operations.ts).
 */
export class WorkerMetrics {
  readonly registry = createRegistry('worker');
  private readonly jobs = new Histogram({
    name: 'flock_job_duration_seconds',
    help: 'Time a job attempt took in the worker, by kind, engine, outcome and failure code (`none` when it did not fail)',
    labelNames: ['kind', 'engine', 'outcome', 'code'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly generation = new Histogram({
    name: 'flock_generation_duration_seconds',
    help: "Time an engine took to write an ask's SQL, over every try",
    labelNames: ['engine'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly execution = new Histogram({
    name: 'flock_execution_duration_seconds',
    help: 'Time a validated query took in the sandbox, by job kind',
    labelNames: ['kind'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  /** `pool` is read at each scrape. */
  constructor(pool: () => PoolStats) {
    new Gauge({
      name: 'flock_sandbox_instances',
      help: 'Sandboxed DuckDB instances this worker process holds: idle (kept for a bucket), spare (empty, ready) and reusable (linked instances in every state)',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const stats = pool();
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'spare' }, stats.spares);
        this.set({ state: 'reusable' }, stats.reusable);
      },
    });
    for (const [name, help, read] of [
      ['flock_sandbox_instances_created_total', 'Sandboxed DuckDB instances created', (stats: PoolStats) => stats.instances],
      [
        'flock_sandbox_attaches_total',
        'Tenant databases attached to a reused instance (a cold bucket)',
        (stats: PoolStats) => stats.attaches,
      ],
      [
        'flock_sandbox_plans_reused_total',
        "Queries run from a plan kept on their bucket's connection rather than planned anew",
        (stats: PoolStats) => stats.plansReused,
      ],
    ] as const) {
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(read(pool()));
        },
      });
    }
  }

  /** Starts timing a job attempt; the returned function ends it. */
  startJob(labels: JobLabels): (outcome: JobOutcome, code?: string) => void {
    const started = performance.now();
    return (outcome, code) =>
      this.jobs.observe(
        { kind: labels.kind, engine: labels.engine ?? 'none', outcome, code: code ?? 'none' },
        seconds(performance.now() - started),
      );
  }

  generated(engine: string, ms: number): void {
    this.generation.observe({ engine }, seconds(ms));
  }

  executed(kind: string, ms: number): void {
    this.execution.observe({ kind }, seconds(ms));
  }
}
