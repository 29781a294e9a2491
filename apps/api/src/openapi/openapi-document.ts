import { STATUS_CODES } from 'node:http';
import type Joi from 'joi';
import parseJoi from 'joi-to-json';
import { RETRY_AFTER_UNAVAILABLE_SECONDS, RateLimitedError, UnauthorizedError, type ErrorCode } from '@flock/errors';
import { askSchemas } from '../ask/ask.responses';
import { askBody } from '../ask/ask.schema';
import { healthSchemas } from '../health/health.routes';
import { ERROR_CODES, errorCodesOf, errorEnvelopeSchema, errorStatusOf } from '../http/error.middleware';
import { jobStatusEventSchema } from '../http/job-events';
import { jobSchemas } from '../http/job.responses';
import { jobWaitQuery } from '../http/job-wait';
import { bucketParam } from '../http/params';
import { knowledgeSchemas } from '../knowledge/knowledge.presenter';
import { entryIdParam, exampleBody, feedbackBody, glossaryBody, termParam } from '../knowledge/knowledge.schema';
import { queryAllSchemas } from '../query-all/query-all.responses';
import { queryAllBody } from '../query-all/query-all.schema';
import { querySchemas } from '../query/query.presenter';
import { queryBody } from '../query/query.schema';
import { schemaSchemas } from '../schema/schema.presenter';
import { seedExamples } from './examples';
import { ref, type JsonSchema } from './json-schema';

/** What the document depends on besides the code: the limits this deployment runs with. */
export interface OpenApiOptions {
  /** FLOCK_MAX_QUESTION_LENGTH: the request schemas' `maxLength` of a question. */
  maxQuestionLength: number;
}

/**
 * joi's `xor` as OpenAPI readers know it, `oneOf` two `required`s; joi-to-json's default
 * (if/then/else over propertyNames) is equivalent but no client generator reads it.
 */
const xorAsOneOf = (schema: JsonSchema, dependency: { peers: string[] }) => {
  schema.oneOf = dependency.peers.map((peer) => ({ required: [peer] }));
};

/** A joi schema of the routes, as the request schema it is: one source for validation and document. */
function fromJoi(schema: Joi.Schema): JsonSchema {
  return parseJoi(schema, 'open-api-3.1', {}, { logicalOpParser: { xor: xorAsOneOf } }) as JsonSchema;
}

const json = (schema: JsonSchema, examples?: Record<string, unknown>) => ({
  'application/json': {
    schema,
    ...(examples ? { examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])) } : {}),
  },
});

/** The statuses errors come in, each a `components.responses` entry named `Error{status}`. */
const ERROR_STATUSES = [...new Set(ERROR_CODES.map(errorStatusOf))].sort((a, b) => a - b);

/** Where a status's example message comes from: the seeds where they have one, the code otherwise. */
const ERROR_EXAMPLES: Record<number, { code: ErrorCode; message: string; error_id?: string }> = {
  400: { code: 'bad_request', message: "Missing 'sql' field" },
  401: { code: 'unauthorized', message: new UnauthorizedError().message },
  403: { code: 'forbidden', message: "Access denied to bucket 'example'" },
  404: { code: 'not_found', message: 'Unknown table: foo' },
  408: { code: 'query_timeout', message: 'The query ran longer than its time limit of 30 s.' },
  413: { code: 'payload_too_large', message: 'Request body is too large' },
  415: { code: 'unsupported_media_type', message: 'Request body must be JSON (Content-Type: application/json)' },
  422: { code: 'execution_failed', message: 'The query failed: Catalog Error: Table with name foo does not exist!' },
  429: { code: 'rate_limited', message: new RateLimitedError(RETRY_AFTER_UNAVAILABLE_SECONDS).message },
  500: {
    code: 'internal_error',
    message: 'An unexpected error occurred. Quote error id 0b8a47a5-6c2e-4d43-9d0e-3f1f7e7f9a11 when reporting it.',
    error_id: '0b8a47a5-6c2e-4d43-9d0e-3f1f7e7f9a11',
  },
  503: { code: 'service_unavailable', message: 'Flock cannot reach its job store right now. Try again shortly.' },
};

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } },
};

function errorResponse(status: number): JsonSchema {
  const codes = errorCodesOf(status);
  const example = ERROR_EXAMPLES[status];
  return {
    description: `${STATUS_CODES[status]}: \`error.code\` is ${codes.map((code) => `\`${code}\``).join(' or ')}.`,
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
    content: json(errorEnvelopeSchema(codes), example ? { [example.code]: { error: example } } : undefined),
  };
}

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    [...new Set(statuses)].sort((a, b) => a - b).map((status) => [String(status), { $ref: `#/components/responses/Error${status}` }]),
  );

/** Every authenticated route may answer these: no or a bad credential, too many requests, Redis away, a bug. */
const AUTHENTICATED = [401, 429, 500, 503];
/** Per-tenant routes add an invalid bucket id (or path), a bucket not the caller's, and one with no warehouse. */
const PER_BUCKET = [...AUTHENTICATED, 400, 403, 404];
/** Routes that take a body. */
const WITH_BODY = [413, 415];
/** Routes answered synchronously by a worker's job also carry its failures. */
const SYNCHRONOUS = [408, 422];

const BUCKET = { $ref: '#/components/parameters/bucket' };
const JOB_ID = { $ref: '#/components/parameters/jobId' };
const WAIT_MS = { $ref: '#/components/parameters/wait_ms' };
const TABLE = { $ref: '#/components/parameters/table' };
const TERM = { $ref: '#/components/parameters/term' };
const ENTRY_ID = { $ref: '#/components/parameters/entryId' };
const NO_CREDENTIALS: unknown[] = [];

/** A read of a bucket's schema, answered synchronously once a worker has read it. */
function schemaRead(operationId: string, summary: string, body: string, parameters: unknown[]): JsonSchema {
  return {
    operationId,
    tags: ['schema'],
    summary,
    parameters,
    responses: { '200': { description: summary, content: json(ref(body)) }, ...errors(...PER_BUCKET, ...SYNCHRONOUS) },
  };
}

function eventStream(description: string, events: Record<string, JsonSchema>): JsonSchema {
  return {
    description,
    headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } },
    content: {
      'text/event-stream': {
        schema: { type: 'string', description: 'Server-Sent Events; each event’s `data` is one line of JSON.' },
      },
    },
    // OpenAPI 3.1 cannot type the events of a stream; a typed client reads them here.
    'x-events': events,
  };
}

/**
 * The OpenAPI 3.1 document of the API, built from the code: request schemas from the
 * routes' joi schemas, response schemas from the presenters that produce the bodies,
 * error codes from @flock/errors. Served at /openapi.json and committed as
 * docs/openapi.json (`pnpm openapi`).
 */
export function openApiDocument(options: OpenApiOptions): JsonSchema {
  const waitMs = (fromJoi(jobWaitQuery).properties as Record<string, JsonSchema>).wait_ms!;
  const examples = seedExamples;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Flock API',
      version: '1',
      summary: 'Ask your data: questions in, SQL proven safe, answers out.',
      description: [
        'Multi-tenant “ask your data”. Each tenant’s data is a bucket; a question is answered',
        'asynchronously (submit, then poll or stream the job), a caller’s own read-only SQL',
        'synchronously. Responses may gain fields; fields are never renamed.',
        '',
        'Authenticate with exactly one of an API key (`X-API-Key`) or a user’s JWT',
        '(`Authorization: Bearer`); a request with both is refused.',
      ].join('\n'),
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'The API this document is served by.' }],
    security: [{ apiKey: [] }, { bearer: [] }],
    tags: [
      { name: 'ask', description: 'Questions in natural language, answered by a job.' },
      { name: 'query-all', description: 'One query over many tenants (admin keys only).' },
      { name: 'schema', description: 'A bucket’s tables.' },
      { name: 'query', description: 'A caller’s own read-only SQL.' },
      {
        name: 'knowledge',
        description: 'What a tenant teaches Flock: glossary terms, example questions with their SQL, and feedback on answers.',
      },
      { name: 'operations', description: 'Probes, metrics and this document: no tenant data.' },
    ],
    paths: {
      '/api/v1/{bucket}/ask': {
        post: {
          operationId: 'askSubmit',
          tags: ['ask'],
          summary: 'Submit a question',
          description: [
            'Queues a natural-language question about the bucket’s data; poll or stream the job for its answer.',
            'With `wait_ms`, the call itself waits up to that long for the answer: 200 with the finished job',
            '(the poll’s body), or 202 as without it when the job is still processing by then.',
          ].join(' '),
          parameters: [
            BUCKET,
            {
              name: 'wait_ms',
              in: 'query',
              required: false,
              description: 'Wait up to this long (milliseconds) for the job to finish and answer with it; 0 answers at once.',
              schema: waitMs,
            },
          ],
          requestBody: {
            required: true,
            content: json(fromJoi(askBody(options.maxQuestionLength)), examples.askRequests),
          },
          responses: {
            '200': {
              description: 'The job, finished within `wait_ms`.',
              content: json(ref('AskJob'), { completed: examples.askPoll.completed, failed: examples.askPoll.failed }),
            },
            '202': { description: 'Job submitted.', content: json(ref('JobSubmitted'), { submitted: examples.askSubmitted }) },
            ...errors(...PER_BUCKET, ...WITH_BODY),
          },
        },
      },
      '/api/v1/{bucket}/ask/jobs/{jobId}': {
        get: {
          operationId: 'askPoll',
          tags: ['ask'],
          summary: 'Poll a question’s job',
          description: [
            'The job in one of three shapes, told apart by `data.status`: `processing`, `completed`',
            '(the generated SQL and its results) or `failed`. Jobs expire an hour after they were submitted.',
            'A user (Bearer) sees only the jobs they submitted; an API key sees every job of its buckets.',
            'Another caller’s job, or another bucket’s, is 404 like an unknown id.',
          ].join(' '),
          parameters: [BUCKET, JOB_ID, WAIT_MS],
          responses: {
            '200': { description: 'The job.', content: json(ref('AskJob'), examples.askPoll) },
            ...errors(...PER_BUCKET),
          },
        },
      },
      '/api/v1/{bucket}/ask/jobs/{jobId}/events': {
        get: {
          operationId: 'askEvents',
          tags: ['ask'],
          summary: 'Stream a question’s job',
          description: [
            'The job as Server-Sent Events, with the poll’s authorisation: `status` at once, then',
            '`result` (the poll’s body) when it finishes, and the stream ends. A stream may also end',
            'without a result (after five minutes, or when this replica shuts down): reconnect.',
            'A failure after the stream started comes as an `error` event in the error envelope.',
          ].join(' '),
          parameters: [BUCKET, JOB_ID],
          responses: {
            '200': eventStream('The job’s events.', {
              status: jobStatusEventSchema,
              result: ref('AskJob'),
              error: errorEnvelopeSchema(ERROR_CODES),
            }),
            ...errors(...PER_BUCKET),
          },
        },
      },
      '/api/v1/{bucket}/ask/jobs/{jobId}/chart.svg': {
        get: {
          operationId: 'askChart',
          tags: ['ask'],
          summary: 'Draw a question’s answer as a chart',
          description: [
            'The completed answer’s `meta.chart` (a Vega-Lite spec), drawn on the server as SVG, with the poll’s',
            'authorisation. 404 when the job is unknown, not completed, or its answer suits no chart.',
          ].join(' '),
          parameters: [BUCKET, JOB_ID],
          responses: {
            '200': {
              description: 'The chart.',
              content: { 'image/svg+xml': { schema: { type: 'string', description: 'An SVG document.' } } },
            },
            ...errors(...PER_BUCKET),
          },
        },
      },
      '/api/v1/{bucket}/ask/jobs/{jobId}/feedback': {
        post: {
          operationId: 'askFeedback',
          tags: ['knowledge'],
          summary: 'Say whether an answer was right',
          description: [
            'On one of the caller’s own finished asks (the poll’s visibility rule). Corrected `sql` is validated and run',
            'on the bucket, then kept as a candidate example a tenant admin may promote; an answer marked correct is a',
            'candidate with its own SQL. Feedback is kept with the bucket’s knowledge and outlives the job’s hour.',
          ].join(' '),
          parameters: [BUCKET, JOB_ID],
          requestBody: {
            required: true,
            content: json(fromJoi(feedbackBody), {
              corrected: {
                correct: false,
                sql: "SELECT count(*) FROM member WHERE status = 'cancelled'",
                comment: 'Cancelled, not paused.',
              },
            }),
          },
          responses: {
            '201': { description: 'The feedback as stored.', content: json(ref('FeedbackSaved')) },
            ...errors(...PER_BUCKET, ...WITH_BODY, ...SYNCHRONOUS),
          },
        },
      },
      '/api/v1/{bucket}/knowledge': {
        get: {
          operationId: 'knowledgeRead',
          tags: ['knowledge'],
          summary: 'Read a bucket’s glossary and examples',
          parameters: [BUCKET],
          responses: {
            '200': { description: 'The knowledge the engines use.', content: json(ref('Knowledge')) },
            ...errors(...PER_BUCKET),
          },
        },
      },
      '/api/v1/{bucket}/knowledge/glossary/{term}': {
        put: {
          operationId: 'glossaryDefine',
          tags: ['knowledge'],
          summary: 'Define a word or phrase',
          description: [
            'Creates or replaces a glossary term: a `filter` (a condition on the table’s rows), a `column` (a value of',
            'each row) or a `measure` (sum, avg, min or max over rows). The definition is tried on the bucket before it is',
            'saved: a missing column, a syntax error or a value of the wrong type is refused with 400. Tenant admins only.',
          ].join(' '),
          parameters: [BUCKET, TERM],
          requestBody: {
            required: true,
            content: json(fromJoi(glossaryBody), { filter: { table: 'member', kind: 'filter', sql: "status = 'cancelled'" } }),
          },
          responses: {
            '200': { description: 'The term as saved.', content: json(ref('GlossaryTermSaved')) },
            ...errors(...PER_BUCKET, ...WITH_BODY, ...SYNCHRONOUS),
          },
        },
        delete: {
          operationId: 'glossaryRemove',
          tags: ['knowledge'],
          summary: 'Remove a glossary term',
          parameters: [BUCKET, TERM],
          responses: { '204': { description: 'Removed.' }, ...errors(...PER_BUCKET) },
        },
      },
      '/api/v1/{bucket}/knowledge/examples': {
        post: {
          operationId: 'exampleAdd',
          tags: ['knowledge'],
          summary: 'Save an example question with its SQL',
          description: 'The SQL is validated and run on the bucket before it is saved. Tenant admins only.',
          parameters: [BUCKET],
          requestBody: {
            required: true,
            content: json(fromJoi(exampleBody), {
              example: { question: 'How many members cancelled?', sql: "SELECT count(*) FROM member WHERE status = 'cancelled'" },
            }),
          },
          responses: {
            '201': { description: 'The example as saved.', content: json(ref('ExampleSaved')) },
            ...errors(...PER_BUCKET, ...WITH_BODY, ...SYNCHRONOUS),
          },
        },
      },
      '/api/v1/{bucket}/knowledge/examples/{id}': {
        delete: {
          operationId: 'exampleRemove',
          tags: ['knowledge'],
          summary: 'Remove an example',
          parameters: [BUCKET, ENTRY_ID],
          responses: { '204': { description: 'Removed.' }, ...errors(...PER_BUCKET) },
        },
      },
      '/api/v1/{bucket}/knowledge/feedback': {
        get: {
          operationId: 'feedbackList',
          tags: ['knowledge'],
          summary: 'List feedback on the bucket’s answers',
          description: 'Oldest first. Tenant admins only.',
          parameters: [
            BUCKET,
            { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['noted', 'candidate', 'promoted'] } },
          ],
          responses: { '200': { description: 'The feedback.', content: json(ref('FeedbackList')) }, ...errors(...PER_BUCKET) },
        },
      },
      '/api/v1/{bucket}/knowledge/feedback/{id}': {
        delete: {
          operationId: 'feedbackDismiss',
          tags: ['knowledge'],
          summary: 'Dismiss feedback',
          parameters: [BUCKET, ENTRY_ID],
          responses: { '204': { description: 'Removed.' }, ...errors(...PER_BUCKET) },
        },
      },
      '/api/v1/{bucket}/knowledge/feedback/{id}/promote': {
        post: {
          operationId: 'feedbackPromote',
          tags: ['knowledge'],
          summary: 'Make a candidate an example',
          description: 'Its SQL is run again on the bucket first. Tenant admins only.',
          parameters: [BUCKET, ENTRY_ID],
          responses: {
            '201': { description: 'The example it became.', content: json(ref('ExampleSaved')) },
            ...errors(...PER_BUCKET, ...SYNCHRONOUS),
          },
        },
      },
      '/api/v1/{bucket}/tables': { get: schemaRead('listTables', 'List a bucket’s tables', 'TableList', [BUCKET]) },
      '/api/v1/{bucket}/tables/{table}': {
        get: schemaRead('describeTable', 'Describe one table: its columns and keys', 'TableDescription', [BUCKET, TABLE]),
      },
      '/api/v1/{bucket}/query': {
        post: {
          operationId: 'runQuery',
          tags: ['query'],
          summary: 'Run read-only SQL',
          description:
            'Runs one read-only statement on the bucket and answers when it has run. SQL that is not provably read-only is refused with `validation_failed`.',
          parameters: [BUCKET],
          requestBody: { required: true, content: json(fromJoi(queryBody), { count: { sql: 'SELECT count(*) FROM member' } }) },
          responses: {
            '200': { description: 'The results.', content: json(ref('QueryResult')) },
            ...errors(...PER_BUCKET, ...WITH_BODY, ...SYNCHRONOUS),
          },
        },
      },
      '/query-all': {
        post: {
          operationId: 'queryAllSubmit',
          tags: ['query-all'],
          summary: 'Submit a cross-tenant query',
          description: [
            'Runs `sql`, or SQL generated from `question`, on every bucket (or those in `buckets`),',
            'skipping buckets without `table` when it is given, and combines the answers with a',
            'leading `_bucket` column. Admin API keys only.',
          ].join(' '),
          requestBody: {
            required: true,
            content: json(fromJoi(queryAllBody(options.maxQuestionLength)), examples.queryAllRequests),
          },
          responses: {
            '202': { description: 'Job submitted.', content: json(ref('JobSubmitted'), { submitted: examples.queryAllSubmitted }) },
            ...errors(...AUTHENTICATED, 400, 403, ...WITH_BODY),
          },
        },
      },
      '/query-all/jobs/{jobId}': {
        get: {
          operationId: 'queryAllPoll',
          tags: ['query-all'],
          summary: 'Poll a cross-tenant job',
          description:
            'The job in one of three shapes, told apart by `data.status`; while it runs, once planned, with its `progress`. Admin API keys only.',
          parameters: [JOB_ID, WAIT_MS],
          responses: {
            '200': { description: 'The job.', content: json(ref('QueryAllJob'), examples.queryAllPoll) },
            ...errors(...AUTHENTICATED, 400, 403, 404),
          },
        },
      },
      '/query-all/jobs/{jobId}/events': {
        get: {
          operationId: 'queryAllEvents',
          tags: ['query-all'],
          summary: 'Stream a cross-tenant job',
          description: [
            'The job as Server-Sent Events: `status` at once, `progress` whenever the count of',
            'databases that answered moves, then `result` (the poll’s body), and the stream ends.',
            'It may end without a result: reconnect. Admin API keys only.',
          ].join(' '),
          parameters: [JOB_ID],
          responses: {
            '200': eventStream('The job’s events.', {
              status: jobStatusEventSchema,
              progress: ref('QueryAllProgress'),
              result: ref('QueryAllJob'),
              error: errorEnvelopeSchema(ERROR_CODES),
            }),
            ...errors(...AUTHENTICATED, 400, 403, 404),
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'live',
          tags: ['operations'],
          summary: 'Liveness',
          security: NO_CREDENTIALS,
          responses: { '200': { description: 'The process runs.', content: json(ref('Live')) } },
        },
      },
      '/readyz': {
        get: {
          operationId: 'ready',
          tags: ['operations'],
          summary: 'Readiness',
          description: 'Whether this process takes traffic: Redis takes writes and it is not shutting down.',
          security: NO_CREDENTIALS,
          responses: { '200': { description: 'Ready.', content: json(ref('Ready')) }, ...errors(503) },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          tags: ['operations'],
          summary: 'Prometheus metrics',
          description: 'Admin API keys only; 404 when FLOCK_METRICS is off.',
          responses: {
            '200': { description: 'Metrics in the Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } },
            ...errors(...AUTHENTICATED, 403, 404),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openApi',
          tags: ['operations'],
          summary: 'This document',
          security: NO_CREDENTIALS,
          responses: { '200': { description: 'The OpenAPI document.', content: json({ type: 'object' }) } },
        },
      },
      '/docs': {
        get: {
          operationId: 'docs',
          tags: ['operations'],
          summary: 'This document, rendered',
          security: NO_CREDENTIALS,
          responses: { '200': { description: 'A reference page (Swagger UI).', content: { 'text/html': { schema: { type: 'string' } } } } },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description: 'A service’s API key; admin keys may use every bucket and /query-all.',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A user’s JWT; its claims name the buckets it may use.',
        },
      },
      parameters: {
        bucket: {
          name: 'bucket',
          in: 'path',
          required: true,
          description: 'Flock bucket id. The caller must have access to this bucket.',
          schema: fromJoi(bucketParam),
          example: 'example',
        },
        jobId: {
          name: 'jobId',
          in: 'path',
          required: true,
          description: 'Job id returned by the submission.',
          schema: ref('JobId'),
          example: 'a6220339-7ed3-42cf-b93a-67f78043567a',
        },
        table: { name: 'table', in: 'path', required: true, description: 'Table name, as listed.', schema: { type: 'string' } },
        term: {
          name: 'term',
          in: 'path',
          required: true,
          description: 'A glossary term, URL-encoded.',
          schema: fromJoi(termParam),
          example: 'churned',
        },
        entryId: {
          name: 'id',
          in: 'path',
          required: true,
          description: 'An example’s or a feedback entry’s id.',
          schema: fromJoi(entryIdParam),
        },
        wait_ms: {
          name: 'wait_ms',
          in: 'query',
          required: false,
          description: 'Hold the poll until the job finishes, up to this long (milliseconds); 0 answers at once.',
          schema: waitMs,
        },
      },
      schemas: {
        ...jobSchemas,
        ...askSchemas,
        ...queryAllSchemas,
        ...schemaSchemas,
        ...querySchemas,
        ...knowledgeSchemas,
        ...healthSchemas,
      },
      responses: Object.fromEntries(ERROR_STATUSES.map((status) => [`Error${status}`, errorResponse(status)])),
    },
  };
}
