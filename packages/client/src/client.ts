import createClient, { type Client } from 'openapi-fetch';
import { FlockApiError, FlockConnectionError, FlockError, FlockJobError, FlockTimeoutError, isTransient } from './errors';
import type { paths } from './generated/openapi';
import { readServerEvents } from './sse';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 202: infer A }
      ? Json<A>
      : never
  : never;

/** A poll of an ask job: processing, failed or completed. */
export type AskJob = Ok<'/api/v1/{bucket}/ask/jobs/{jobId}', 'get'>;
/** An ask job's answer: columns, rows and the SQL that produced them, with `meta`. */
export type AskAnswer = Extract<AskJob, { data: { status: 'completed' } }>;
/** A poll of a cross-tenant job. */
export type QueryAllJob = Ok<'/query-all/jobs/{jobId}', 'get'>;
export type QueryAllAnswer = Extract<QueryAllJob, { data: { status: 'completed' } }>;
export type QueryAllRequest = NonNullable<paths['/query-all']['post']['requestBody']>['content']['application/json'];
export type Tables = Ok<'/api/v1/{bucket}/tables', 'get'>;
export type TableDescription = Ok<'/api/v1/{bucket}/tables/{table}', 'get'>;
export type QueryResult = Ok<'/api/v1/{bucket}/query', 'post'>;

export interface FlockClientOptions {
  /** Where the API listens, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** A service key, sent as `X-API-Key`. Give this or `token`, not both. */
  apiKey?: string;
  /** A user's JWT, sent as `Authorization: Bearer`. */
  token?: string;
  /** A fetch of your own (a proxy agent, a test double of the network); the global one by default. */
  fetch?: typeof fetch;
}

/** What a fan-out has done so far: databases that answered out of all it runs on. */
export interface QueryAllProgress {
  databases_done: number;
  databases_total: number;
}

export interface WaitOptions {
  /** Stop waiting (FlockTimeoutError) after this long; the job itself keeps its server-side limit. Default 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * `auto` (default) listens to the job's Server-Sent Events and falls back to polling
   * when the server or a proxy will not stream; `poll` only polls.
   */
  transport?: 'auto' | 'poll';
}

export interface SubmitOptions {
  /** The job_id of the caller's earlier answer in the bucket that this question follows up. */
  previousJobId?: string;
  /** Where Flock POSTs the final poll body, signed, once the job finishes. */
  callbackUrl?: string;
}

export interface QueryAllOptions extends WaitOptions {
  /** Called whenever the count of databases that answered moves. */
  onProgress?: (progress: QueryAllProgress) => void;
}

/** The longest a held poll waits on the server; the API refuses more than 20 s. */
const HELD_POLL_MS = 15_000;
const DEFAULT_TIMEOUT_MS = 600_000;

/**
 * A typed client for the Flock API. The request and response types come from the
 * OpenAPI document the server serves (`pnpm openapi` writes it; `pnpm --filter
 * @flock/client generate` turns it into `src/generated/openapi.ts`); this layer adds
 * what a spec cannot say: waiting for a job's answer, progress, and typed errors.
 */
export class FlockClient {
  private readonly api: Client<paths>;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: FlockClientOptions) {
    if (options.apiKey && options.token) throw new FlockError('bad_request', 'Give an API key or a token, not both');
    const headers: Record<string, string> = {};
    if (options.apiKey) headers['X-API-Key'] = options.apiKey;
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.api = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), headers, fetch: this.fetch });
  }

  /**
   * Submits a question; resolves with its job id once the API accepted it (202).
   * `previousJobId` makes it a follow-up ("only for 2024") of that earlier answer;
   * `callbackUrl` has Flock POST the final poll body there, signed (see the README's webhooks).
   */
  async submitAsk(bucket: string, question: string, options: SubmitOptions = {}): Promise<string> {
    const body = await this.call(() =>
      this.api.POST('/api/v1/{bucket}/ask', {
        params: { path: { bucket } },
        body: {
          question,
          ...(options.previousJobId ? { previous_job_id: options.previousJobId } : {}),
          ...(options.callbackUrl ? { callback_url: options.callbackUrl } : {}),
        },
      }),
    );
    return body.data.job_id;
  }

  /** One poll of an ask job; `waitMs` holds it on the server until the job finishes, up to that long. */
  async askJob(bucket: string, jobId: string, waitMs = 0): Promise<AskJob> {
    return this.call(() =>
      this.api.GET('/api/v1/{bucket}/ask/jobs/{jobId}', { params: { path: { bucket, jobId }, query: { wait_ms: waitMs } } }),
    );
  }

  /** Asks a question and resolves with its answer; a job that ends `failed` rejects with FlockJobError. */
  async ask(bucket: string, question: string, options: WaitOptions & SubmitOptions = {}): Promise<AskAnswer> {
    const jobId = await this.submitAsk(bucket, question, options);
    return this.waitForAsk(bucket, jobId, options);
  }

  /** Waits for an ask job already submitted. */
  async waitForAsk(bucket: string, jobId: string, options: WaitOptions = {}): Promise<AskAnswer> {
    const path = `/api/v1/${encodeURIComponent(bucket)}/ask/jobs/${encodeURIComponent(jobId)}/events`;
    const job = await this.waitFor<AskJob>(path, jobId, (waitMs) => this.askJob(bucket, jobId, waitMs), options);
    return job as AskAnswer;
  }

  /** Submits a cross-tenant query (admin keys only); resolves with its job id. */
  async submitQueryAll(request: QueryAllRequest): Promise<string> {
    const body = await this.call(() => this.api.POST('/query-all', { body: request }));
    return body.data.job_id;
  }

  async queryAllJob(jobId: string, waitMs = 0): Promise<QueryAllJob> {
    return this.call(() => this.api.GET('/query-all/jobs/{jobId}', { params: { path: { jobId }, query: { wait_ms: waitMs } } }));
  }

  /** Runs one query across tenants and resolves with the combined answer, reporting progress on the way. */
  async queryAll(request: QueryAllRequest, options: QueryAllOptions = {}): Promise<QueryAllAnswer> {
    const jobId = await this.submitQueryAll(request);
    return this.waitForQueryAll(jobId, options);
  }

  async waitForQueryAll(jobId: string, options: QueryAllOptions = {}): Promise<QueryAllAnswer> {
    const path = `/query-all/jobs/${encodeURIComponent(jobId)}/events`;
    const job = await this.waitFor<QueryAllJob>(path, jobId, (waitMs) => this.queryAllJob(jobId, waitMs), options);
    return job as QueryAllAnswer;
  }

  async tables(bucket: string): Promise<Tables> {
    return this.call(() => this.api.GET('/api/v1/{bucket}/tables', { params: { path: { bucket } } }));
  }

  async describe(bucket: string, table: string): Promise<TableDescription> {
    return this.call(() => this.api.GET('/api/v1/{bucket}/tables/{table}', { params: { path: { bucket, table } } }));
  }

  /** Runs the caller's own read-only SQL on one bucket, synchronously. */
  async query(bucket: string, sql: string): Promise<QueryResult> {
    return this.call(() => this.api.POST('/api/v1/{bucket}/query', { params: { path: { bucket } }, body: { sql } }));
  }

  /**
   * Waits for a job's final poll body: through its event stream when `transport` allows,
   * by held polls otherwise, or once the stream cannot be had. A stream the server ends
   * early (it drains, or five minutes passed) is opened again; transient refusals (429,
   * 503, a dropped connection) are retried with backoff until the timeout.
   */
  private async waitFor<J extends { data: { status: string } }>(
    eventsPath: string,
    jobId: string,
    poll: (waitMs: number) => Promise<J>,
    options: QueryAllOptions,
  ): Promise<J> {
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = options.signal;
    let streaming = (options.transport ?? 'auto') === 'auto';
    let pause = 100;
    let lastProgress = '';
    const report = (progress: QueryAllProgress | undefined) => {
      if (!progress || !options.onProgress) return;
      const key = `${progress.databases_done}/${progress.databases_total}`;
      if (key === lastProgress) return;
      lastProgress = key;
      options.onProgress(progress);
    };
    for (;;) {
      signal?.throwIfAborted();
      const left = deadline - Date.now();
      if (left <= 0) throw new FlockTimeoutError(jobId, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      try {
        let job: J | undefined;
        if (streaming) {
          const streamed = await this.streamJob<J>(eventsPath, left, signal, report);
          if (streamed === 'unavailable') streaming = false;
          else job = streamed;
        } else {
          job = await poll(Math.min(HELD_POLL_MS, left));
          report((job.data as { progress?: QueryAllProgress }).progress);
        }
        pause = 100;
        if (job && job.data.status !== 'processing') return settle(job, jobId);
      } catch (error) {
        if (!isTransient(error)) throw error;
        const retryAfter = error instanceof FlockApiError && error.retryAfterSeconds ? error.retryAfterSeconds * 1000 : 0;
        await sleep(Math.min(Math.max(pause, retryAfter), Math.max(0, deadline - Date.now())), signal);
        pause = Math.min(pause * 2, 5_000);
      }
    }
  }

  /**
   * One event stream of a job: its final poll body, `undefined` when the server ended the
   * stream before the job did, or `unavailable` when this server or a proxy on the way
   * does not stream (404 for an older API, a non-stream answer), so the caller polls.
   */
  private async streamJob<J>(
    path: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    onProgress: (progress: QueryAllProgress) => void,
  ): Promise<J | undefined | 'unavailable'> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const stop = () => controller.abort();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const response = await this.send(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`, {
        headers: { ...this.authHeaders(), Accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (response.status === 404 && !(await isApiNotFound(response.clone()))) return 'unavailable';
      if (!response.ok) throw await apiError(response);
      if (!response.headers.get('content-type')?.startsWith('text/event-stream') || !response.body) return 'unavailable';
      for await (const { event, data } of readServerEvents(response.body)) {
        if (event === 'progress') onProgress(data as QueryAllProgress);
        else if (event === 'result') return data as J;
        else if (event === 'error') throw envelopeError(data, 500);
      }
      return undefined;
    } catch (error) {
      if (controller.signal.aborted) {
        signal?.throwIfAborted();
        return undefined;
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
  }

  private authHeaders(): Record<string, string> {
    if (this.options.apiKey) return { 'X-API-Key': this.options.apiKey };
    if (this.options.token) return { Authorization: `Bearer ${this.options.token}` };
    return {};
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new FlockConnectionError(`Could not reach Flock at ${this.options.baseUrl}: ${describe(error)}`, { cause: error });
    }
  }

  /** Runs one openapi-fetch call: its body when 2xx, a typed error otherwise. */
  private async call<T>(request: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    let result: { data?: T; error?: unknown; response: Response };
    try {
      result = await request();
    } catch (error) {
      throw new FlockConnectionError(`Could not reach Flock at ${this.options.baseUrl}: ${describe(error)}`, { cause: error });
    }
    if (result.response.ok && result.data !== undefined) return result.data;
    throw envelopeError(result.error, result.response.status, result.response.headers.get('retry-after'));
  }
}

/** A job's final poll body, or FlockJobError for a failed one. */
function settle<J extends { data: { status: string } }>(job: J, jobId: string): J {
  if (job.data.status === 'failed') {
    const failed = job.data as unknown as { error_code?: string; error_message?: string };
    throw new FlockJobError(failed.error_code ?? 'failed', failed.error_message ?? 'The job failed', jobId);
  }
  return job;
}

function envelopeError(body: unknown, status: number, retryAfter?: string | null): FlockError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const seconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new FlockApiError(error.code, error.message, status, seconds);
  }
  // Not the API's envelope: a proxy's page, or something else on that port.
  if (status >= 500)
    return new FlockApiError('service_unavailable', `Flock answered HTTP ${status} without an error envelope`, status, seconds);
  return new FlockConnectionError(`HTTP ${status} without Flock's error envelope: is the URL right?`);
}

async function apiError(response: Response): Promise<FlockError> {
  const body = await response.json().catch(() => undefined);
  return envelopeError(body, response.status, response.headers.get('retry-after'));
}

/** Whether a 404 is the API's own (an unknown job, which polling would only repeat) rather than a missing route. */
async function isApiNotFound(response: Response): Promise<boolean> {
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  return !!body?.error && !/^No route for /.test(body.error.message ?? '');
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
