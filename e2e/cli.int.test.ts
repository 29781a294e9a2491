import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_ADMIN_API_KEY, mintToken } from '@flock/testing';
import { useHarness, type SpawnedApi } from './support/flock-harness';

/**
 * The `flock` command line as a user runs it: its own process, the server and key from
 * the environment, stdout a pipe (not a terminal), against a real API process and a
 * worker on the same Redis.
 */
// Knowledge of its own, so terms defined here never reach other tests on the shared demo warehouses.
const knowledgeDir = mkdtempSync(path.join(os.tmpdir(), 'flock-cli-knowledge-'));
afterAll(() => rmSync(knowledgeDir, { recursive: true, force: true }));
const flock = useHarness(() => ({ env: { FLOCK_QUERY_ALL_CHUNK_SIZE: '1', FLOCK_KNOWLEDGE_DIR: knowledgeDir } }));
const BIN = path.resolve(__dirname, '../packages/client/bin/flock.js');
let api: SpawnedApi;

beforeAll(async () => {
  api = await flock.spawnApi();
});

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = { FLOCK_API_KEY: TEST_ADMIN_API_KEY }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH!, FLOCK_URL: api.base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

it('asks a question and prints an aligned table, its row count and its SQL, with nothing else on a pipe', async () => {
  const run = await cli(['ask', '--bucket', 'example', 'How many members by type?']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const lines = run.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^membership_type\s+│ count$/);
  expect(lines[1]).toMatch(/^─+┼─+$/);
  expect(lines.at(-3)).toMatch(/^\(\d+ rows?\)$/);
  expect(lines.at(-2)).toMatch(/^SQL: SELECT /);
  expect(lines.at(-1)).toMatch(/^job: [0-9a-f-]{36} \(follow it up with --follows\)$/);
  // No spinner frames or terminal escapes when stdout is not a terminal.
  expect(run.stdout).not.toContain('\u001b');
});

it('asks a follow-up of an earlier answer, and says how it read it', async () => {
  const first = JSON.parse((await cli(['--json', 'ask', '-b', 'example', 'Total payments by currency'])).stdout);
  const run = await cli(['ask', '-b', 'example', '--follows', first.data.job_id, 'only for 2024']);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^read as: Total payments by currency, only for 2024$/m);
  expect(run.stdout).toMatch(/^SQL: .*2024/m);
});

it('prints the whole answer as JSON with --json, and rows as CSV with --csv', async () => {
  const json = await cli(['--json', 'ask', '-b', 'example', 'How many members by type?']);
  expect(json.status).toBe(0);
  const body = JSON.parse(json.stdout);
  expect(body.data.status).toBe('completed');
  expect(body.meta.bucket).toBe('example');
  const csv = await cli(['--csv', 'ask', '-b', 'example', 'How many members by type?']);
  expect(csv.status).toBe(0);
  const [header, ...rows] = csv.stdout.trimEnd().split('\n');
  expect(header).toBe('membership_type,count');
  expect(rows).toHaveLength(body.data.rows.length);
});

it('lists tables, describes one and runs SQL on a bucket', async () => {
  const tables = await cli(['tables', '--bucket', 'example']);
  expect(tables.status).toBe(0);
  expect(tables.stdout).toMatch(/^member\s+│\s+\d+$/m);
  const describe = await cli(['describe', '--bucket', 'example', 'member']);
  expect(describe.status).toBe(0);
  expect(describe.stdout).toMatch(/^membership_type\s+│/m);
  const query = await cli(['--csv', 'query', '--bucket', 'example', 'SELECT 1 + 1 AS two']);
  expect(query.stdout).toBe('two\n2\n');
});

it('runs a cross-tenant query, and shows a job by its id', async () => {
  const run = await cli(['--json', 'query-all', '--sql', 'SELECT count(*) AS n FROM member', '--buckets', 'example,jec']);
  expect(run.status).toBe(0);
  const body = JSON.parse(run.stdout);
  expect(body.meta.databases_queried).toBe(2);
  const job = await cli(['--csv', 'jobs', body.data.job_id]);
  expect(job.status).toBe(0);
  expect(job.stdout.trimEnd().split('\n')).toHaveLength(3);
});

it('draws a spinner, and a progress bar for query-all, when it runs in a terminal', async () => {
  // util-linux `script` gives the command a pseudo-terminal, as a person's shell would.
  const inTerminal = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const command = [process.execPath, BIN, ...args].map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(' ');
      // A new pseudo-terminal has no size until it is given one, as a terminal window would.
      const child = spawn('script', ['-qec', `stty cols 100 rows 30; ${command}`, '/dev/null'], {
        env: { PATH: process.env.PATH!, TERM: 'xterm', FLOCK_URL: api.base, FLOCK_API_KEY: TEST_ADMIN_API_KEY },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('close', (status) => (status === 0 ? resolve(output) : reject(new Error(`exit ${status}: ${output}`))));
    });
  const asked = await inTerminal(['ask', '-b', 'example', 'How many members by type?']);
  expect(asked).toMatch(/Thinking…/);
  expect(asked).toMatch(/membership_type\s+│ count/);
  const fannedOut = await inTerminal([
    'query-all',
    '--sql',
    'SELECT count(*) AS n FROM member, range(200000) AS r(i)',
    '--buckets',
    'example,jec',
  ]);
  expect(fannedOut).toMatch(/databases .* [012]\/2/);
  expect(fannedOut).toMatch(/databases: 2 queried/);
});

it('exits with the status of the error code, and says why on stderr', async () => {
  const unanswerable = await cli(['ask', '-b', 'example', 'What is the airspeed velocity of an unladen swallow?']);
  expect(unanswerable.status).toBe(10);
  expect(unanswerable.stderr).toMatch(/\[generation_failed\]/);
  expect(unanswerable.stdout).toBe('');

  const token = await mintToken({ sub: 'alice', buckets: ['example'] });
  const forbidden = await cli(['tables', '-b', 'jec'], { FLOCK_TOKEN: token });
  expect([forbidden.status, forbidden.stderr]).toEqual([5, "flock: HTTP 403 [forbidden]: Access denied to bucket 'jec'\n"]);

  const missing = await cli(['describe', '-b', 'example', 'no_such_table']);
  expect(missing.status).toBe(6);

  const unauthenticated = await cli(['tables', '-b', 'example'], { FLOCK_API_KEY: 'flk_not_a_key' });
  expect(unauthenticated.status).toBe(4);

  const noCredential = await cli(['tables', '-b', 'example'], {});
  expect(noCredential.status).toBe(2);
  expect(noCredential.stderr).toMatch(/--api-key/);

  const unreachable = await cli(['--url', 'http://127.0.0.1:1', 'tables', '-b', 'example']);
  expect(unreachable.status).toBe(8);
  expect(unreachable.stderr).toMatch(/\[connection_failed\]/);

  const usage = await cli(['ask']);
  expect(usage.status).toBe(2);
});

it('teaches a bucket a word, and takes feedback that a tenant admin promotes to an example', async () => {
  const tenantAdmin = { FLOCK_TOKEN: await mintToken({ sub: 'tess', buckets: ['example'], tenant_admin: true }) };
  const asker = { FLOCK_TOKEN: await mintToken({ sub: 'ann', buckets: ['example'] }) };
  const question = ['ask', '-b', 'example', 'How many lapsed members are there?'];
  expect((await cli(question, asker)).status).not.toBe(0);

  const define = ['define', '-b', 'example', '--table', 'member', '--kind', 'filter', '--sql', "status = 'inactive'", 'lapsed'];
  const refused = await cli(define, asker);
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toMatch(/tenant admin/);
  const defined = await cli(define, tenantAdmin);
  expect(defined.stdout.trim()).toBe("defined 'lapsed' (filter on member, BOOLEAN): status = 'inactive'");
  const answered = await cli(question, asker);
  expect(answered.status).toBe(0);
  expect(answered.stdout).toMatch(/^SQL: WITH member AS .*WHERE lapsed$/m);
  expect((await cli(['glossary', '-b', 'example'], asker)).stdout).toMatch(/^lapsed\s+│ filter │ member │ status = 'inactive'$/m);

  const asked = JSON.parse((await cli(['--json', 'ask', '-b', 'example', 'How many members are there?'], asker)).stdout);
  const jobId: string = asked.data.job_id;
  const sql = "SELECT count(*) AS members FROM member WHERE status <> 'pending'";
  const given = await cli(
    ['feedback', '-b', 'example', jobId, '--wrong', '--sql', sql, '--comment', 'pending ones are not members yet'],
    asker,
  );
  expect(given.stdout).toMatch(/^feedback f_\S+: candidate$/m);
  const id = given.stdout.match(/feedback (f_\S+):/)![1]!;
  expect((await cli(['candidates', '-b', 'example'], tenantAdmin)).stdout).toContain(id);
  expect((await cli(['promote', '-b', 'example', id], tenantAdmin)).stdout).toMatch(/^example e_\S+: "/m);
});
