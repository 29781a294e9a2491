/**
 * Issue 12: how much sooner an answer arrives when it is pushed. Each run asks the same
 * question twice on one real deployment (private Redis, an API process, a worker
 * process), once through @flock/client, which listens to the job's Server-Sent Events,
 * and once the way a client without push would: POST, then a poll every 20 ms. The two
 * alternate, so both see the same machine at the same moment. It prints the median time
 * from POST to answer for each, and their ratio.
 *
 *   pnpm bench:push [--runs 60]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FlockClient } from '@flock/client';
import { createDemoWarehouses } from '@flock/demo';
import { alternate, latencyRow, percentile, sleep, startBenchFlock, type BenchFlock } from './support';

const QUESTIONS = ['How many active members do we have?', 'How many members by type?', 'Total payments by currency for 2024'];
const POLL_INTERVAL_MS = 20;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 60;

/** POST, then a plain poll every 20 ms until the job is done. */
async function askPolling(deployment: BenchFlock, question: string): Promise<number> {
  const started = performance.now();
  const submitted = await fetch(`${deployment.base}/api/v1/example/ask`, {
    method: 'POST',
    headers: deployment.headers,
    body: JSON.stringify({ question }),
  });
  const jobId = ((await submitted.json()) as { data: { job_id: string } }).data.job_id;
  for (;;) {
    await sleep(POLL_INTERVAL_MS);
    const poll = await fetch(`${deployment.base}/api/v1/example/ask/jobs/${jobId}`, { headers: deployment.headers });
    const body = (await poll.json()) as { data: { status: string } };
    if (body.data.status === 'completed') return performance.now() - started;
    if (body.data.status !== 'processing') throw new Error(`ask ended ${body.data.status}`);
  }
}

async function askStreaming(client: FlockClient, question: string): Promise<number> {
  const started = performance.now();
  // Submitted, then pushed: the one-call POST would answer before any stream opened.
  await client.ask('example', question, { submitWaitMs: 0 });
  return performance.now() - started;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-bench-push-'));
  await createDemoWarehouses({ dir, count: 1 });
  const deployment = await startBenchFlock({ warehouseDir: dir, workers: 1 });
  const client = new FlockClient({ baseUrl: deployment.base, apiKey: deployment.headers['x-api-key'] });
  try {
    // Warm both paths: the bucket's sandbox, the schema cache, the connections.
    for (const question of QUESTIONS) {
      await askStreaming(client, question);
      await askPolling(deployment, question);
    }
    const [pushed, polled] = await alternate(
      RUNS,
      QUESTIONS,
      (question) => askStreaming(client, question),
      (question) => askPolling(deployment, question),
    );
    console.log(`POST → answer, ${RUNS} asks each, one bucket, 1 API + 1 worker process`);
    console.log(latencyRow('SSE (@flock/client)', pushed));
    console.log(latencyRow(`polling every ${POLL_INTERVAL_MS} ms`, polled));
    console.log(`ratio (polling median / SSE median): ${(percentile(polled, 50) / percentile(pushed, 50)).toFixed(2)}x`);
  } finally {
    await deployment.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
