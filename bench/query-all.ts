/**
 * Cross-tenant query time: POST /query-all → completed poll, through a real API
 * process, two real worker processes and a private Redis, at 177 and 1,000 demo
 * buckets. The baseline, run in the same run, is the simplest thing that could work:
 * one process, one DuckDB instance, every database ATTACHed READ_ONLY, one UNION ALL
 * query. Each figure is printed as a ratio to it, and the workers' peak RSS beside it.
 *
 *   pnpm bench:query-all [--buckets 177,1000] [--runs 5] [--workers 2] [--poll-ms 10]
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { keptWarehouses, percentile, rssMb, sleep, startBenchFlock, type BenchFlock } from './support';

interface BenchQuery {
  label: string;
  sql: string;
  table?: string;
  /** The same query with `{db}` where the baseline qualifies table names. */
  baseline: string;
}

const QUERIES: BenchQuery[] = [
  { label: 'count members', sql: 'SELECT count(*) AS total FROM member', baseline: 'SELECT count(*) AS total FROM {db}.member' },
  {
    label: 'payments by currency',
    sql: 'SELECT currency, sum(amount) AS total FROM payment GROUP BY 1',
    baseline: 'SELECT currency, sum(amount) AS total FROM {db}.payment GROUP BY 1',
  },
  {
    label: 'events by category (table: event)',
    sql: 'SELECT category, count(*) AS events FROM event GROUP BY 1',
    table: 'event',
    baseline: 'SELECT category, count(*) AS events FROM {db}.event GROUP BY 1',
  },
];

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
}
const SIZES = arg('buckets', '177,1000').split(',').map(Number);
const RUNS = Number(arg('runs', '5'));
const WORKERS = Number(arg('workers', '2'));
/**
 * How often the client polls. Polls share the two cores with the workers, so a client
 * hammering the API every millisecond would slow the very job it waits for; 10 ms
 * still resolves the finish to within a few percent of the fastest run.
 */
const POLL_MS = Number(arg('poll-ms', '10'));
const WARM_UP = 3;

async function flockRun(flock: BenchFlock, query: BenchQuery): Promise<{ ms: number; meta: Record<string, number> }> {
  const started = performance.now();
  const res = await fetch(`${flock.base}/query-all`, {
    method: 'POST',
    headers: flock.headers,
    body: JSON.stringify({ sql: query.sql, ...(query.table ? { table: query.table } : {}) }),
  });
  const submitted = (await res.json()) as { data: { job_id: string } };
  if (res.status !== 202) throw new Error(`submit failed: ${res.status} ${JSON.stringify(submitted)}`);
  for (;;) {
    const body = (await (await fetch(`${flock.base}/query-all/jobs/${submitted.data.job_id}`, { headers: flock.headers })).json()) as {
      data: { status: string };
      meta: Record<string, number>;
    };
    if (body.data.status === 'completed') return { ms: performance.now() - started, meta: body.meta };
    if (body.data.status === 'failed') throw new Error(`query-all failed: ${JSON.stringify(body)}`);
    await sleep(POLL_MS);
  }
}

async function baselineRun(dir: string, buckets: string[], query: BenchQuery): Promise<{ ms: number; rows: number }> {
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { threads: String(os.cpus().length) });
  const connection = await instance.connect();
  try {
    for (const [i, bucket] of buckets.entries()) {
      await connection.run(`ATTACH '${path.join(dir, `${bucket}.duckdb`)}' AS b${i} (READ_ONLY)`);
    }
    let targets = buckets.map((bucket, i) => ({ bucket, db: `b${i}` }));
    if (query.table) {
      const have = new Set(
        (await connection.runAndReadAll(`SELECT database_name FROM duckdb_tables() WHERE table_name = '${query.table}'`))
          .getRowsJS()
          .map((row) => String(row[0])),
      );
      targets = targets.filter((target) => have.has(target.db));
    }
    const sql = targets
      .map(({ bucket, db }) => `SELECT '${bucket}' AS _bucket, * FROM (${query.baseline.replaceAll('{db}', db)})`)
      .join('\nUNION ALL\n');
    const rows = (await connection.runAndReadAll(sql)).getRowsJson().length;
    return { ms: performance.now() - started, rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const lines: string[] = [];
  for (const size of SIZES) {
    const dir = await keptWarehouses(size);
    const names = readdirSync(dir)
      .filter((file) => file.endsWith('.duckdb'))
      .map((file) => file.slice(0, -'.duckdb'.length))
      .sort();

    const flock = await startBenchFlock({ warehouseDir: dir, workers: WORKERS });
    let peakRss = 0;
    const sampler = setInterval(() => {
      for (const pid of flock.workerPids) peakRss = Math.max(peakRss, rssMb(pid));
    }, 20);
    try {
      for (const query of QUERIES) {
        // Warm-up: the first runs load code paths and fill each worker's spare instances.
        for (let i = 0; i < WARM_UP; i++) await flockRun(flock, query);
        const ours: number[] = [];
        let meta: Record<string, number> = {};
        for (let i = 0; i < RUNS; i++) {
          const run = await flockRun(flock, query);
          ours.push(run.ms);
          meta = run.meta;
        }
        const base: number[] = [];
        let baseRows = 0;
        for (let i = 0; i < RUNS; i++) {
          const run = await baselineRun(dir, names, query);
          base.push(run.ms);
          baseRows = run.rows;
        }
        if (meta.total_rows !== baseRows) throw new Error(`row count differs: flock ${meta.total_rows}, baseline ${baseRows}`);
        const ratio = percentile(ours, 50) / percentile(base, 50);
        const line =
          `${String(size).padStart(5)} buckets  ${query.label.padEnd(34)} flock ${percentile(ours, 50).toFixed(0).padStart(5)} ms` +
          `   baseline ${percentile(base, 50).toFixed(0).padStart(5)} ms   ratio ${ratio.toFixed(2)}x` +
          `   (queried ${meta.databases_queried}, skipped ${meta.databases_skipped}, errored ${meta.databases_errored}, chunks ${meta.chunks})`;
        console.log(line);
        lines.push(line);
      }
    } finally {
      clearInterval(sampler);
      await flock.stop();
    }
    const rss = `${String(size).padStart(5)} buckets  peak worker RSS ${peakRss.toFixed(0)} MB (${WORKERS} workers, sampled every 20 ms)`;
    console.log(rss);
    lines.push(rss);
  }
  console.log(
    `\nquery-all vs one-process ATTACH + UNION ALL, median of ${RUNS} runs each, ${WORKERS} workers, ${os.cpus().length} cores, polled every ${POLL_MS} ms`,
  );
  for (const line of lines) console.log(line);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
