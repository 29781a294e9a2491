/**
 * The open-DuckDB baseline of `pnpm bench:throughput`: the same SQL on an already-open
 * connection, one query at a time, each statement prepared once and run again, as a
 * bucket's connection in Flock runs a plan it kept (parsing and planning anew would be a
 * baseline Flock beats). Run as a script, it is one of the processes that measure it on
 * every core at once (see openDuckDbOnCores).
 */
import { spawn } from 'node:child_process';
import { DuckDBInstance, type DuckDBPreparedStatement } from '@duckdb/node-api';

const MEASURE_MS = 2_000;

/** Queries/s of `sqls` in turn on one open connection, measured from `startAt` (epoch ms) for 2 s. */
export async function openDuckDbRate(file: string, sqls: string[], startAt = Date.now()): Promise<number> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY', threads: '1' });
  const connection = await instance.connect();
  try {
    const statements: DuckDBPreparedStatement[] = [];
    for (const sql of sqls) statements.push(await connection.prepare(sql));
    let done = 0;
    const run = () => statements[done++ % statements.length]!.runAndReadAll().then((reader) => reader.getRowsJson());
    while (Date.now() < startAt) await run();
    done = 0;
    const started = performance.now();
    const until = started + MEASURE_MS;
    while (performance.now() < until) await run();
    return done / ((performance.now() - started) / 1000);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The same in `processes` processes at once, summed: what that many cores can do right
 * now. One process with two connections is not it: its one JavaScript thread and its
 * instance are shared (measured: 1.4x one connection, where two processes gave 2x).
 * Each process warms up until a common start, so the measured seconds overlap.
 */
export async function openDuckDbOnCores(file: string, sqls: string[], processes: number): Promise<number> {
  const startAt = Date.now() + 3_000;
  const rates = await Promise.all(
    Array.from(
      { length: processes },
      () =>
        new Promise<number>((resolve, reject) => {
          const child = spawn(process.execPath, ['--require', 'tsx/cjs', __filename, file, String(startAt), ...sqls], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          child.stdout.on('data', (data: Buffer) => (out += data.toString()));
          child.once('error', reject);
          child.once('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`baseline process exited ${code}`))));
        }),
    ),
  );
  return rates.reduce((sum, rate) => sum + rate, 0);
}

if (require.main === module) {
  const [file, startAt, ...sqls] = process.argv.slice(2);
  openDuckDbRate(file!, sqls, Number(startAt)).then(
    (rate) => console.log(rate.toFixed(1)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
