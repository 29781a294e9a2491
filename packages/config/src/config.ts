import Joi from 'joi';

/** Flock's runtime configuration, read once from the environment at start-up. */
export interface FlockConfig {
  /** `PORT`: HTTP port of the API. Default 3000. */
  port: number;
  /** `HOST`: interface the API binds. Default 0.0.0.0. */
  host: string;
  /** `REDIS_URL`: Redis for queues and job state. Default redis://127.0.0.1:6379. */
  redisUrl: string;
  /** `FLOCK_REDIS_PREFIX`: prefix for every Redis key Flock writes. Default `flock`. */
  redisPrefix: string;
  /** `FLOCK_WAREHOUSE_DIR`: folder of `{bucket}.duckdb` files. Default ./data/warehouses. */
  warehouseDir: string;
  /** `FLOCK_SQL_GENERATOR`: question-to-SQL engine. Default `builtin`. */
  sqlGenerator: SqlGeneratorKind;
  /** `FLOCK_SQL_GENERATOR_BY_BUCKET`: per-bucket engine overrides, `bucket=engine,...`. Default none. */
  sqlGeneratorByBucket: Record<string, SqlGeneratorKind>;
  /** The OpenAI-compatible endpoint; set when any bucket uses `openai`. */
  llm?: LlmConfig;
  /** MotherDuck access; set when any bucket uses `motherduck`. */
  motherduck?: MotherDuckConfig;
  /** `FLOCK_MAX_QUESTION_LENGTH`: longest question accepted, in characters. Default 1000. */
  maxQuestionLength: number;
  /** `FLOCK_BODY_LIMIT`: largest JSON request body. Default 16kb. */
  bodyLimit: string;
  /** `FLOCK_JOB_TTL_SECONDS`: lifetime of job records. Default 3600, as in the seed. */
  jobTtlMs: number;
  /** `FLOCK_WORKER_TIMEOUT_SECONDS`: a job unfinished this long after submission is `worker_timeout`. Default 130. */
  workerTimeoutMs: number;
  /** `FLOCK_QUERY_TIMEOUT_SECONDS`: a query running longer is interrupted (`query_timeout`). Default 120. */
  queryTimeoutMs: number;
  /** `FLOCK_QUERY_MEMORY_LIMIT`: DuckDB memory_limit per query. Default 512MB. */
  queryMemoryLimit: string;
  /** `FLOCK_QUERY_THREADS`: DuckDB threads per query. Default 1. */
  queryThreads: number;
  /** `FLOCK_MAX_RESULT_ROWS`: rows kept in a result. Default 10000. */
  maxResultRows: number;
  /** `FLOCK_MAX_RESULT_BYTES`: JSON bytes of rows kept in a result. Default 400000, the original's 400 KB item limit. */
  maxResultBytes: number;
  /**
   * `FLOCK_QUERY_ALL_CHUNK_SIZE`: most buckets per child job of a cross-tenant query.
   * Default 50: measured faster than 25 at both 177 and 1,000 buckets on two workers
   * (bench/query-all), as each chunk pays a fixed cost for its instance and checks.
   */
  queryAllChunkSize: number;
  /** `FLOCK_POOL_MAX_IDLE`: idle DuckDB instances a worker keeps open. Default 64. */
  poolMaxIdle: number;
  /** `FLOCK_POOL_IDLE_SECONDS`: an idle DuckDB instance is closed after this long. Default 300. */
  poolIdleMs: number;
  /** `FLOCK_WORKER_CONCURRENCY`: jobs one worker process runs at once. Default 4. */
  workerConcurrency: number;
  /** `FLOCK_LOCK_DURATION_SECONDS`: BullMQ job lock; a dead worker's job is redelivered after it lapses. Default 30. */
  lockDurationMs: number;
  /** `FLOCK_STALLED_INTERVAL_SECONDS`: how often workers look for stalled jobs. Default 15. */
  stalledIntervalMs: number;
  /** `FLOCK_SHUTDOWN_TIMEOUT_SECONDS`: how long SIGTERM waits for in-flight work. Default 25. */
  shutdownTimeoutMs: number;
  /** `FLOCK_LOG_LEVEL`: pino level. Default info. */
  logLevel: string;
  /** `FLOCK_JWT_SECRET`: HS256 secret for user tokens (at least 32 characters). Unset: HS256 tokens are refused. */
  jwtSecret?: string;
  /** `FLOCK_JWKS_URL`: JWKS endpoint for RS256/ES256 user tokens. Unset: only HS256. */
  jwksUrl?: string;
  /** `FLOCK_JWT_ISSUER`: required `iss` of user tokens, when set. */
  jwtIssuer?: string;
  /** `FLOCK_JWT_AUDIENCE`: required `aud` of user tokens, when set. */
  jwtAudience?: string;
  /** `FLOCK_API_KEYS_FILE`: the API key file (SHA-256 hashes only). Default ./data/api-keys.json. */
  apiKeysFile: string;
  /** `FLOCK_ADMIN_API_KEY`: one extra admin key, for bootstrapping and tests. Never logged or stored. */
  adminApiKey?: string;
  /** `FLOCK_RATE_LIMIT_ASKS_PER_MINUTE`: asks one caller may submit per minute. Default 30. */
  askRateLimitPerMinute: number;
  /** `FLOCK_RATE_LIMIT_REQUESTS_PER_SECOND`: requests one caller may make per second. Default 20. */
  requestRateLimitPerSecond: number;
}

export const SQL_GENERATOR_KINDS = ['builtin', 'motherduck', 'openai'] as const;
export type SqlGeneratorKind = (typeof SQL_GENERATOR_KINDS)[number];

export interface LlmConfig {
  /** `FLOCK_LLM_BASE_URL`: base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1. */
  baseUrl: string;
  /** `FLOCK_LLM_API_KEY`: bearer key for it; optional for local servers. Never logged. */
  apiKey?: string;
  /** `FLOCK_LLM_MODEL`: model name sent with every request. */
  model: string;
  /** `FLOCK_LLM_TIMEOUT_SECONDS`: one chat-completions request is abandoned after this long. Default 30. */
  timeoutMs: number;
  /** `FLOCK_LLM_ATTEMPTS`: tries per question, counting self-corrections after a failed validation or run. Default 3. */
  attempts: number;
  /** `FLOCK_LLM_MAX_SCHEMA_CHARS`: budget of the schema part of the prompt; larger schemas are cut to the most relevant tables. Default 12000. */
  maxSchemaChars: number;
}

export interface MotherDuckConfig {
  /** `MOTHERDUCK_TOKEN`: MotherDuck service token. Never logged. */
  token: string;
  /**
   * `FLOCK_MOTHERDUCK_DATABASES`: `bucket=database,...`. A listed bucket is hosted on
   * MotherDuck (data, schema and queries); the motherduck engine uses the database of
   * a bucket's own name when it is not listed.
   */
  databases: Record<string, string>;
}

const seconds = (name: string, fallback: number, min = 0.1) =>
  Joi.number().min(min).max(86_400).default(fallback).label(name);

const schema = Joi.object({
  PORT: Joi.number().port().default(3000),
  HOST: Joi.string().hostname().default('0.0.0.0'),
  REDIS_URL: Joi.string()
    .uri({ scheme: ['redis', 'rediss'] })
    .default('redis://127.0.0.1:6379'),
  FLOCK_REDIS_PREFIX: Joi.string()
    .pattern(/^[A-Za-z0-9:_-]{1,64}$/)
    .default('flock')
    .messages({ 'string.pattern.base': '{{#label}} may hold only letters, digits, ":", "_" and "-"' }),
  FLOCK_WAREHOUSE_DIR: Joi.string().default('./data/warehouses'),
  FLOCK_SQL_GENERATOR: Joi.string()
    .valid(...SQL_GENERATOR_KINDS)
    .default('builtin'),
  FLOCK_SQL_GENERATOR_BY_BUCKET: pairList('FLOCK_SQL_GENERATOR_BY_BUCKET', `(${SQL_GENERATOR_KINDS.join('|')})`),
  FLOCK_LLM_BASE_URL: Joi.string().uri({ scheme: ['http', 'https'] }),
  FLOCK_LLM_API_KEY: Joi.string(),
  FLOCK_LLM_MODEL: Joi.string(),
  FLOCK_LLM_TIMEOUT_SECONDS: seconds('FLOCK_LLM_TIMEOUT_SECONDS', 30),
  FLOCK_LLM_ATTEMPTS: Joi.number().integer().min(1).max(10).default(3),
  FLOCK_LLM_MAX_SCHEMA_CHARS: Joi.number().integer().min(500).max(1_000_000).default(12_000),
  MOTHERDUCK_TOKEN: Joi.string(),
  FLOCK_MOTHERDUCK_DATABASES: pairList('FLOCK_MOTHERDUCK_DATABASES', '[A-Za-z_][A-Za-z0-9_]{0,62}'),
  FLOCK_MAX_QUESTION_LENGTH: Joi.number().integer().min(10).max(10_000).default(1000),
  FLOCK_BODY_LIMIT: Joi.string()
    .pattern(/^\d+(b|kb|mb)$/i)
    .default('16kb')
    .messages({ 'string.pattern.base': '{{#label}} must be a size such as 16kb or 1mb' }),
  FLOCK_JOB_TTL_SECONDS: seconds('FLOCK_JOB_TTL_SECONDS', 3600, 1),
  FLOCK_WORKER_TIMEOUT_SECONDS: seconds('FLOCK_WORKER_TIMEOUT_SECONDS', 130),
  FLOCK_QUERY_TIMEOUT_SECONDS: seconds('FLOCK_QUERY_TIMEOUT_SECONDS', 120),
  FLOCK_QUERY_MEMORY_LIMIT: Joi.string()
    .pattern(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i)
    .default('512MB')
    .messages({ 'string.pattern.base': '{{#label}} must be a size such as 512MB or 2GB' }),
  FLOCK_QUERY_THREADS: Joi.number().integer().min(1).max(64).default(1),
  FLOCK_MAX_RESULT_ROWS: Joi.number().integer().min(1).max(1_000_000).default(10_000),
  FLOCK_MAX_RESULT_BYTES: Joi.number().integer().min(1024).max(64 * 1024 * 1024).default(400_000),
  FLOCK_QUERY_ALL_CHUNK_SIZE: Joi.number().integer().min(1).max(10_000).default(50),
  FLOCK_POOL_MAX_IDLE: Joi.number().integer().min(0).max(10_000).default(64),
  FLOCK_POOL_IDLE_SECONDS: seconds('FLOCK_POOL_IDLE_SECONDS', 300, 1),
  FLOCK_WORKER_CONCURRENCY: Joi.number().integer().min(1).max(256).default(4),
  FLOCK_LOCK_DURATION_SECONDS: seconds('FLOCK_LOCK_DURATION_SECONDS', 30, 1),
  FLOCK_STALLED_INTERVAL_SECONDS: seconds('FLOCK_STALLED_INTERVAL_SECONDS', 15, 0.5),
  FLOCK_SHUTDOWN_TIMEOUT_SECONDS: seconds('FLOCK_SHUTDOWN_TIMEOUT_SECONDS', 25, 1),
  FLOCK_LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  // A short HS256 secret can be brute-forced offline from any token it signed.
  FLOCK_JWT_SECRET: Joi.string().min(32).messages({ 'string.min': '{{#label}} must be at least 32 characters' }),
  FLOCK_JWKS_URL: Joi.string().uri({ scheme: ['http', 'https'] }),
  FLOCK_JWT_ISSUER: Joi.string(),
  FLOCK_JWT_AUDIENCE: Joi.string(),
  FLOCK_API_KEYS_FILE: Joi.string().default('./data/api-keys.json'),
  FLOCK_ADMIN_API_KEY: Joi.string().min(24).messages({ 'string.min': '{{#label}} must be at least 24 characters' }),
  FLOCK_RATE_LIMIT_ASKS_PER_MINUTE: Joi.number().integer().min(1).max(100_000).default(30),
  FLOCK_RATE_LIMIT_REQUESTS_PER_SECOND: Joi.number().integer().min(1).max(100_000).default(20),
})
  // A query must be able to hit its own limit, and report it, before the job as a
  // whole is declared dead; otherwise every slow query would read as worker_timeout.
  .custom((env: Record<string, number>, helpers) => {
    if (env.FLOCK_QUERY_TIMEOUT_SECONDS! >= env.FLOCK_WORKER_TIMEOUT_SECONDS!) {
      return helpers.message({
        custom: `FLOCK_QUERY_TIMEOUT_SECONDS (${env.FLOCK_QUERY_TIMEOUT_SECONDS}) must be less than FLOCK_WORKER_TIMEOUT_SECONDS (${env.FLOCK_WORKER_TIMEOUT_SECONDS}), so a slow query is reported as query_timeout`,
      });
    }
    return env;
  })
  // An engine that is switched on must be reachable: say so at start-up, not on the first ask.
  .custom((env: Record<string, unknown>, helpers) => {
    const engines = new Set([env.FLOCK_SQL_GENERATOR, ...Object.values(parsePairs(env.FLOCK_SQL_GENERATOR_BY_BUCKET as string | undefined))]);
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
  const pair = `[a-z0-9][a-z0-9_-]{0,62}=${valuePattern}`;
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

type SecondsKey =
  | 'FLOCK_JOB_TTL_SECONDS'
  | 'FLOCK_WORKER_TIMEOUT_SECONDS'
  | 'FLOCK_QUERY_TIMEOUT_SECONDS'
  | 'FLOCK_POOL_IDLE_SECONDS'
  | 'FLOCK_LOCK_DURATION_SECONDS'
  | 'FLOCK_STALLED_INTERVAL_SECONDS'
  | 'FLOCK_SHUTDOWN_TIMEOUT_SECONDS';

/** The environment after joi has coerced it and applied defaults. */
type ValidatedEnv = Record<SecondsKey, number> & {
  PORT: number;
  HOST: string;
  REDIS_URL: string;
  FLOCK_REDIS_PREFIX: string;
  FLOCK_WAREHOUSE_DIR: string;
  FLOCK_SQL_GENERATOR: SqlGeneratorKind;
  FLOCK_SQL_GENERATOR_BY_BUCKET?: string;
  FLOCK_LLM_BASE_URL?: string;
  FLOCK_LLM_API_KEY?: string;
  FLOCK_LLM_MODEL?: string;
  FLOCK_LLM_TIMEOUT_SECONDS: number;
  FLOCK_LLM_ATTEMPTS: number;
  FLOCK_LLM_MAX_SCHEMA_CHARS: number;
  MOTHERDUCK_TOKEN?: string;
  FLOCK_MOTHERDUCK_DATABASES?: string;
  FLOCK_MAX_QUESTION_LENGTH: number;
  FLOCK_BODY_LIMIT: string;
  FLOCK_QUERY_MEMORY_LIMIT: string;
  FLOCK_QUERY_THREADS: number;
  FLOCK_MAX_RESULT_ROWS: number;
  FLOCK_MAX_RESULT_BYTES: number;
  FLOCK_QUERY_ALL_CHUNK_SIZE: number;
  FLOCK_POOL_MAX_IDLE: number;
  FLOCK_WORKER_CONCURRENCY: number;
  FLOCK_LOG_LEVEL: string;
  FLOCK_JWT_SECRET?: string;
  FLOCK_JWKS_URL?: string;
  FLOCK_JWT_ISSUER?: string;
  FLOCK_JWT_AUDIENCE?: string;
  FLOCK_API_KEYS_FILE: string;
  FLOCK_ADMIN_API_KEY?: string;
  FLOCK_RATE_LIMIT_ASKS_PER_MINUTE: number;
  FLOCK_RATE_LIMIT_REQUESTS_PER_SECOND: number;
};

export class ConfigError extends Error {}

/** Validates the environment; throws ConfigError with one line naming the variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv): FlockConfig {
  const { error, value } = schema.validate(env, { abortEarly: true, convert: true });
  if (error) throw new ConfigError(`Invalid configuration: ${error.message.replace(/"/g, '')}`);
  const v = value as ValidatedEnv;
  const ms = (key: SecondsKey) => Math.round(v[key] * 1000);
  return {
    port: v.PORT,
    host: v.HOST,
    redisUrl: v.REDIS_URL,
    redisPrefix: v.FLOCK_REDIS_PREFIX,
    warehouseDir: v.FLOCK_WAREHOUSE_DIR,
    sqlGenerator: v.FLOCK_SQL_GENERATOR,
    sqlGeneratorByBucket: parsePairs(v.FLOCK_SQL_GENERATOR_BY_BUCKET) as Record<string, SqlGeneratorKind>,
    llm:
      v.FLOCK_LLM_BASE_URL && v.FLOCK_LLM_MODEL
        ? {
            baseUrl: v.FLOCK_LLM_BASE_URL,
            apiKey: v.FLOCK_LLM_API_KEY,
            model: v.FLOCK_LLM_MODEL,
            timeoutMs: Math.round(v.FLOCK_LLM_TIMEOUT_SECONDS * 1000),
            attempts: v.FLOCK_LLM_ATTEMPTS,
            maxSchemaChars: v.FLOCK_LLM_MAX_SCHEMA_CHARS,
          }
        : undefined,
    motherduck: v.MOTHERDUCK_TOKEN
      ? { token: v.MOTHERDUCK_TOKEN, databases: parsePairs(v.FLOCK_MOTHERDUCK_DATABASES) }
      : undefined,
    maxQuestionLength: v.FLOCK_MAX_QUESTION_LENGTH,
    bodyLimit: v.FLOCK_BODY_LIMIT,
    jobTtlMs: ms('FLOCK_JOB_TTL_SECONDS'),
    workerTimeoutMs: ms('FLOCK_WORKER_TIMEOUT_SECONDS'),
    queryTimeoutMs: ms('FLOCK_QUERY_TIMEOUT_SECONDS'),
    queryMemoryLimit: v.FLOCK_QUERY_MEMORY_LIMIT,
    queryThreads: v.FLOCK_QUERY_THREADS,
    maxResultRows: v.FLOCK_MAX_RESULT_ROWS,
    maxResultBytes: v.FLOCK_MAX_RESULT_BYTES,
    queryAllChunkSize: v.FLOCK_QUERY_ALL_CHUNK_SIZE,
    poolMaxIdle: v.FLOCK_POOL_MAX_IDLE,
    poolIdleMs: ms('FLOCK_POOL_IDLE_SECONDS'),
    workerConcurrency: v.FLOCK_WORKER_CONCURRENCY,
    lockDurationMs: ms('FLOCK_LOCK_DURATION_SECONDS'),
    stalledIntervalMs: ms('FLOCK_STALLED_INTERVAL_SECONDS'),
    shutdownTimeoutMs: ms('FLOCK_SHUTDOWN_TIMEOUT_SECONDS'),
    logLevel: v.FLOCK_LOG_LEVEL,
    jwtSecret: v.FLOCK_JWT_SECRET,
    jwksUrl: v.FLOCK_JWKS_URL,
    jwtIssuer: v.FLOCK_JWT_ISSUER,
    jwtAudience: v.FLOCK_JWT_AUDIENCE,
    apiKeysFile: v.FLOCK_API_KEYS_FILE,
    adminApiKey: v.FLOCK_ADMIN_API_KEY,
    askRateLimitPerMinute: v.FLOCK_RATE_LIMIT_ASKS_PER_MINUTE,
    requestRateLimitPerSecond: v.FLOCK_RATE_LIMIT_REQUESTS_PER_SECOND,
  };
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
