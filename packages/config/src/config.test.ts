import { loadConfig } from './config';

describe('loadConfig: question engines', () => {
  it('defaults to the built-in engine with no overrides and no external engines', () => {
    const config = loadConfig({});
    expect(config.sqlGenerator).toBe('builtin');
    expect(config.sqlGeneratorByBucket).toEqual({});
    expect(config.llm).toBeUndefined();
    expect(config.motherduck).toBeUndefined();
  });

  it('reads the OpenAI-compatible endpoint with its defaults', () => {
    const config = loadConfig({
      FLOCK_SQL_GENERATOR: 'openai',
      FLOCK_LLM_BASE_URL: 'http://127.0.0.1:9000/v1',
      FLOCK_LLM_MODEL: 'local-model',
      FLOCK_LLM_API_KEY: 'sk-test',
    });
    expect(config.llm).toEqual({
      baseUrl: 'http://127.0.0.1:9000/v1',
      apiKey: 'sk-test',
      model: 'local-model',
      timeoutMs: 30_000,
      attempts: 3,
      maxSchemaChars: 12_000,
      // Data goes into the prompt unless turned off; no temperature is sent unless set.
      sendValues: true,
    });
    expect(config.llm?.temperature).toBeUndefined();
    const llm = { FLOCK_SQL_GENERATOR: 'openai', FLOCK_LLM_BASE_URL: 'http://127.0.0.1:9000/v1', FLOCK_LLM_MODEL: 'local-model' };
    expect(loadConfig({ ...llm, FLOCK_LLM_SEND_VALUES: 'false', FLOCK_LLM_TEMPERATURE: '0' }).llm).toMatchObject({
      sendValues: false,
      temperature: 0,
    });
  });

  it('refuses the openai engine without an endpoint and a model', () => {
    expect(() => loadConfig({ FLOCK_SQL_GENERATOR: 'openai' })).toThrow(/FLOCK_LLM_BASE_URL and FLOCK_LLM_MODEL are required/);
  });

  it('refuses the motherduck engine without a token, also when only one bucket uses it', () => {
    expect(() => loadConfig({ FLOCK_SQL_GENERATOR: 'motherduck' })).toThrow(/MOTHERDUCK_TOKEN is required/);
    expect(() => loadConfig({ FLOCK_SQL_GENERATOR_BY_BUCKET: 'acme=motherduck' })).toThrow(/MOTHERDUCK_TOKEN is required/);
  });

  it('refuses buckets hosted on MotherDuck without a token', () => {
    expect(() => loadConfig({ FLOCK_MOTHERDUCK_DATABASES: 'acme=acme_prod' })).toThrow(
      /MOTHERDUCK_TOKEN is required when FLOCK_MOTHERDUCK_DATABASES/,
    );
  });

  it('parses per-bucket overrides and the MotherDuck database map', () => {
    const config = loadConfig({
      FLOCK_SQL_GENERATOR_BY_BUCKET: 'acme=motherduck, beta-club=builtin',
      MOTHERDUCK_TOKEN: 'md-token',
      FLOCK_MOTHERDUCK_DATABASES: 'acme=acme_prod',
    });
    expect(config.sqlGeneratorByBucket).toEqual({ acme: 'motherduck', 'beta-club': 'builtin' });
    expect(config.motherduck).toEqual({ token: 'md-token', databases: { acme: 'acme_prod' } });
  });

  it.each([
    ['an unknown engine', { FLOCK_SQL_GENERATOR: 'gpt' }, /FLOCK_SQL_GENERATOR/],
    ['an unknown engine in an override', { FLOCK_SQL_GENERATOR_BY_BUCKET: 'acme=gpt' }, /bucket=value/],
    ['a malformed override list', { FLOCK_SQL_GENERATOR_BY_BUCKET: 'acme' }, /bucket=value/],
    ['a database name with a quote', { MOTHERDUCK_TOKEN: 't', FLOCK_MOTHERDUCK_DATABASES: "acme=x'y" }, /bucket=value/],
    ['zero LLM attempts', { FLOCK_LLM_ATTEMPTS: '0' }, /FLOCK_LLM_ATTEMPTS/],
  ])('names the variable for %s', (_case, env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('loadConfig: webhooks', () => {
  it('leaves webhooks off, and private addresses refused, by default', () => {
    const config = loadConfig({});
    expect(config.webhookSecret).toBeUndefined();
    expect(config.webhookAllowPrivate).toBe(false);
    expect(config.webhookAllowedHosts).toEqual([]);
    expect([config.webhookAttempts, config.webhookBackoffMs, config.webhookTimeoutMs]).toEqual([10, 5_000, 5_000]);
  });

  it('reads a Standard Webhooks secret and the allowlist', () => {
    const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const config = loadConfig({ FLOCK_WEBHOOK_SECRET: secret, FLOCK_WEBHOOK_ALLOWED_HOSTS: ' hooks.internal, 10.0.0.0/8 ,[fd00::1]' });
    expect(config.webhookSecret).toBe(secret);
    expect(config.webhookAllowedHosts).toEqual(['hooks.internal', '10.0.0.0/8', '[fd00::1]']);
  });

  it.each([
    ['a secret without its prefix', { FLOCK_WEBHOOK_SECRET: Buffer.alloc(32, 1).toString('base64') }],
    ['a secret under 24 bytes', { FLOCK_WEBHOOK_SECRET: `whsec_${Buffer.alloc(16, 1).toString('base64')}` }],
    ['a secret that is not base64', { FLOCK_WEBHOOK_SECRET: 'whsec_this is not base64 at all, not at all' }],
    ['an allowlist with a space inside an entry', { FLOCK_WEBHOOK_ALLOWED_HOSTS: 'hooks internal' }],
    ['zero attempts', { FLOCK_WEBHOOK_ATTEMPTS: '0' }],
  ])('names the variable for %s', (_case, env) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(Object.keys(env)[0]!));
  });
});
