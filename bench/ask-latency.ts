/**
 * End-to-end latency of one ask on demo data: POST → worker → completed poll, through
 * a real API process, a real worker process and a private Redis. The baseline, run in
 * the same process and the same run, is the floor Flock cannot beat: opening nothing,
 * just running the same SQL on an already-open DuckDB connection to the same file.
 *
 *   pnpm bench:ask [--runs 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDemoWarehouses } from '@flock/demo';
import { percentile, sleep, startBenchFlock } from './support';

const QUESTIONS = ['How many active members do we have?', 'How many members by type?', 'Total payments by currency for 2024'];
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 50;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-bench-ask-'));
  await createDemoWarehouses({ dir, count: 3 });
  const deployment = await startBenchFlock({ warehouseDir: dir, workers: 1 });
  const base = deployment.base;
  try {
    const ask = async (question: string) => {
      const started = performance.now();
      const submitted = (await (
        await fetch(`${base}/api/v1/example/ask`, {
          method: 'POST',
          headers: deployment.headers,
          body: JSON.stringify({ question }),
        })
      ).json()) as { data: { job_id: string } };
      for (;;) {
        const body = (await (
          await fetch(`${base}/api/v1/example/ask/jobs/${submitted.data.job_id}`, { headers: deployment.headers })
        ).json()) as {
          data: { status: string; generated_sql: string };
        };
        if (body.data.status === 'completed') return { ms: performance.now() - started, sql: body.data.generated_sql };
        if (body.data.status === 'failed') throw new Error(`ask failed: ${JSON.stringify(body)}`);
        await sleep(1);
      }
    };

    const cold = await ask(QUESTIONS[0]!);
    const flock: number[] = [];
    const sqls = new Map<string, string>();
    for (let i = 0; i < RUNS; i++) {
      const question = QUESTIONS[i % QUESTIONS.length]!;
      const { ms, sql } = await ask(question);
      flock.push(ms);
      sqls.set(question, sql);
    }

    const instance = await DuckDBInstance.create(path.join(dir, 'example.duckdb'), { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    const baseline: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      (await connection.runAndReadAll(sqls.get(QUESTIONS[i % QUESTIONS.length]!)!)).getRowsJson();
      baseline.push(performance.now() - started);
    }
    connection.closeSync();
    instance.closeSync();

    const row = (label: string, values: number[]) =>
      `${label.padEnd(34)} median ${percentile(values, 50).toFixed(2).padStart(7)} ms   p95 ${percentile(values, 95).toFixed(2).padStart(7)} ms`;
    console.log(`ask latency on demo bucket 'example', ${RUNS} asks over the 3 seed questions`);
    console.log(`first ask (cold instance, schema read): ${cold.ms.toFixed(1)} ms`);
    console.log(row('flock POST → completed poll', flock));
    console.log(row('baseline: same SQL, open DuckDB', baseline));
    console.log(`ratio (median flock / median baseline): ${(percentile(flock, 50) / percentile(baseline, 50)).toFixed(1)}x`);
  } finally {
    await deployment.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
