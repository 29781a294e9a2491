import { Counter, Gauge, type Registry } from 'prom-client';

/** What is read of a BullMQ queue: its job counts by state, and its finished-job metrics. */
export interface QueueStats {
  readonly name: string;
  getJobCounts(): Promise<Record<string, number>>;
  getMetrics(type: 'completed' | 'failed'): Promise<{ meta: { count: number } }>;
}

/**
 * Queue depth per queue and state, and the jobs each queue has completed and failed,
 * read from BullMQ (getJobCounts, and getMetrics, which the workers' `metrics` option
 * fills) at each scrape. The names are BullMQ's own exportPrometheusMetrics' names, so
 * its dashboards and alerts apply; its exporter is not used because it writes one
 * HELP/TYPE header per queue, which a scrape of several queues may not repeat.
 *
 * The counts are global: every API replica reports the same figures, so dashboards
 * take `max by (queue, state)`.
 */
export function trackQueues(registry: Registry, queues: QueueStats[]): void {
  new Gauge({
    name: 'bullmq_job_count',
    help: 'Number of jobs in the queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const counts = await Promise.all(queues.map((queue) => queue.getJobCounts()));
      for (const [i, queue] of queues.entries()) {
        for (const [state, count] of Object.entries(counts[i]!)) this.set({ queue: queue.name, state }, count);
      }
    },
  });
  for (const type of ['completed', 'failed'] as const) {
    new Counter({
      name: `bullmq_job_${type}_total`,
      help: `Total number of ${type} jobs`,
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        const metrics = await Promise.all(queues.map((queue) => queue.getMetrics(type)));
        this.reset();
        for (const [i, queue] of queues.entries()) this.inc({ queue: queue.name }, metrics[i]!.meta.count);
      },
    });
  }
}
