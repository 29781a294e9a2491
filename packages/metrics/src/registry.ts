import { Registry, collectDefaultMetrics } from 'prom-client';

export type Component = 'api' | 'worker';

/**
 * A registry of its own per process part (never prom-client's global one), so the
 * tests' many apps in one process do not collide, with a `component` label on every
 * series and, unless `processMetrics` is false, the process defaults (CPU, memory,
 * event-loop lag, GC). Where two processes' expositions are served as one (the
 * worker's supervisor and its worker process), only one may carry them: a scrape may
 * not name a metric twice.
 */
export function createRegistry(component: Component, options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ component });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Seconds from milliseconds, the unit Prometheus expects of durations. */
export const seconds = (ms: number): number => ms / 1000;

/**
 * Buckets for the durations Flock records, from a warm ask's few milliseconds to a
 * fan-out over a thousand tenants or a job that ran into the worker timeout.
 */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 130];
