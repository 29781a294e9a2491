import Joi from 'joi';
import { BUCKET_ID_PART, SIZE_PATTERN } from '@flock/schema';
import { group, optional, readTable, section, setting, settingsOf, type ConfigOf } from './table';

export const SQL_GENERATOR_KINDS = ['builtin', 'motherduck', 'openai'] as const;
export type SqlGeneratorKind = (typeof SQL_GENERATOR_KINDS)[number];

/** A size as DuckDB reads it, e.g. 512MB or 2GiB. */
const size = (fallback: string) =>
  Joi.string()
    .pattern(SIZE_PATTERN)
    .default(fallback)
    .messages({ 'string.pattern.base': '{{#label}} must be a size such as 512MB or 2GB' });

/** Operators think of durations in seconds; timers take ms. */
const seconds = (env: string, fallback: number, doc: string, min = 0.1) =>
  setting({ env, rule: Joi.number().min(min).max(86_400).default(fallback), doc, read: (value) => Math.round(value * 1000) });

/**
 * Every setting Flock reads, once. The config's type, its validation, the README's table
 * and .env.example all come from here (`pnpm config:docs` rewrites the last two).
 *
 * The order is joi's order of checks, so it decides which variable an error names first
 * when several are wrong.
 */
export const settings = {
  ...section('API', {
    port: setting({ env: 'PORT', rule: Joi.number().port().default(3000), doc: 'API port' }),
    host: setting({
      env: 'HOST',
      rule: Joi.string().hostname().default('0.0.0.0'),
      doc: "bind address of the API, and of the worker's and the API's operations ports",
    }),
    checkResponses: setting({
      env: 'FLOCK_CHECK_RESPONSES',
      rule: Joi.boolean().truthy('1').falsy('0').default(false),
      doc: 'check every API response against the OpenAPI document (`/openapi.json`) and answer one that does not match with a 500 `internal_error` naming the mismatch; the tests turn it on, so the document cannot drift from the code',
    }),
  }),
  ...section('Operations (probes and metrics)', {
    metrics: setting({
      env: 'FLOCK_METRICS',
      rule: Joi.boolean().truthy('1').falsy('0').default(true),
      doc: 'record Prometheus metrics; false records none and answers `/metrics` with 404 (the probes stay), for measuring what they cost (`pnpm bench:ask`)',
    }),
    workerPort: setting({
      env: 'FLOCK_WORKER_PORT',
      rule: Joi.number().port().default(9464),
      doc: "the worker's operations port: `/healthz`, `/readyz` and Prometheus `/metrics`, without credentials, so keep it inside the cluster; 0 turns it off",
    }),
    apiMetricsPort: optional({
      env: 'FLOCK_API_METRICS_PORT',
      rule: Joi.number().port().invalid(0),
      doc: "when set, the API also serves `/metrics`, `/healthz` and `/readyz` on this port without credentials, for scrapers inside the cluster; `/metrics` on the API's own port always needs an admin key",
    }),
  }),
  ...section('Redis (queues and job records)', {
    redisUrl: setting({
      env: 'REDIS_URL',
      rule: Joi.string()
        .pattern(/^rediss?:\/\/[^\s,]+(,rediss?:\/\/[^\s,]+)*$/)
        .default('redis://127.0.0.1:6379')
        .messages({
          'string.pattern.base': '{{#label}} must be a redis:// or rediss:// URL, or on Redis Cluster a comma-separated list of them',
        }),
      doc: 'Redis for queues and job records (`pnpm dev` starts a private one when unset); with FLOCK_REDIS_CLUSTER, one or more cluster nodes, comma-separated, from which the rest are discovered',
    }),
    redisCluster: setting({
      env: 'FLOCK_REDIS_CLUSTER',
      rule: Joi.boolean().truthy('1').falsy('0').default(false),
      doc: 'connect to Redis Cluster: FLOCK_REDIS_PREFIX must then carry a hash tag, such as `{flock}`',
    }),
    redisPrefix: setting({
      env: 'FLOCK_REDIS_PREFIX',
      rule: Joi.string()
        .max(64)
        .pattern(/^[A-Za-z0-9:_-]*(\{[A-Za-z0-9:_-]+\})?[A-Za-z0-9:_-]*$/)
        .default('flock')
        .messages({
          'string.pattern.base': '{{#label}} may hold only letters, digits, ":", "_" and "-", and one hash tag such as \\{flock\\}',
        }),
      doc: "prefix of every Redis key Flock writes, so several deployments can share one Redis. A hash tag (`{flock}`) keeps BullMQ's keys in one Redis Cluster slot, as its scripts need; Flock's own keys leave the braces out and spread over the cluster",
    }),
  }),
  ...section('Warehouses and question engines', {
    warehouseDir: setting({
      env: 'FLOCK_WAREHOUSE_DIR',
      rule: Joi.string().default('./data/warehouses'),
      doc: 'folder of `{bucket}.duckdb` files, one per tenant',
    }),
    knowledgeDir: optional({
      env: 'FLOCK_KNOWLEDGE_DIR',
      rule: Joi.string(),
      doc: "folder of `{bucket}.json` files holding each tenant's glossary, examples and feedback; the API writes it and the workers read it, so both need it (default: `.flock-knowledge` in the warehouse folder)",
      example: '/data/knowledge',
    }),
    sqlGenerator: setting({
      env: 'FLOCK_SQL_GENERATOR',
      rule: Joi.string<SqlGeneratorKind>()
        .valid(...SQL_GENERATOR_KINDS)
        .default('builtin'),
      doc: `question-to-SQL engine, one of ${SQL_GENERATOR_KINDS.map((kind) => `\`${kind}\``).join(', ')}`,
    }),
    sqlGeneratorByBucket: setting({
      env: 'FLOCK_SQL_GENERATOR_BY_BUCKET',
      rule: pairList('FLOCK_SQL_GENERATOR_BY_BUCKET', `(${SQL_GENERATOR_KINDS.join('|')})`),
      doc: 'per-bucket engine overrides, `bucket=engine,…`',
      example: 'acme=openai,beta-club=motherduck',
      read: (list) => parsePairs(list) as Record<string, SqlGeneratorKind>,
    }),
  }),
  ...section('openai engine (any OpenAI-compatible chat-completions endpoint)', {
    llm: group(['baseUrl', 'model'], {
      baseUrl: setting({
        env: 'FLOCK_LLM_BASE_URL',
        rule: Joi.string().uri({ scheme: ['http', 'https'] }),
        doc: 'base URL of an OpenAI-compatible API (required for `openai`)',
        example: 'https://api.openai.com/v1',
      }),
      apiKey: optional({
        env: 'FLOCK_LLM_API_KEY',
        rule: Joi.string(),
        doc: 'bearer key for that API; optional for local servers; never logged',
      }),
      model: setting({
        env: 'FLOCK_LLM_MODEL',
        rule: Joi.string(),
        doc: 'model named in every request to it (required for `openai`)',
        example: 'gpt-4o-mini',
      }),
      timeoutMs: seconds('FLOCK_LLM_TIMEOUT_SECONDS', 30, 'one chat-completions request is abandoned after this long'),
      attempts: setting({
        env: 'FLOCK_LLM_ATTEMPTS',
        rule: Joi.number().integer().min(1).max(10).default(3),
        doc: 'tries per question, counting self-corrections after a refused or failed query',
      }),
      maxSchemaChars: setting({
        env: 'FLOCK_LLM_MAX_SCHEMA_CHARS',
        rule: Joi.number().integer().min(500).max(1_000_000).default(12_000),
        doc: 'schema budget of the prompt; larger schemas are cut to the tables most related to the question',
      }),
      sendValues: setting({
        env: 'FLOCK_LLM_SEND_VALUES',
        rule: Joi.boolean().truthy('1').falsy('0').default(true),
        doc: "false keeps the tenant's data out of the prompt: no column values, no row counts, and quoted literals masked in the errors sent back for a correction; the model sees table and column names, types and keys only",
      }),
      temperature: optional({
        env: 'FLOCK_LLM_TEMPERATURE',
        rule: Joi.number().min(0).max(2),
        doc: 'sampling temperature, sent only when set: reasoning models refuse the parameter (even 0) with HTTP 400; 0 makes other models repeat their SQL for the same question',
      }),
    }),
  }),
  ...section('MotherDuck (the motherduck engine, and buckets hosted there)', {
    motherduck: group(['token'], {
      token: setting({
        env: 'MOTHERDUCK_TOKEN',
        rule: Joi.string(),
        doc: 'MotherDuck service token (required for `motherduck`); never logged',
      }),
      databases: setting({
        env: 'FLOCK_MOTHERDUCK_DATABASES',
        rule: pairList('FLOCK_MOTHERDUCK_DATABASES', '[A-Za-z_][A-Za-z0-9_]{0,62}'),
        doc:
          '`bucket=database,…`: buckets hosted on MotherDuck (data, schema and queries), needing `MOTHERDUCK_TOKEN`; ' +
          "a local file of the same name is then ignored. The motherduck engine takes an unlisted bucket's own name as its database",
        example: 'acme=acme_prod',
        read: parsePairs,
      }),
    }),
  }),
  ...section('Limits', {
    maxQuestionLength: setting({
      env: 'FLOCK_MAX_QUESTION_LENGTH',
      rule: Joi.number().integer().min(10).max(10_000).default(1000),
      doc: 'longest question accepted, in characters (400 beyond it)',
    }),
    bodyLimit: setting({
      env: 'FLOCK_BODY_LIMIT',
      rule: Joi.string()
        .pattern(/^\d+(b|kb|mb)$/i)
        .default('16kb')
        .messages({ 'string.pattern.base': '{{#label}} must be a size such as 16kb or 1mb' }),
      doc: 'largest JSON request body (413 beyond it)',
    }),
    // The default is the seed's.
    jobTtlMs: seconds('FLOCK_JOB_TTL_SECONDS', 3600, 'lifetime of job records from submission', 1),
    answerCache: setting({
      env: 'FLOCK_ANSWER_CACHE',
      rule: Joi.boolean().truthy('1').falsy('0').default(true),
      doc: "answer a question asked again (same words up to case, spacing and end punctuation) on the same version of a bucket's file, by the same engine, from the earlier job's answer while that job's record lives (`meta.cached`); false always generates and runs",
    }),
    workerTimeoutMs: seconds(
      'FLOCK_WORKER_TIMEOUT_SECONDS',
      130,
      'a job unfinished this long after submission has failed (`worker_timeout`)',
    ),
    queryTimeoutMs: seconds(
      'FLOCK_QUERY_TIMEOUT_SECONDS',
      120,
      'a query running longer is interrupted (`query_timeout`); must be below the worker timeout',
    ),
    queryMemoryLimit: setting({
      env: 'FLOCK_QUERY_MEMORY_LIMIT',
      rule: size('512MB'),
      doc: 'DuckDB memory limit per query',
    }),
    querySpillDir: optional({
      env: 'FLOCK_QUERY_SPILL_DIR',
      rule: Joi.string(),
      doc: 'where a query spills to disk past its memory limit, one folder per query, never beside the warehouse files (default: the system temp folder)',
      example: '/var/tmp/flock-spill',
    }),
    queryMaxSpill: setting({
      env: 'FLOCK_QUERY_MAX_SPILL',
      rule: size('1GB'),
      doc: 'disk one query may spill (DuckDB max_temp_directory_size); past it the query fails',
    }),
    queryThreads: setting({
      env: 'FLOCK_QUERY_THREADS',
      rule: Joi.number().integer().min(1).max(64).default(1),
      doc: 'DuckDB threads per query',
    }),
    maxResultRows: setting({
      env: 'FLOCK_MAX_RESULT_ROWS',
      rule: Joi.number().integer().min(1).max(1_000_000).default(10_000),
      doc: 'rows kept in a result; beyond it rows are dropped and `meta.truncated` is true',
    }),
    // The default is the original's 400 KB item limit.
    maxResultBytes: setting({
      env: 'FLOCK_MAX_RESULT_BYTES',
      rule: Joi.number()
        .integer()
        .min(1024)
        .max(64 * 1024 * 1024)
        .default(400_000),
      doc: 'JSON bytes of rows kept in a result; beyond it rows are dropped likewise',
    }),
  }),
  ...section('Worker', {
    charts: setting({
      env: 'FLOCK_CHARTS',
      rule: Joi.boolean().truthy('1').falsy('0').default(true),
      doc: 'attach `meta.chart`, a Vega-Lite spec, to answers whose shape suits a chart (served as SVG at `…/ask/jobs/{jobId}/chart.svg`); false attaches none, so chart.svg answers 404',
    }),
    // 50 measured faster than 25 at both 177 and 1,000 buckets on two workers
    // (bench/query-all), as each chunk pays a fixed cost for its instance and checks.
    queryAllChunkSize: setting({
      env: 'FLOCK_QUERY_ALL_CHUNK_SIZE',
      rule: Joi.number().integer().min(1).max(10_000).default(50),
      doc: 'most buckets per child job of a cross-tenant query (`POST /query-all`)',
    }),
    // An idle instance holding a demo bucket takes about 3 MB, and an ask on a bucket no
    // idle instance holds pays about 2 ms of CPU to attach it and later detach it: a
    // quarter of a worker's CPU per ask at 177 buckets with 32 (bench/throughput). 144
    // keeps a worker under 1 GB at 1,000 buckets (913-935 MB peak RSS; 982 MB with 160;
    // 948-984 MB over the bench's 20 s of load, then 917 MB, and at most 962 MB over 60 s,
    // once the processes dropped tsx's ESM loader and the eager tracing SDK). 128 saved
    // about 60 MB there but cost 18% of the asks/s at 177.
    poolMaxIdle: setting({
      env: 'FLOCK_POOL_MAX_IDLE',
      rule: Joi.number().integer().min(0).max(10_000).default(144),
      doc: 'idle DuckDB instances a worker keeps open, each holding the bucket it last served after a query that took under 100 ms (about 3 MB each on a demo bucket, plus the pages that query read)',
    }),
    poolIdleMs: seconds('FLOCK_POOL_IDLE_SECONDS', 300, 'an idle DuckDB instance is closed after this long', 1),
    sandboxLinkDir: optional({
      env: 'FLOCK_SANDBOX_LINK_DIR',
      rule: Joi.string(),
      doc: "where a worker's DuckDB instances hard-link the one tenant file each may read, so a tenant no instance holds costs an ATTACH, not a new instance; must be writable and on the warehouse files' filesystem, else every bucket gets an instance of its own (default: `.flock-sandbox` in the warehouse folder)",
      example: '/data/warehouses/.flock-sandbox',
    }),
    // Measured on the 177 demo buckets (pnpm bench:bucket-memory): about 55 kB of heap a schema, 110 kB more for the builtin engine's indexes.
    schemaCacheSize: setting({
      env: 'FLOCK_SCHEMA_CACHE_SIZE',
      rule: Joi.number().integer().min(1).max(100_000).default(1024),
      doc: "buckets whose schemas, with the SQL engine's indexes of them, a worker keeps in memory (about 0.16 MB each on a demo bucket); past it the least recently asked is read again on its next ask",
    }),
    schemaPrefetch: setting({
      env: 'FLOCK_SCHEMA_PREFETCH',
      rule: Joi.boolean().truthy('1').falsy('0').default(true),
      doc: "read every local bucket's schema (up to FLOCK_SCHEMA_CACHE_SIZE) in the background when a worker starts, so a bucket's first ask does not wait for it; each worker reads its own, as value lists stay out of Redis",
    }),
    schemaSnapshotMs: seconds(
      'FLOCK_SCHEMA_SNAPSHOT_SECONDS',
      60,
      "how long the API serves a bucket's tables as a worker last read them, before asking a worker again",
      1,
    ),
    tenantConcurrency: setting({
      env: 'FLOCK_TENANT_CONCURRENCY',
      rule: Joi.number().integer().min(1).max(1_000).default(2),
      doc: "asks one bucket runs at once across all workers; its others wait without holding up other buckets' jobs",
    }),
    tenantBorrowShare: setting({
      env: 'FLOCK_TENANT_BORROW_SHARE',
      rule: Joi.number().min(0).max(1).default(1),
      doc: "share of each worker's slots (FLOCK_WORKER_CONCURRENCY, rounded down) lent to asks beyond their bucket's FLOCK_TENANT_CONCURRENCY: only while every job waiting in the queue is that bucket's and its asks end within 250 ms, and an ask still running in a lent slot at 250 ms is stopped and waits for a slot of its own; built-in engine only; 0 keeps the cap strict",
    }),
    tenantBorrowMs: setting({
      env: 'FLOCK_TENANT_BORROW_MS',
      rule: Joi.number().integer().min(10).max(60_000).default(250),
      doc: "how long an ask may run in a lent slot (see FLOCK_TENANT_BORROW_SHARE) before it is stopped and waits for a slot of its bucket's own; any ask of a bucket running this long also stops the bucket borrowing for 5 s (renewed while its asks stay that slow), and for twice as long at each new mark within two minutes of the last, up to a minute. Another bucket's ask waits about this long, at most, for a lent slot",
    }),
    tenantQueryConcurrency: setting({
      env: 'FLOCK_TENANT_QUERY_CONCURRENCY',
      rule: Joi.number().integer().min(1).max(1_000).default(1),
      doc: "as FLOCK_TENANT_CONCURRENCY, for `POST /query` calls: a caller's own SQL can be as heavy as it likes, so one at a time",
    }),
    workerMemoryCeiling: setting({
      env: 'FLOCK_WORKER_MEMORY_CEILING',
      rule: size('4GB'),
      doc: "hard ceiling on a worker process's data memory (RLIMIT_DATA, set with prlimit): a query that would need more, such as a huge string DuckDB cannot spill, fails out of memory instead of taking the machine",
    }),
    workerRecycleAfterMs: seconds(
      'FLOCK_WORKER_RECYCLE_AFTER_SECONDS',
      5,
      'how long past its time limit a query that ignores the interrupt may run (a scalar function on a huge value) before its worker process stops taking jobs, drains and is restarted by its supervisor: the only way to free the thread',
      1,
    ),
    workerConcurrency: setting({
      env: 'FLOCK_WORKER_CONCURRENCY',
      rule: Joi.number().integer().min(1).max(256).default(4),
      doc: 'jobs one worker process runs at once',
    }),
    lockDurationMs: seconds('FLOCK_LOCK_DURATION_SECONDS', 30, "BullMQ job lock; a dead worker's job is redelivered once it lapses", 1),
    stalledIntervalMs: seconds('FLOCK_STALLED_INTERVAL_SECONDS', 15, 'how often workers look for stalled jobs', 0.5),
    shutdownTimeoutMs: seconds(
      'FLOCK_SHUTDOWN_TIMEOUT_SECONDS',
      25,
      'how long SIGTERM waits for in-flight work; the API exits by then at the latest',
      1,
    ),
    shutdownDelayMs: seconds(
      'FLOCK_SHUTDOWN_DELAY_SECONDS',
      0,
      'on SIGTERM, how long the API keeps accepting connections, with /readyz failing, before it stops listening, so load balancers take it out first; counts within FLOCK_SHUTDOWN_TIMEOUT_SECONDS',
      0,
    ),
  }),
  ...section('Logging', {
    logLevel: setting({
      env: 'FLOCK_LOG_LEVEL',
      rule: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
      doc: 'pino level',
    }),
  }),
  ...section('Authentication', {
    jwtSecret: optional({
      env: 'FLOCK_JWT_SECRET',
      // A short HS256 secret can be brute-forced offline from any token it signed.
      rule: Joi.string().min(32).messages({ 'string.min': '{{#label}} must be at least 32 characters' }),
      doc: 'HS256 secret for user tokens (32+ characters); unset, HS256 tokens are refused',
    }),
    jwksUrl: optional({
      env: 'FLOCK_JWKS_URL',
      rule: Joi.string().uri({ scheme: ['http', 'https'] }),
      doc: 'JWKS endpoint for RS256/ES256 user tokens; unset, only HS256',
    }),
    jwtIssuer: optional({ env: 'FLOCK_JWT_ISSUER', rule: Joi.string(), doc: 'required `iss` of user tokens, when set' }),
    jwtAudience: optional({ env: 'FLOCK_JWT_AUDIENCE', rule: Joi.string(), doc: 'required `aud` of user tokens, when set' }),
    apiKeysFile: setting({
      env: 'FLOCK_API_KEYS_FILE',
      rule: Joi.string().default('./data/api-keys.json'),
      doc: 'API key file, SHA-256 hashes only (`pnpm auth keys …`)',
    }),
    adminApiKey: optional({
      env: 'FLOCK_ADMIN_API_KEY',
      rule: Joi.string().min(24).messages({ 'string.min': '{{#label}} must be at least 24 characters' }),
      doc: 'one extra admin key (24+ characters), for bootstrapping and tests; never logged or stored; `pnpm dev` makes one in data/',
    }),
  }),
  ...section('Webhooks (`callback_url`: the poll body POSTed when a job finishes)', {
    webhookSecret: optional({
      env: 'FLOCK_WEBHOOK_SECRET',
      // Standard Webhooks secrets: `whsec_` and 24 to 64 random bytes in base64.
      rule: Joi.string()
        .pattern(/^whsec_(?:[A-Za-z0-9+/]{4}){8,22}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/)
        .messages({ 'string.pattern.base': '{{#label}} must be `whsec_` followed by 24 to 64 random bytes in base64' }),
      doc: 'Standard Webhooks signing secret, `whsec_` and 24 to 64 random bytes in base64 (`echo whsec_$(openssl rand -base64 32)`); unset, webhooks are off and a `callback_url` is refused with 400; never logged',
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    }),
    webhookAllowPrivate: setting({
      env: 'FLOCK_WEBHOOK_ALLOW_PRIVATE',
      rule: Joi.boolean().truthy('1').falsy('0').default(false),
      doc: 'let callbacks reach loopback, private, link-local and other non-public addresses; off, such a `callback_url` is refused (SSRF guard), at submission and again at each delivery',
    }),
    webhookAllowedHosts: setting({
      env: 'FLOCK_WEBHOOK_ALLOWED_HOSTS',
      rule: Joi.string()
        .allow('')
        .pattern(/^\s*[A-Za-z0-9.:_/[\]-]+\s*(,\s*[A-Za-z0-9.:_/[\]-]+\s*)*$/)
        .default('')
        .messages({ 'string.pattern.base': '{{#label}} must be a comma-separated list of hostnames, IP addresses or CIDR ranges' }),
      doc: 'hostnames (exact), IP addresses or CIDR ranges, comma-separated, that callbacks may reach even though they are not public',
      example: 'hooks.internal,10.20.0.0/16',
      read: (list: string) =>
        list
          .split(',')
          .map((host) => host.trim())
          .filter(Boolean),
    }),
    webhookAttempts: setting({
      env: 'FLOCK_WEBHOOK_ATTEMPTS',
      rule: Joi.number().integer().min(1).max(25).default(10),
      doc: 'attempts at one delivery, the first included; with the default backoff, ten span about 43 minutes, within the hour the job record lives',
    }),
    webhookBackoffMs: seconds(
      'FLOCK_WEBHOOK_BACKOFF_SECONDS',
      5,
      'wait before the first retry of a failed delivery, doubling after each (exponential backoff)',
      0.01,
    ),
    webhookTimeoutMs: seconds(
      'FLOCK_WEBHOOK_TIMEOUT_SECONDS',
      5,
      'one delivery attempt, connection to response, is abandoned after this long',
      0.1,
    ),
  }),
  ...section('Rate limits (per caller, shared by every API replica through Redis)', {
    askRateLimitPerMinute: setting({
      env: 'FLOCK_RATE_LIMIT_ASKS_PER_MINUTE',
      rule: Joi.number().integer().min(0).max(100_000).default(30),
      doc: 'asks one caller may submit per minute; 0 switches the limit off',
    }),
    requestRateLimitPerSecond: setting({
      env: 'FLOCK_RATE_LIMIT_REQUESTS_PER_SECOND',
      rule: Joi.number().integer().min(0).max(100_000).default(20),
      doc: 'requests one caller may make per second; 0 switches the limit off',
    }),
    failedAuthLimitPerMinute: setting({
      env: 'FLOCK_RATE_LIMIT_FAILED_AUTH_PER_MINUTE',
      rule: Joi.number().integer().min(0).max(100_000).default(20),
      doc: 'failed authentications one client address may make per minute; past it, every request from it gets 429 until the minute is out; 0 switches the limit off',
    }),
    streamsPerCaller: setting({
      env: 'FLOCK_STREAMS_PER_CALLER',
      rule: Joi.number().integer().min(1).max(10_000).default(20),
      doc: 'job event streams (`…/events`) one caller may hold open at once on one API replica; one more answers 429',
    }),
    boardSessionMs: setting({
      env: 'FLOCK_BOARD_SESSION_MINUTES',
      rule: Joi.number().min(1).max(1440).default(60),
      read: (minutes) => Number(minutes) * 60_000,
      doc: 'how long a Bull Board login lasts, from login (sessions do not extend themselves); logout ends it sooner',
    }),
    trustProxy: setting({
      env: 'FLOCK_TRUST_PROXY',
      rule: Joi.boolean().truthy('1').falsy('0').default(false),
      doc: 'behind one reverse proxy that sets X-Forwarded-For and X-Forwarded-Proto: trust them, so failed-login limits count per client and the board cookie is Secure when the client used TLS. Leave off when clients reach the API directly: they could then forge both',
    }),
  }),
};

/** Flock's runtime configuration, read once from the environment at start-up. */
export type FlockConfig = ConfigOf<typeof settings>;

/** Every environment variable Flock reads: what deployment manifests may set. */
export function settingNames(): string[] {
  return settingsOf(settings).map((entry) => entry.env);
}
export type LlmConfig = NonNullable<FlockConfig['llm']>;
export type MotherDuckConfig = NonNullable<FlockConfig['motherduck']>;

const schema = Joi.object(Object.fromEntries(settingsOf(settings).map((entry) => [entry.env, entry.rule])))
  // A query must be able to hit its own limit, and report it, before the job as a
  // whole is declared dead; otherwise every slow query would read as worker_timeout.
  .custom((env: Record<string, number>, helpers) => {
    if (env.FLOCK_REDIS_CLUSTER && !/\{.+\}/.test(String(env.FLOCK_REDIS_PREFIX))) {
      return helpers.message({
        // Braces escaped: joi reads {…} in a message as a reference.
        custom:
          `FLOCK_REDIS_PREFIX (${String(env.FLOCK_REDIS_PREFIX)}) must carry a hash tag, such as {flock}, on Redis Cluster: BullMQ's scripts touch several keys of a queue at once, and they must share a slot`.replace(
            /[{}]/g,
            '\\$&',
          ),
      });
    }
    if (!env.FLOCK_REDIS_CLUSTER && String(env.REDIS_URL).includes(',')) {
      return helpers.message({ custom: 'REDIS_URL lists several nodes, which only FLOCK_REDIS_CLUSTER=true uses' });
    }
    if (env.FLOCK_QUERY_TIMEOUT_SECONDS! >= env.FLOCK_WORKER_TIMEOUT_SECONDS!) {
      return helpers.message({
        custom: `FLOCK_QUERY_TIMEOUT_SECONDS (${env.FLOCK_QUERY_TIMEOUT_SECONDS}) must be less than FLOCK_WORKER_TIMEOUT_SECONDS (${env.FLOCK_WORKER_TIMEOUT_SECONDS}), so a slow query is reported as query_timeout`,
      });
    }
    return env;
  })
  // An engine that is switched on must be reachable: say so at start-up, not on the first ask.
  .custom((env: Record<string, unknown>, helpers) => {
    const engines = new Set([
      env.FLOCK_SQL_GENERATOR,
      ...Object.values(parsePairs(env.FLOCK_SQL_GENERATOR_BY_BUCKET as string | undefined)),
    ]);
    if (engines.has('openai') && (!env.FLOCK_LLM_BASE_URL || !env.FLOCK_LLM_MODEL)) {
      return helpers.message({ custom: 'FLOCK_LLM_BASE_URL and FLOCK_LLM_MODEL are required when the openai generator is used' });
    }
    if (engines.has('motherduck') && !env.MOTHERDUCK_TOKEN) {
      return helpers.message({ custom: 'MOTHERDUCK_TOKEN is required when the motherduck generator is used' });
    }
    // Without the token the listed buckets would quietly be served from local files of the same name.
    if (env.FLOCK_MOTHERDUCK_DATABASES && !env.MOTHERDUCK_TOKEN) {
      return helpers.message({ custom: 'MOTHERDUCK_TOKEN is required when FLOCK_MOTHERDUCK_DATABASES lists buckets hosted on MotherDuck' });
    }
    return env;
  })
  .unknown(true);

/** `key=value,key=value`, keys being bucket ids and values matching `valuePattern`. */
function pairList(name: string, valuePattern: string) {
  const pair = `${BUCKET_ID_PART}=${valuePattern}`;
  return Joi.string()
    .allow('')
    .pattern(new RegExp(`^\\s*${pair}\\s*(,\\s*${pair}\\s*)*$`))
    .label(name)
    .messages({ 'string.pattern.base': `{{#label}} must look like bucket=value,bucket=value` });
}

function parsePairs(list: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of (list ?? '').split(',')) {
    const [key, value] = item.split('=').map((part) => part.trim());
    if (key && value) pairs[key] = value;
  }
  return pairs;
}

export class ConfigError extends Error {}

/** Validates the environment; throws ConfigError with one line naming the variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv): FlockConfig {
  const { error, value } = schema.validate(env, { abortEarly: true, convert: true });
  if (error) throw new ConfigError(`Invalid configuration: ${error.message.replace(/"/g, '')}`);
  return readTable(settings, value as Record<string, unknown>);
}

/**
 * For an app's env.ts: the config, or one line on stderr and exit code 1. A stack
 * trace would bury the only thing the operator needs, which variable is wrong.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv): FlockConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
