/**
 * Execution accuracy of a question engine (the built-in one by default) on the nl-dev question set, scored as
 * ../shared/nl-dev/README.md defines it: the generated query must return the same rows
 * as the reference on the same bucket (a multiset, ordered only where `ordered`),
 * numbers equal to 1e-6 relative, column names ignored; a listing may add columns;
 * `gold: null` questions must be refused. Both queries run in the real sandbox.
 *
 *   pnpm eval:nl [--questions FILE] [--buckets example,jec,... | --bucket-count 8] [--min-accuracy 0.95]
 *                [--generator builtin|openai|motherduck]
 *
 * Another engine is configured from the environment exactly as the worker is
 * (FLOCK_LLM_* or MOTHERDUCK_TOKEN), and gets the worker's self-correction loop.
 *
 * With --min-accuracy it exits 1 below the floor or when any `gold: null` question
 * was answered, so CI fails on a drop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bucketNames, createDemoWarehouse, hasEventTables } from '@flock/demo';
import { JobFailure } from '@flock/errors';
import { loadConfigOrExit } from '@flock/config';
import { generateAndRun } from '@flock/sql';
import { createSqlGenerators } from '../apps/worker/src/sql-generator.factory';
import { DirectoryTenantCatalog, Warehouse } from '@flock/warehouse';
import { DEFAULT_QUESTIONS, readQuestions } from './support';

const { values } = parseArgs({
  options: {
    questions: { type: 'string', default: DEFAULT_QUESTIONS },
    buckets: { type: 'string' },
    // The first demo tenants: varied sizes, and one without event tables.
    'bucket-count': { type: 'string', default: '8' },
    'min-accuracy': { type: 'string' },
    generator: { type: 'string', default: 'builtin' },
  },
});

const close = (a: unknown, b: unknown): boolean => {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
  return JSON.stringify(a) === JSON.stringify(b);
};

function sameRows(got: unknown[][], want: unknown[][], ordered: boolean): boolean {
  if (got.length !== want.length) return false;
  if (ordered) return got.every((row, i) => row.length === want[i]!.length && row.every((v, j) => close(v, want[i]![j])));
  const left = [...want];
  for (const row of got) {
    const at = left.findIndex((w) => w.length === row.length && w.every((v, j) => close(row[j], v)));
    if (at < 0) return false;
    left.splice(at, 1);
  }
  return true;
}

/** Listings may carry extra columns: some choice of the generated columns must equal the reference. */
function sameListing(got: unknown[][], gotWidth: number, want: unknown[][], wantWidth: number): boolean {
  const choose = (picked: number[]): boolean => {
    if (picked.length === wantWidth) return sameRows(got.map((row) => picked.map((i) => row[i])), want, false);
    for (let i = 0; i < gotWidth; i++) if (!picked.includes(i) && choose([...picked, i])) return true;
    return false;
  };
  return choose([]);
}

async function main(): Promise<void> {
  const questions = readQuestions(values.questions!);
  const buckets = values.buckets ? values.buckets.split(',') : bucketNames(Number(values['bucket-count']));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-eval-nl-'));
  // The environment's engine settings, with the engine chosen on the command line.
  const generator = createSqlGenerators(loadConfigOrExit({ ...process.env, FLOCK_SQL_GENERATOR: values.generator })).forBucket('');
  const warehouse = new Warehouse({
    catalog: new DirectoryTenantCatalog(dir),
    limits: { threads: 1, memoryLimit: '512MB' },
    maxIdle: 8,
    idleMs: 60_000,
    defaultQueryLimits: { timeoutMs: 30_000, maxRows: 1_000_000, maxBytes: 512 * 1024 * 1024 },
  });
  try {
    for (const bucket of buckets) await createDemoWarehouse(dir, bucket);
    const byKind = new Map<string, { right: number; total: number }>();
    const misses: string[] = [];
    let answeredAbstain = 0;
    for (const bucket of buckets) {
      const schema = await warehouse.schema(bucket);
      for (const q of questions) {
        // A reference that needs tables this tenant never had has no answer to match.
        if (q.gold && /\b(event|attendance)\b/.test(q.gold) && !hasEventTables(bucket)) continue;
        let right = false;
        let sql = '';
        let why = '';
        try {
          if (q.gold === null) {
            sql = (await generator.generate({ question: q.question, bucket, schema })).sql;
            why = 'answered a question that must be refused';
            answeredAbstain++;
          } else {
            const gold = q.gold;
            const run = await generateAndRun(generator, { question: q.question, bucket, schema }, (candidate) => {
              sql = candidate;
              return warehouse.query(bucket, candidate);
            });
            const [got, want] = [run.result, await warehouse.query(bucket, gold)];
            right =
              sameRows(got.rows, want.rows, q.ordered ?? false) ||
              (q.kind === 'list' && sameListing(got.rows, got.columns.length, want.rows, want.columns.length));
            if (!right) why = `rows differ (got ${got.rows.length}, want ${want.rows.length})`;
          }
        } catch (error) {
          if (!(error instanceof JobFailure)) throw error;
          right = q.gold === null && (error.code === 'generation_failed' || error.code === 'validation_failed');
          why = `${error.code}: ${error.message}`;
        }
        const tally = byKind.get(q.kind) ?? { right: 0, total: 0 };
        tally.total++;
        if (right) tally.right++;
        byKind.set(q.kind, tally);
        if (!right) misses.push(`  ${bucket}/${q.id} [${q.kind}] ${q.question}\n    sql: ${sql || '(none)'}\n    ${why}`);
      }
    }
    const total = [...byKind.values()].reduce((a, t) => ({ right: a.right + t.right, total: a.total + t.total }), { right: 0, total: 0 });
    const accuracy = total.right / total.total;
    console.log(`nl-dev execution accuracy (${generator.name}, buckets: ${buckets.join(', ')})`);
    console.log(`overall  ${(accuracy * 100).toFixed(1)}%  (${total.right}/${total.total})`);
    for (const [kind, t] of [...byKind].sort()) console.log(`${kind.padEnd(9)}${((t.right / t.total) * 100).toFixed(1).padStart(5)}%  (${t.right}/${t.total})`);
    console.log(misses.length ? `misses:\n${misses.join('\n')}` : 'misses: none');
    const floor = values['min-accuracy'] === undefined ? undefined : Number(values['min-accuracy']);
    if (floor !== undefined && (accuracy < floor || answeredAbstain > 0)) {
      console.error(`FAIL: accuracy ${(accuracy * 100).toFixed(1)}% is below the floor of ${(floor * 100).toFixed(1)}%, or a question that must be refused was answered`);
      process.exitCode = 1;
    }
  } finally {
    await generator.close?.();
    warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
