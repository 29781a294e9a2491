/**
 * Generation time of the built-in engine per question, on the schema read from a real
 * demo warehouse. Target: under 5 ms p99. The baseline, measured in the same run, is
 * executing the generated SQL on an open sandboxed DuckDB instance: the engine should
 * cost a small fraction of the query it writes.
 *
 *   pnpm bench:generate [--questions FILE] [--iterations 200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDemoWarehouse } from '@flock/demo';
import { BuiltinSqlGenerator, wordnet } from '@flock/sql';
import { DirectoryTenantCatalog, Warehouse } from '@flock/warehouse';
import { DEFAULT_QUESTIONS, percentile, readQuestions } from './support';

const { values } = parseArgs({
  options: {
    questions: { type: 'string', default: DEFAULT_QUESTIONS },
    iterations: { type: 'string', default: '200' },
  },
});

async function main(): Promise<void> {
  const questions = readQuestions(values.questions!).map((q) => q.question);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-bench-gen-'));
  await createDemoWarehouse(dir, 'example');
  const warehouse = new Warehouse({
    catalog: new DirectoryTenantCatalog(dir),
    limits: { threads: 1, memoryLimit: '512MB' },
    maxIdle: 2,
    idleMs: 60_000,
    defaultQueryLimits: { timeoutMs: 30_000, maxRows: 10_000, maxBytes: 400_000 },
  });
  try {
    // WordNet's cost on its own: the first lookup reads its adjective index, later ones are map lookups.
    let started = performance.now();
    wordnet.pertainyms('French');
    const wordnetStartMs = performance.now() - started;
    const adjectives = ['Norwegian', 'Asian', 'African', 'Brazilian', 'Spanish', 'quickly', 'German', 'European'];
    started = performance.now();
    for (let i = 0; i < 1000; i++) wordnet.pertainyms(`${adjectives[i % adjectives.length]}`);
    const wordnetLookupMs = (performance.now() - started) / 1000;
    const schema = await warehouse.schema('example');
    const generator = new BuiltinSqlGenerator();
    const generation: number[] = [];
    const execution: number[] = [];
    const sqls: string[] = [];
    for (const question of questions) {
      const sql = await generator.generate({ question, bucket: 'example', schema }).then(
        (g) => g.sql,
        () => undefined,
      );
      if (sql) sqls.push(sql);
    }
    for (let i = 0; i < Number(values.iterations); i++) {
      for (const question of questions) {
        const started = performance.now();
        await generator.generate({ question, bucket: 'example', schema }).catch(() => undefined);
        generation.push(performance.now() - started);
      }
    }
    for (let i = 0; i < 20; i++) {
      for (const sql of sqls) {
        const started = performance.now();
        await warehouse.query('example', sql);
        execution.push(performance.now() - started);
      }
    }
    const ms = (v: number) => `${v.toFixed(3)} ms`;
    console.log(`built-in generation on demo bucket 'example': ${questions.length} questions x ${values.iterations}`);
    console.log(
      `generation  median ${ms(percentile(generation, 50))}  p99 ${ms(percentile(generation, 99))}  (target p99 < 5 ms: ${percentile(generation, 99) < 5 ? 'met' : 'MISSED'})`,
    );
    console.log(
      `baseline: executing the generated SQL in the sandbox  median ${ms(percentile(execution, 50))}  p99 ${ms(percentile(execution, 99))}`,
    );
    console.log(`ratio (median generation / median execution): ${(percentile(generation, 50) / percentile(execution, 50)).toFixed(3)}`);
    console.log(
      `WordNet: first lookup (reads the index, once per process) ${ms(wordnetStartMs)}; later lookups ${ms(wordnetLookupMs)} each`,
    );
  } finally {
    warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
