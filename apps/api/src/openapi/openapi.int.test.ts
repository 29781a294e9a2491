import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import type { Express } from 'express';
import { createLogger } from '@flock/logger';
import { TEST_ADMIN_API_KEY, testConfig } from '@flock/testing';
import { createApiContext, type ApiContext } from '../api-context';
import { createApp, type AppDependencies } from '../app';
import { openApiDocument } from './openapi-document';

const ROOT = path.resolve(__dirname, '../../../..');
const logger = createLogger('openapi-test', 'silent');
let context: ApiContext;
let app: Express;

beforeAll(() => {
  context = createApiContext(testConfig({ FLOCK_MAX_QUESTION_LENGTH: '300' }), logger);
  app = createApp(context.deps);
});

afterAll(async () => {
  await context.close();
});

describe('GET /openapi.json', () => {
  it('serves the document without credentials, with the limits this API runs with', async () => {
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(openApiDocument({ maxQuestionLength: 300 }));
    expect(res.body.paths['/api/v1/{bucket}/ask'].post.requestBody.content['application/json'].schema.properties.question.maxLength).toBe(
      300,
    );
  });

  it('passes Redocly’s lint with no error and no warning', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'flock-openapi-')), 'openapi.json');
    writeFileSync(file, (await request(app).get('/openapi.json')).text);
    // Offline: no telemetry, and no check for a newer version.
    const lint = await promisify(execFile)(
      path.join(ROOT, 'apps/api/node_modules/.bin/redocly'),
      ['lint', file, '--config', path.join(ROOT, 'redocly.yaml'), '--format', 'json'],
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    ).catch((error: { stdout: string }) => error);
    const report = JSON.parse(lint.stdout) as { totals: object; problems: { ruleId: string; message: string }[] };
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  });
});

describe('GET /docs', () => {
  it('serves a reference page without credentials whose scripts are files of this origin, under the strict CSP', async () => {
    const res = await request(app).get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("script-src-attr 'none'");
    expect(csp).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|https:)/);
    const scripts = [...res.text.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.map(([, attributes, body]) => ({ attributes: attributes!.trim(), body }))).toEqual([
      { attributes: 'src="/docs/swagger-ui-bundle.js"', body: '' },
      { attributes: 'src="/docs/start.js"', body: '' },
    ]);
  });

  it.each([
    ['/docs/start.js', /javascript/, 'SwaggerUIBundle'],
    ['/docs/swagger-ui-bundle.js', /javascript/, 'SwaggerUIBundle'],
    ['/docs/swagger-ui.css', /text\/css/, '.swagger-ui'],
  ])('serves %s from this origin', async (url, type, content) => {
    const res = await request(app).get(url).buffer(true).parse(text);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(type);
    expect(res.body).toContain(content);
  });
});

describe('the response check', () => {
  const tables = async () => [{ name: 'member' }];
  const broken = (deps: Partial<AppDependencies>) => createApp({ ...context.deps, ...deps });

  it('answers a body the document does not describe with a 500 naming the mismatch', async () => {
    // A presenter that lost a field: `row_count` is required by the document.
    const res = await request(broken({ schema: { tables } as never }))
      .get('/api/v1/example/tables')
      .set('X-API-Key', TEST_ADMIN_API_KEY);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: {
        code: 'internal_error',
        message:
          "The response does not match the OpenAPI document: GET /api/v1/{bucket}/tables 200: body/data/tables/0 must have required property 'row_count'",
        error_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
  });

  it('lets the same body through when the check is off, so the 500 above is the check’s', async () => {
    const res = await request(broken({ schema: { tables } as never, checkResponses: false }))
      .get('/api/v1/example/tables')
      .set('X-API-Key', TEST_ADMIN_API_KEY);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { tables: [{ name: 'member' }] }, meta: { bucket: 'example' } });
  });

  it('replaces a stream event the document does not describe with an error event', async () => {
    // A completed ask whose answer lacks the SQL and the worker's meta.
    const record = { id: 'a6220339-7ed3-42cf-b93a-67f78043567a', kind: 'ask', status: 'completed', bucket: 'example', question: 'q' };
    const ask = { get: async () => ({ ...record, result: { columns: [], rows: [], meta: {} } }) };
    const res = await request(broken({ ask: ask as never }))
      .get(`/api/v1/example/ask/jobs/${record.id}/events`)
      .set('X-API-Key', TEST_ADMIN_API_KEY)
      .buffer(true)
      .parse(text);
    expect(res.status).toBe(200);
    const events = (res.body as string).split('\n\n').filter(Boolean);
    expect(events[0]).toBe(`event: status\ndata: {"job_id":"${record.id}","status":"completed"}`);
    expect(events[1]).toMatch(
      /^event: error\ndata: \{"error":\{"code":"internal_error","message":"The response does not match the OpenAPI document: event result: .*must have required property 'generated_sql'/,
    );
  });
});

/** supertest's parser for bodies it would not buffer as text (scripts, styles, event streams). */
function text(res: unknown, done: (error: Error | null, body: string) => void): void {
  // In node, superagent hands its parsers the response stream itself.
  const stream = res as NodeJS.ReadableStream;
  let body = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (body += chunk));
  stream.on('end', () => done(null, body));
}
