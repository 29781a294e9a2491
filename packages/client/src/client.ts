import createClient, { type Client } from 'openapi-fetch';
import { FlockApiError, FlockConnectionError, FlockError, FlockJobError, FlockTimeoutError, isTransient } from './errors';
import type { components, paths } from './generated/openapi';
import { readServerEvents } from './sse';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 202: infer A }
      ? Json<A>
      : R extends { 201: infer A }
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
/** A bucket's glossary and examples, at their revision. */
export type Knowledge = Ok<'/api/v1/{bucket}/knowledge', 'get'>;
export type GlossaryTerm = components['schemas']['GlossaryTerm'];
export type Example = components['schemas']['Example'];
export type Feedback = components['schemas']['Feedback'];
/** What a glossary term means: `PUT …/knowledge/glossary/{term}`'s body. */
export type TermDefinition = NonNullable<
  paths['/api/v1/{bucket}/knowledge/glossary/{term}']['put']['requestBody']
>['content']['application/json'];
/** A verdict on an answer: `POST …/ask/jobs/{jobId}/feedback`'s body. */
export type FeedbackInput = NonNullable<
  paths['/api/v1/{bucket}/ask/jobs/{jobId}/feedback']['post']['requestBody']
>['content']['application/json'];

export interface FlockClientOptions {
  /** Where the API listens, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** A service key, sent as `X-API-Key`. Give this or `token`, not both. */
  apiKey?: string;
  /** A user's JWT, sent as `Authorization: Bearer`. */
  token?: string;
  /** A fetch of your own (a proxy agent, a test double of the network); the global one by default. */
  fetch?: typeof fetch;
  /**
   * One request is abandoned after this long (a held poll's wait comes on top), so a
   * server that takes a connection and never answers cannot hang the caller. Default
   * 150 s: above the API's own limits (a query runs at most 120 s).
   */
  requestTimeoutMs?: number;
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

export interface AskOptions extends WaitOptions, SubmitOptions {
  /**
   * How long the submitting POST itself waits on the server for the answer (`wait_ms`),
   * so that a quick answer takes one request; a slower one is then streamed or polled
   * as `transport` says. Default 5 s; 0 submits, then waits apart.
   */
  submitWaitMs?: number;
}

export interface QueryAllOptions extends WaitOptions {
  /** Called whenever the count of databases that answered moves. */
  onProgress?: (progress: QueryAllProgress) => void;
}

/** The longest wait the API accepts in `wait_ms`. */
const MAX_SERVER_WAIT_MS = 20_000;
/** The longest a held poll waits on the server. */
const HELD_POLL_MS = 15_000;
/**
 * The submitting POST's default wait: most answers take well under a second. Shorter
 * than a held poll's, as a POST cut on the way loses its job id where a poll is only
 * sent again.
 */
const SUBMIT_WAIT_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 600_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 150_000;
/** A stream that ends sooner than this without the answer is opened again only after a pause. */
const SHORT_STREAM_MS = 2_000;

/**
 * A typed client for the Flock API. The request and response types come from the
 * OpenAPI document the server serves (`pnpm openapi` writes it; `pnpm --filter
 * @flock/client generate` turns it into `src/generated/openapi.ts`); this layer adds
 * what a spec cannot say: waiting for a job's answer, progress, and typed errors.
 */
export class FlockClient {
  private readonly api: Client<paths>;
  private readonly fetch: typeof fetch;
  /** The base URL without a trailing slash, and the credential's header: for openapi-fetch and the event streams alike. */
  private readonly baseUrl: string;
  private readonly headers: Record<string, string> = {};

  constructor(private readonly options: FlockClientOptions) {
    if (options.apiKey && options.token) throw new FlockError('bad_request', 'Give an API key or a token, not both');
    if (options.apiKey) this.headers['X-API-Key'] = options.apiKey;
    if (options.token) this.headers.Authorization = `Bearer ${options.token}`;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Bound: a browser's fetch throws "Illegal invocation" when called as a method of something else.
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.api = createClient<paths>({ baseUrl: this.baseUrl, headers: this.headers, fetch: this.fetch });
  }

  /**
   * Submits a question; resolves with its job id once the API accepted it (202).
   * `previousJobId` makes it a follow-up ("only for 2024") of that earlier answer;
   * `callbackUrl` has Flock POST the final poll body there, signed (see the README's webhooks).
   */
  async submitAsk(bucket: string, question: string, options: SubmitOptions & { signal?: AbortSignal } = {}): Promise<string> {
    return (await this.postAsk(bucket, question, options, 0)).data.job_id;
  }

  /** The ask's POST, waiting on the server up to `waitMs` for the answer: the finished job, or the submitted one. */
  private async postAsk(bucket: string, question: string, options: SubmitOptions & { signal?: AbortSignal }, waitMs: number) {
    return this.call(
      (signal) =>
        this.api.POST('/api/v1/{bucket}/ask', {
          params: { path: { bucket }, ...(waitMs > 0 ? { query: { wait_ms: waitMs } } : {}) },
          body: {
            question,
            ...(options.previousJobId ? { previous_job_id: options.previousJobId } : {}),
            ...(options.callbackUrl ? { callback_url: options.callbackUrl } : {}),
          },
          signal,
        }),
      options.signal,
      waitMs,
    );
  }

  /** One poll of an ask job; `waitMs` holds it on the server until the job finishes, up to that long. */
  async askJob(bucket: string, jobId: string, waitMs = 0, signal?: AbortSignal): Promise<AskJob> {
    return this.call(
      (limit) =>
        this.api.GET('/api/v1/{bucket}/ask/jobs/{jobId}', {
          params: { path: { bucket, jobId }, query: { wait_ms: waitMs } },
          signal: limit,
        }),
      signal,
      waitMs,
    );
  }

  /** An answered ask's `meta.chart`, drawn by the server as SVG; FlockApiError `not_found` when the answer has no chart. */
  async chartSvg(bucket: string, jobId: string, signal?: AbortSignal): Promise<string> {
    return this.call(
      (limit) =>
        this.api.GET('/api/v1/{bucket}/ask/jobs/{jobId}/chart.svg', {
          params: { path: { bucket, jobId } },
          parseAs: 'text',
          signal: limit,
        }),
      signal,
    );
  }

  /**
   * Asks a question and resolves with its answer; a job that ends `failed` rejects with
   * FlockJobError. A quick answer comes back with the POST itself (see `submitWaitMs`).
   */
  async ask(bucket: string, question: string, options: AskOptions = {}): Promise<AskAnswer> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = Date.now();
    const waitMs = Math.min(options.submitWaitMs ?? SUBMIT_WAIT_MS, timeoutMs, MAX_SERVER_WAIT_MS);
    const posted = await this.postAsk(bucket, question, options, Math.max(0, Math.floor(waitMs)));
    // 200 brings the finished job, its poll's body; 202, or an API without the wait, the id to wait on.
    if (posted.data.status !== 'processing') return settle(posted as AskJob, posted.data.job_id) as AskAnswer;
    // The POST's wait counts against the caller's timeout.
    return this.waitForAskSince(bucket, posted.data.job_id, options, started);
  }

  /** Waits for an ask job already submitted. */
  async waitForAsk(bucket: string, jobId: string, options: WaitOptions = {}): Promise<AskAnswer> {
    return this.waitForAskSince(bucket, jobId, options, Date.now());
  }

  private async waitForAskSince(bucket: string, jobId: string, options: WaitOptions, started: number): Promise<AskAnswer> {
    const path = `/api/v1/${encodeURIComponent(bucket)}/ask/jobs/${encodeURIComponent(jobId)}/events`;
    const poll = (waitMs: number) => this.askJob(bucket, jobId, waitMs, options.signal);
    return (await this.waitFor<AskJob>(path, jobId, poll, options, started)) as AskAnswer;
  }

  /** Submits a cross-tenant query (admin keys only); resolves with its job id. */
  async submitQueryAll(request: QueryAllRequest, signal?: AbortSignal): Promise<string> {
    const body = await this.call((limit) => this.api.POST('/query-all', { body: request, signal: limit }), signal);
    return body.data.job_id;
  }

  async queryAllJob(jobId: string, waitMs = 0, signal?: AbortSignal): Promise<QueryAllJob> {
    return this.call(
      (limit) => this.api.GET('/query-all/jobs/{jobId}', { params: { path: { jobId }, query: { wait_ms: waitMs } }, signal: limit }),
      signal,
      waitMs,
    );
  }

  /** Runs one query across tenants and resolves with the combined answer, reporting progress on the way. */
  async queryAll(request: QueryAllRequest, options: QueryAllOptions = {}): Promise<QueryAllAnswer> {
    const jobId = await this.submitQueryAll(request, options.signal);
    return this.waitForQueryAll(jobId, options);
  }

  async waitForQueryAll(jobId: string, options: QueryAllOptions = {}): Promise<QueryAllAnswer> {
    const path = `/query-all/jobs/${encodeURIComponent(jobId)}/events`;
    const job = await this.waitFor<QueryAllJob>(path, jobId, (waitMs) => this.queryAllJob(jobId, waitMs, options.signal), options);
    return job as QueryAllAnswer;
  }

  async tables(bucket: string): Promise<Tables> {
    return this.call((signal) => this.api.GET('/api/v1/{bucket}/tables', { params: { path: { bucket } }, signal }));
  }

  async describe(bucket: string, table: string): Promise<TableDescription> {
    return this.call((signal) => this.api.GET('/api/v1/{bucket}/tables/{table}', { params: { path: { bucket, table } }, signal }));
  }

  /** Runs the caller's own read-only SQL on one bucket, synchronously. */
  async query(bucket: string, sql: string): Promise<QueryResult> {
    return this.call((signal) => this.api.POST('/api/v1/{bucket}/query', { params: { path: { bucket } }, body: { sql }, signal }));
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
    started = Date.now(),
  ): Promise<J> {
    const deadline = started + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
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
          const opened = Date.now();
          const streamed = await this.streamJob<J>(eventsPath, left, signal, report);
          if (streamed === 'unavailable') streaming = false;
          else if (streamed === undefined && Date.now() - opened < SHORT_STREAM_MS) {
            // Ended at once without the answer (a draining replica still in the balancer):
            // a pause before the next, growing, so clients do not hammer it.
            await sleep(Math.min(pause, Math.max(0, deadline - Date.now())), signal);
            pause = Math.min(pause * 2, 5_000);
            continue;
          } else job = streamed;
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
      const response = await this.send(`${this.baseUrl}${path}`, {
        headers: { ...this.headers, Accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (!response.ok) {
        // The API's own refusal (an unknown job, 401, 429) is the answer; anything else on
        // the way (an older API's missing route, a proxy's page) means: poll instead.
        const refusal = await apiError(response);
        if (refusal instanceof FlockApiError && !(response.status === 404 && /^No route for /.test(refusal.message))) throw refusal;
        return 'unavailable';
      }
      if (!response.headers.get('content-type')?.startsWith('text/event-stream') || !response.body) return 'unavailable';
      for await (const { event, data } of readServerEvents(response.body)) {
        if (event === 'progress') onProgress(data as QueryAllProgress);
        else if (event === 'result') return data as J;
        else if (event === 'error') throw envelopeError(data, statusOfCode(data));
      }
      return undefined;
    } catch (error) {
      if (controller.signal.aborted) {
        signal?.throwIfAborted();
        return undefined;
      }
      if (error instanceof FlockError) throw error;
      // The connection dropped mid-stream (a replica went away): retried like any dropped connection.
      throw new FlockConnectionError(`The event stream from ${this.options.baseUrl} broke off: ${describe(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      // Whatever was left of the response is not read: let its connection go now.
      controller.abort();
    }
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new FlockConnectionError(`Could not reach Flock at ${this.options.baseUrl}: ${describe(error)}`, { cause: error });
    }
  }

  /** The bucket's glossary and examples. */
  async knowledge(bucket: string): Promise<Knowledge> {
    return this.call((signal) => this.api.GET('/api/v1/{bucket}/knowledge', { params: { path: { bucket } }, signal }));
  }

  /** Defines (or replaces) a glossary term; tenant admins. The API tries it on the bucket first. */
  async defineTerm(bucket: string, term: string, definition: TermDefinition): Promise<GlossaryTerm> {
    const body = await this.call((signal) =>
      this.api.PUT('/api/v1/{bucket}/knowledge/glossary/{term}', { params: { path: { bucket, term } }, body: definition, signal }),
    );
    return body.data;
  }

  async removeTerm(bucket: string, term: string): Promise<void> {
    await this.callNoContent((signal) =>
      this.api.DELETE('/api/v1/{bucket}/knowledge/glossary/{term}', { params: { path: { bucket, term } }, signal }),
    );
  }

  /** Saves an example question with SQL that answers it; tenant admins. */
  async addExample(bucket: string, question: string, sql: string): Promise<Example> {
    const body = await this.call((signal) =>
      this.api.POST('/api/v1/{bucket}/knowledge/examples', { params: { path: { bucket } }, body: { question, sql }, signal }),
    );
    return body.data;
  }

  /** Says whether one of your answers was right, with the right SQL when it was not. */
  async giveFeedback(bucket: string, jobId: string, input: FeedbackInput): Promise<Feedback> {
    const body = await this.call((signal) =>
      this.api.POST('/api/v1/{bucket}/ask/jobs/{jobId}/feedback', { params: { path: { bucket, jobId } }, body: input, signal }),
    );
    return body.data;
  }

  /** Feedback on the bucket's answers, oldest first; tenant admins. */
  async feedback(bucket: string, status?: Feedback['status']): Promise<Feedback[]> {
    const body = await this.call((signal) =>
      this.api.GET('/api/v1/{bucket}/knowledge/feedback', { params: { path: { bucket }, query: status ? { status } : {} }, signal }),
    );
    return body.data;
  }

  /** Makes a feedback candidate an example; tenant admins. */
  async promote(bucket: string, feedbackId: string): Promise<Example> {
    const body = await this.call((signal) =>
      this.api.POST('/api/v1/{bucket}/knowledge/feedback/{id}/promote', { params: { path: { bucket, id: feedbackId } }, signal }),
    );
    return body.data;
  }

  /** A call answered 204 No Content. */
  private async callNoContent(request: (signal: AbortSignal) => Promise<{ error?: unknown; response: Response }>): Promise<void> {
    await this.call(async (signal) => {
      const result = await request(signal);
      return result.response.status === 204 ? { ...result, data: true } : result;
    });
  }

  /**
   * Runs one openapi-fetch call: its body when 2xx, a typed error otherwise. Each call
   * has a time limit (`requestTimeoutMs`; a held poll's wait on top), and stops at once
   * when the caller's `signal` aborts.
   */
  private async call<T>(
    request: (signal: AbortSignal) => Promise<{ data?: T; error?: unknown; response: Response }>,
    signal?: AbortSignal,
    extraMs = 0,
  ): Promise<T> {
    const limitMs = (this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) + extraMs;
    const limit = AbortSignal.timeout(limitMs);
    let result: { data?: T; error?: unknown; response: Response };
    try {
      result = await request(signal ? AbortSignal.any([signal, limit]) : limit);
    } catch (error) {
      signal?.throwIfAborted();
      const why = limit.aborted ? `no answer within ${limitMs} ms` : describe(error);
      throw new FlockConnectionError(`Could not reach Flock at ${this.options.baseUrl}: ${why}`, { cause: error });
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

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** The HTTP status a refusal sent inside a stream would have had, so it is retried like the poll's. */
function statusOfCode(body: unknown): number {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return code === 'service_unavailable' ? 503 : code === 'rate_limited' ? 429 : 500;
}
