import request from 'supertest';
import type { Express } from 'express';
import { createLogger } from '@flock/logger';
import type { MotherDuckConnector } from '@flock/motherduck';
import type { SqlGenerator } from '@flock/sql';
import { loadConfig } from '@flock/config';
import { TEST_ADMIN_API_KEY, testEnv, waitFor } from '@flock/testing';
import { createApiContext, type ApiContext } from '../../apps/api/src/api-context';
import { createApp } from '../../apps/api/src/app';
import { startWorkerRuntime, type WorkerRuntime } from '../../apps/worker/src/worker-runtime';
import { createSqlGenerators } from '../../apps/worker/src/sql-generator.factory';

export interface Harness {
  app: Express;
  /** The full environment the in-process API runs with; spawn workers with it to share its Redis prefix and settings. */
  env: Record<string, string>;
  api: ApiContext;
  worker?: WorkerRuntime;
  close(): Promise<void>;
}

/**
 * The API in-process and, optionally, one worker runtime in-process, sharing a fresh Redis prefix.
 * `motherDuck` stands in for MotherDuck in both, for the buckets the env hosts there
 * (MOTHERDUCK_TOKEN and FLOCK_MOTHERDUCK_DATABASES).
 */
export function startHarness(
  options: { env?: Record<string, string>; generator?: SqlGenerator; worker?: boolean; motherDuck?: MotherDuckConnector } = {},
): Harness {
  const env = testEnv(options.env);
  const config = loadConfig(env);
  const logger = createLogger('e2e', 'silent');
  const warehouseOptions = { motherDuckConnector: options.motherDuck };
  const api = createApiContext(config, logger, warehouseOptions);
  const worker =
    options.worker === false
      ? undefined
      : startWorkerRuntime(config, options.generator ?? createSqlGenerators(config), logger, warehouseOptions);
  return {
    app: createApp(api.deps),
    env,
    api,
    worker,
    async close() {
      await worker?.close();
      await api.close();
    },
  };
}

export async function submit(app: Express, bucket: string, question: string): Promise<string> {
  const res = await request(app).post(`/api/v1/${bucket}/ask`).set('X-API-Key', TEST_ADMIN_API_KEY).send({ question });
  if (res.status !== 202) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.job_id as string;
}

/** Polls until the job is no longer processing and returns the final body. */
export async function settle(app: Express, bucket: string, jobId: string, timeoutMs = 20_000): Promise<Record<string, any>> {
  return waitFor(
    async () => {
      const res = await request(app).get(`/api/v1/${bucket}/ask/jobs/${jobId}`).set('X-API-Key', TEST_ADMIN_API_KEY);
      if (res.status !== 200) throw new Error(`poll failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.data.status === 'processing' ? undefined : (res.body as Record<string, any>);
    },
    { timeoutMs, intervalMs: 25, what: `job ${jobId}` },
  );
}
