/**
 * Issue 13, part 6: what a cached answer saves. Two deployments on the same demo
 * warehouses (each a private Redis, an API process and a worker process), one with the
 * answer cache and one with FLOCK_ANSWER_CACHE=false, are asked the three seed questions
 * in turn, so both see the same machine at the same moment. After one warm-up round the
 * first answers every question from its cache (a hit), the second generates and runs it
 * (a miss). It prints the median time from POST to answer of each, and their ratio.
 *
 *   pnpm bench:cache [--runs 60]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDemoWarehouses } from '@flock/demo';
import { alternate, latencyRow, percentile, startBenchFlock, type BenchFlock } from './support';

const QUESTIONS = ['How many active members do we have?', 'How many members by type?', 'Total payments by currency for 2024'];
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 60;

/** POST, then one held poll: the time to the answer, and whether it came from the cache. */
async function ask(deployment: BenchFlock, question: string): Promise<{ ms: number; cached: boolean }> {
  const started = performance.now();
  const submitted = await fetch(`${deployment.base}/api/v1/example/ask`, {
    method: 'POST',
    headers: deployment.headers,
    body: JSON.stringify({ question }),
  });
  const jobId = ((await submitted.json()) as { data: { job_id: string } }).data.job_id;
  const poll = await fetch(`${deployment.base}/api/v1/example/ask/jobs/${jobId}?wait_ms=20000`, { headers: deployment.headers });
  const body = (await poll.json()) as { data: { status: string }; meta?: { cached?: boolean } };
  if (body.data.status !== 'completed') throw new Error(`ask ended ${body.data.status}`);
  return { ms: performance.now() - started, cached: body.meta?.cached === true };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-bench-cache-'));
  await createDemoWarehouses({ dir, count: 1 });
  const cached = await startBenchFlock({ warehouseDir: dir, workers: 1, env: { FLOCK_ANSWER_CACHE: 'true' } });
  const uncached = await startBenchFlock({ warehouseDir: dir, workers: 1, env: { FLOCK_ANSWER_CACHE: 'false' } });
  try {
    for (const question of QUESTIONS) {
      await ask(cached, question);
      await ask(uncached, question);
    }
    /** One ask's time, once the deployment answered it from the cache (a hit) or not, as expected. */
    const timed = (deployment: BenchFlock, hit: boolean) => async (question: string) => {
      const answer = await ask(deployment, question);
      if (answer.cached !== hit) throw new Error(`expected ${hit ? 'a hit' : 'a miss'}`);
      return answer.ms;
    };
    const [hits, misses] = await alternate(RUNS, QUESTIONS, timed(cached, true), timed(uncached, false));
    console.log(`POST → answer, ${RUNS} asks each, one bucket, built-in engine, 1 API + 1 worker process per deployment`);
    console.log(latencyRow('cache hit', hits));
    console.log(latencyRow('miss (FLOCK_ANSWER_CACHE=false)', misses));
    console.log(`ratio (hit median / miss median): ${(percentile(hits, 50) / percentile(misses, 50)).toFixed(2)}x`);
  } finally {
    await cached.stop();
    await uncached.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
