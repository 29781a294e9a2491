import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { BullMQOtel } from 'bullmq-otel';

/** What a process gets from startTracing: the BullMQ hook to pass its queues, and the flush at exit. */
export interface Tracing {
  /** BullMQ's telemetry (context into each job, spans for add and process); undefined when tracing is off. */
  readonly bullmq?: BullMQOtel;
  /** Sends the spans still buffered; a no-op when tracing is off. */
  shutdown(): Promise<void>;
}

const TRACER = 'flock';

/**
 * Whether the standard OpenTelemetry variables ask for traces: an OTLP endpoint, or a
 * traces exporter other than `none`, and the SDK not disabled. Unset, nothing starts
 * and every span below is the API's no-op: tracing costs nothing.
 */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_TRACES_EXPORTER);
}

/**
 * Starts the OpenTelemetry Node SDK when `env` asks for it, configured by the standard
 * OTEL_* variables (exporter, endpoint, protocol, sampler, resource), with `service` as
 * the service name unless OTEL_SERVICE_NAME names one. Call it before anything loads
 * `http`, so incoming requests get their server spans. Only HTTP is instrumented
 * automatically: BullMQ carries the context into each job itself (bullmq), and Flock's
 * own steps are spans of their own (inSpan). No request body, header or result row
 * is ever an attribute.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv): Tracing {
  if (!tracingRequested(env)) return { shutdown: async () => undefined };
  // Loaded only when traces are asked for: the SDK, its exporters and instrumentation
  // are about 25 MB of memory and 300 ms of start-up (measured) in every process that
  // loads them, and most processes never trace; the worker's supervisor never does.
  // Required, not imported: still loaded and started synchronously, as before.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { BullMQOtel } = require('bullmq-otel') as typeof import('bullmq-otel');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? service,
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes would be most of the traces, and say nothing.
        ignoreIncomingRequestHook: (req) => ['/healthz', '/readyz', '/metrics'].includes((req.url ?? '').split('?')[0]!),
      }),
    ],
  });
  sdk.start();
  return { bullmq: new BullMQOtel({ tracerName: TRACER }), shutdown: () => sdk.shutdown().catch(() => undefined) };
}

/**
 * Runs `work` in a span named `name`, a child of the active one (an HTTP request, or
 * the BullMQ job being processed), ending it with the outcome. With tracing off, the
 * API hands out a no-op span.
 */
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return trace.getTracer(TRACER).startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}
