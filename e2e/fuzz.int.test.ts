import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import { TEST_ADMIN_API_KEY, mintToken } from '@flock/testing';
import { settle, submit, useHarness } from './support/flock-harness';

/**
 * Random requests through the real app, workers, Redis and DuckDB: methods, paths,
 * credentials, content types and encodings, and bodies from valid to hostile. None may
 * answer 5xx or drop its connection, and the app still answers an ask afterwards. CI
 * runs a fixed seed; `pnpm fuzz` runs 10,000 cases (FLOCK_FUZZ_RUNS, FLOCK_FUZZ_SEED).
 */
const flock = useHarness();

const RUNS = Number(process.env.FLOCK_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FLOCK_FUZZ_SEED ?? 20261203);

const segment = fc.oneof(
  fc.constantFrom(
    'example',
    'jec',
    'ghost-club',
    '%',
    '%ff',
    '%2e%2e',
    '..',
    '.',
    'EXAMPLE',
    'a'.repeat(300),
    '%00',
    '%C0%AE',
    'member',
    'tables',
  ),
  fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.~%!$&()*+,;=:@'.split('')), maxLength: 40 }),
);
const jobId = fc.oneof(fc.uuid(), segment);

const path = fc.oneof(
  segment.map((b) => `/api/v1/${b}/ask`),
  fc.tuple(segment, jobId).map(([b, id]) => `/api/v1/${b}/ask/jobs/${id}`),
  segment.map((b) => `/api/v1/${b}/tables`),
  fc.tuple(segment, segment).map(([b, t]) => `/api/v1/${b}/tables/${t}`),
  segment.map((b) => `/api/v1/${b}/query`),
  fc.constant('/api/v1/query-all'),
  jobId.map((id) => `/api/v1/query-all/jobs/${id}`),
  fc.constantFrom('/healthz', '/readyz', '/admin/queues', '/admin/queues/api/queues', '/', '/api', '/api/v1'),
  fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
);

const question = fc.oneof(
  fc.constantFrom('How many members do we have?', 'How many members by type?', 'Total payments by currency for 2024', ''),
  fc.string({ maxLength: 300 }),
);
const sql = fc.oneof(
  fc.constantFrom(
    'SELECT 1',
    'SELECT count(*) FROM member',
    "SELECT * FROM read_csv('/etc/passwd')",
    'DROP TABLE member',
    'SELECT 1; SELECT 2',
    '',
  ),
  fc.string({ maxLength: 200 }),
);
const json = fc.oneof(
  question.map((q) => ({ question: q })),
  sql.map((s) => ({ sql: s })),
  fc.tuple(sql, fc.array(segment, { maxLength: 5 })).map(([s, buckets]) => ({ sql: s, buckets })),
  fc.jsonValue(),
);
const body = fc.oneof(
  json.map((value) => Buffer.from(JSON.stringify(value))),
  fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(Buffer.from('{"question":'), Buffer.from('x'.repeat(100_000)), Buffer.alloc(0), Buffer.from('[]'), Buffer.from('null')),
);
const encoding = fc.constantFrom(undefined, 'gzip', 'deflate', 'br', 'identity', 'compress', 'gzip, br');
const encode = (bytes: Buffer, how: string | undefined, valid: boolean): Buffer => {
  if (!valid || !how) return bytes;
  if (how === 'gzip') return gzipSync(bytes);
  if (how === 'deflate') return deflateSync(bytes);
  if (how === 'br') return brotliCompressSync(bytes);
  return bytes;
};

const credential = fc.constantFrom('admin', 'none', 'wrong-key', 'garbage-bearer', 'tenant-token', 'expired-token');
const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '*/*',
);

const requestCase = fc.record({
  method: fc.constantFrom('get', 'post', 'put', 'delete', 'patch', 'options', 'head'),
  path,
  credential,
  contentType,
  encoding,
  validEncoding: fc.boolean(),
  body,
});

it(`answers ${RUNS} random requests without a 5xx or a dropped connection, then still answers an ask`, async () => {
  const tokens = {
    'tenant-token': await mintToken({ sub: 'fuzz', buckets: ['example'] }),
    'expired-token': await mintToken({ sub: 'fuzz', buckets: ['example'] }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
  };
  await fc.assert(
    fc.asyncProperty(requestCase, async (c) => {
      let req = request(flock.app)[c.method](c.path);
      if (c.credential === 'admin') req = req.set('X-API-Key', TEST_ADMIN_API_KEY);
      if (c.credential === 'wrong-key') req = req.set('X-API-Key', 'flk_not_a_key');
      if (c.credential === 'garbage-bearer') req = req.set('Authorization', 'Bearer a.b.c');
      if (c.credential === 'tenant-token' || c.credential === 'expired-token')
        req = req.set('Authorization', `Bearer ${tokens[c.credential]}`);
      if (c.contentType) req = req.set('Content-Type', c.contentType);
      if (c.encoding) req = req.set('Content-Encoding', c.encoding);
      const res = c.method === 'get' || c.method === 'head' ? await req : await req.send(encode(c.body, c.encoding, c.validEncoding));
      if (res.status >= 500) throw new Error(`${res.status} for ${c.method.toUpperCase()} ${c.path}: ${JSON.stringify(res.body)}`);
    }),
    { numRuns: RUNS, seed: SEED },
  );

  const jobId = await submit(flock.app, 'example', 'How many members do we have?');
  expect((await settle(flock.app, 'example', jobId)).data.status).toBe('completed');
}, 600_000);
