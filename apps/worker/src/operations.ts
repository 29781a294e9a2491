import type { ChildProcess } from 'node:child_process';
import { Counter, Gauge } from 'prom-client';
import { createRegistry, startOperationsServer, type OperationsServer } from '@flock/metrics';
import type { WorkerRuntime } from './worker-runtime';

/**
 * The worker's operations port (FLOCK_WORKER_PORT): /healthz, /readyz and /metrics.
 * The supervisor serves it, because it outlives the worker process it restarts: the
 * port stays up across a recycle, and /healthz stays true while a crashed worker
 * process is being replaced (restarting the container would not do better). Readiness
 * and metrics come from the worker process over the IPC channel the supervisor forked
 * it with.
 */

type Question = 'metrics' | 'ready';

interface OperationsRequest {
  flockOperations: Question;
  id: number;
}

interface OperationsReply {
  flockOperationsReply: number;
  /** For 'metrics': the worker process's exposition. */
  body?: string;
  /** For 'ready': why it is not, if it is not. */
  notReady?: string;
  /** For 'metrics': FLOCK_METRICS is off. */
  off?: boolean;
}

const isRequest = (message: unknown): message is OperationsRequest =>
  typeof message === 'object' && message !== null && 'flockOperations' in message;
const isReply = (message: unknown): message is OperationsReply =>
  typeof message === 'object' && message !== null && 'flockOperationsReply' in message;

/** How long the supervisor waits for the worker process's answer: a scrape or probe must not hang on a busy process. */
const ANSWER_WITHIN_MS = 2_000;

/** In the worker process: answers the supervisor's questions about it. */
export function answerOperations(runtime: WorkerRuntime): void {
  process.on('message', (message) => {
    if (!isRequest(message) || !process.send) return;
    const reply = (answer: Omit<OperationsReply, 'flockOperationsReply'>) =>
      process.connected && process.send!({ flockOperationsReply: message.id, ...answer });
    if (message.flockOperations === 'ready') {
      reply({ notReady: runtime.notReady() });
    } else if (!runtime.metrics) {
      reply({ off: true });
    } else {
      runtime.metrics.registry.metrics().then(
        (body) => reply({ body }),
        () => reply({}),
      );
    }
  });
}

/** In the supervisor: the current worker process, asked over IPC, plus the supervisor's own figures. */
export class WorkerProcessProbe {
  private child?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: OperationsReply | undefined) => void>();
  // The worker process reports the process figures that matter (its DuckDB's memory among them).
  readonly registry = createRegistry('worker', { processMetrics: false });
  private readonly restarts = new Counter({
    name: 'flock_worker_process_restarts_total',
    help: 'Worker processes the supervisor started again, after a crash or a recycle',
    registers: [this.registry],
  });
  private stopping = false;

  constructor() {
    const up = () => (this.child?.connected ? 1 : 0);
    new Gauge({
      name: 'flock_worker_process_up',
      help: 'Whether the supervisor has a worker process running (1) or is between two (0)',
      registers: [this.registry],
      collect() {
        this.set(up());
      },
    });
  }

  /** The supervisor's hook for each worker process it forks. */
  readonly started = (child: ChildProcess, restart: boolean): void => {
    this.child = child;
    if (restart) this.restarts.inc();
    child.on('message', (message) => {
      if (!isReply(message)) return;
      this.pending.get(message.flockOperationsReply)?.(message);
    });
  };

  stop(): void {
    this.stopping = true;
  }

  async notReady(): Promise<string | undefined> {
    if (this.stopping) return 'This worker is shutting down';
    const reply = await this.ask('ready');
    if (!reply) return 'No worker process is answering';
    return reply.notReady;
  }

  async metrics(): Promise<{ contentType: string; body: string } | undefined> {
    const [own, reply] = await Promise.all([this.registry.metrics(), this.ask('metrics')]);
    if (reply?.off) return undefined;
    return { contentType: this.registry.contentType, body: reply?.body ? `${own}\n${reply.body}` : own };
  }

  private ask(question: Question): Promise<OperationsReply | undefined> {
    const child = this.child;
    if (!child?.connected) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const done = (reply: OperationsReply | undefined) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(reply);
      };
      const timer = setTimeout(() => done(undefined), ANSWER_WITHIN_MS);
      this.pending.set(id, done);
      const request: OperationsRequest = { flockOperations: question, id };
      child.send(request, (error) => error && done(undefined));
    });
  }
}

/** Serves the probe on `port` (0 picks a free one, for tests). */
export function serveWorkerOperations(port: number, host: string, probe: WorkerProcessProbe): Promise<OperationsServer> {
  return startOperationsServer(port, host, { notReady: () => probe.notReady(), metrics: () => probe.metrics() });
}
