import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_ADMIN_API_KEY, waitFor } from '@flock/testing';
import { useHarness } from './support/flock-harness';

/**
 * Tracing on, through the standard OTEL_* variables, with a real API process and a real
 * worker process exporting to a stand-in collector: a local HTTP server speaking
 * OTLP/HTTP with JSON bodies, as an OpenTelemetry Collector would receive them.
 */
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  service: string;
  attributes: Record<string, unknown>;
}

const flock = useHarness(() => ({ worker: false }));
let collector: http.Server;
const spans: Span[] = [];

beforeAll(async () => {
  collector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        for (const resource of JSON.parse(body).resourceSpans ?? []) {
          const service = resource.resource.attributes.find((a: { key: string }) => a.key === 'service.name')?.value.stringValue;
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              const attributes = Object.fromEntries(
                (span.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [a.key, Object.values(a.value)[0]]),
              );
              spans.push({ ...span, service, attributes });
            }
          }
        }
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
});

afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

it('follows one ask in one trace: the request, the queue, the worker, its generation and its query', async () => {
  const otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  const api = await flock.spawnApi(otel);
  flock.spawnWorker(otel);
  const headers = { 'X-API-Key': TEST_ADMIN_API_KEY, 'Content-Type': 'application/json' };
  const submitted = await fetch(`${api.base}/api/v1/example/ask`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ question: 'How many members by type?' }),
  });
  expect(submitted.status).toBe(202);
  const { job_id: jobId } = ((await submitted.json()) as { data: { job_id: string } }).data;
  await waitFor(
    async () => {
      const poll = (await (await fetch(`${api.base}/api/v1/example/ask/jobs/${jobId}?wait_ms=2000`, { headers })).json()) as {
        data: { status: string };
      };
      return poll.data.status === 'completed';
    },
    { timeoutMs: 30_000, what: 'the ask to complete' },
  );

  const query = await waitFor(async () => spans.find((span) => span.name === 'flock.query'), { what: 'the query span' });
  // Spans arrive in batches, a parent after its children: wait for every one the trace should hold.
  const expected = ['add', 'process', 'flock.schema', 'flock.generate', 'flock.query'];
  const trace = await waitFor(
    async () => {
      const inTrace = spans.filter((span) => span.traceId === query.traceId);
      const complete =
        inTrace.some((span) => span.service === 'flock-api' && span.kind === 2) &&
        expected.every((name) => inTrace.some((span) => span.name.includes(name)));
      return complete ? inTrace : undefined;
    },
    { what: 'every span of the trace' },
  );
  const named = (name: string) => trace.filter((span) => span.name.includes(name));
  // The request that submitted it (a server span), its add to the queue, the job's processing, and the worker's steps.
  expect(trace.find((span) => span.service === 'flock-api' && span.kind === 2)!.name).toMatch(/POST/);
  expect(named('add').some((span) => span.service === 'flock-api')).toBe(true);
  expect(named('process').some((span) => span.service === 'flock-worker')).toBe(true);
  expect(named('flock.generate')[0]!.attributes['flock.engine']).toBe('builtin');
  expect(named('flock.schema')).toHaveLength(1);
  expect(query.attributes['flock.row_count']).toBeGreaterThan(0);
  expect(query.service).toBe('flock-worker');
  // One trace, every span linked to its parent within it.
  const ids = new Set(trace.map((span) => span.spanId));
  expect(trace.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId))).toHaveLength(1);
  // Nothing of the tenant's data or the caller's credential rides along.
  const text = JSON.stringify(trace);
  expect(text).not.toContain(TEST_ADMIN_API_KEY);
  expect(text).not.toContain('Standard'); // a membership type in the answer's rows
});
