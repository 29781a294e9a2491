/**
 * Execution accuracy of a question engine (the built-in one by default), scored as
 * ../shared/nl-dev/README.md defines it: the generated query must return the same rows
 * as the reference on the same database (a multiset, ordered only where `ordered`),
 * numbers equal to 1e-6 relative, column names ignored; an answer may carry extra
 * columns when some choice of its columns gives the reference; `gold: null` questions
 * must be refused. Both queries run in the real sandbox.
 *
 *   pnpm eval:nl [--dataset DIR | --questions FILE | --promoted-of BUCKET] [--buckets a,b | --bucket-count 8]
 *                [--knowledge DIR] [--generator builtin|openai|motherduck]
 *                [--min-accuracy 0.95] [--min-precision 0.9] [--quiet]
 *
 * A dataset is a folder with `questions.jsonl` and, for foreign schemas, `databases/<db>.sql`
 * (each question names its `db`); without `databases/` the questions run on demo buckets,
 * as nl-dev does. It prints EX (right / all), precision (right / answered) and the refusal
 * rate overall, per kind and per database, then every miss with the SQL generated.
 *
 * `--knowledge DIR` gives the engine a tenant's glossary and examples, as a bucket's
 * knowledge file would: `DIR/<db>.json` for each database, or `DIR/all.json` for every
 * database without one (the demo buckets share one schema). Each file holds `glossary`
 * entries (`term`, `table`, `kind`, `sql`) and optionally `examples` (`question`, `sql`);
 * each definition is checked as the API checks it before it is saved. Report figures with
 * and without it separately: a glossary is the tenant's knowledge, not the engine's.
 *
 * `--promoted-of BUCKET` takes the questions from that bucket's promoted feedback (its
 * examples with source `feedback`), the reference being the SQL a tenant admin promoted,
 * and runs them on the bucket's own warehouse (FLOCK_WAREHOUSE_DIR, FLOCK_KNOWLEDGE_DIR)
 * with its knowledge, less each question's own example: every correction becomes a
 * regression test of whether the engine answers it by itself.
 *
 * Another engine is configured from the environment exactly as the worker is
 * (FLOCK_LLM_* or MOTHERDUCK_TOKEN), and gets the worker's self-correction loop.
 *
 * Below a floor, or when a `gold: null` question was answered, it exits 1 so CI fails.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { bucketNames, createDemoWarehouse, hasEventTables } from '@flock/demo';
import { JobFailure } from '@flock/errors';
import { loadConfigOrExit } from '@flock/config';
import { generateAndRun } from '@flock/sql';
import {
  DefinitionRefusedError,
  KnowledgeStore,
  assertDefinable,
  definitionType,
  knowledgeDirOf,
  knowledgeOf,
  type Example,
  type GlossaryTerm,
  type TenantKnowledge,
} from '@flock/knowledge';
import { createSqlGenerators } from '../apps/worker/src/sql-generator.factory';
import { DirectoryTenantCatalog, Warehouse } from '@flock/warehouse';
import { DEFAULT_QUESTIONS, readQuestions, type Question } from './support';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    knowledge: { type: 'string' },
    'promoted-of': { type: 'string' },
    questions: { type: 'string' },
    buckets: { type: 'string' },
    // The first demo tenants: varied sizes, and one without event tables.
    'bucket-count': { type: 'string', default: '8' },
    'min-accuracy': { type: 'string' },
    'min-precision': { type: 'string' },
    generator: { type: 'string', default: 'builtin' },
    quiet: { type: 'boolean', default: false },
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

/** Extra columns are allowed: some choice of the generated columns, in the reference's order, must equal it. */
function sameWithExtraColumns(got: unknown[][], gotWidth: number, want: unknown[][], wantWidth: number, ordered: boolean): boolean {
  if (got.length !== want.length || gotWidth < wantWidth) return false;
  const choose = (picked: number[]): boolean => {
    if (picked.length === wantWidth)
      return sameRows(
        got.map((row) => picked.map((i) => row[i])),
        want,
        ordered,
      );
    for (let i = 0; i < gotWidth; i++) if (!picked.includes(i) && choose([...picked, i])) return true;
    return false;
  };
  return choose([]);
}

/** One database the questions run on: a demo bucket, or a dataset's `databases/<db>.sql`. */
interface Target {
  bucket: string;
  questions: Question[];
  /** What the tenant taught, as the engine gets it (with types found on the database). */
  knowledge?: TenantKnowledge;
}

/** The knowledge file a `--knowledge` folder holds for a database, as written by hand. */
interface KnowledgeFixture {
  glossary?: Pick<GlossaryTerm, 'term' | 'table' | 'kind' | 'sql'>[];
  examples?: Pick<Example, 'question' | 'sql'>[];
}

/** `--knowledge`: the database's glossary, each definition checked and typed on it by the checks the API saves with. */
async function knowledgeFor(warehouse: Warehouse, bucket: string): Promise<TenantKnowledge | undefined> {
  if (!values.knowledge) return undefined;
  const file = [path.join(values.knowledge, `${bucket}.json`), path.join(values.knowledge, 'all.json')].find(existsSync);
  if (!file) return undefined;
  const fixture = JSON.parse(readFileSync(file, 'utf8')) as KnowledgeFixture;
  const glossary: GlossaryTerm[] = [];
  const { tables } = await warehouse.schema(bucket);
  for (const entry of fixture.glossary ?? []) {
    // A shared file (all.json) may define words of tables a tenant never had.
    const table = tables.find((t) => t.name === entry.table);
    if (!table) continue;
    try {
      assertDefinable(entry.term, entry);
      const type = await definitionType(entry.term, entry, table, (sql) => warehouse.query(bucket, sql));
      glossary.push({ ...entry, type, created_at: '', created_by: 'eval' });
    } catch (error) {
      if (error instanceof DefinitionRefusedError) throw new Error(`${file}, on ${bucket}: ${error.message}`);
      throw error;
    }
  }
  const examples = (fixture.examples ?? []).map((example, i) => ({
    ...example,
    id: `e_${i}`,
    source: 'admin' as const,
    created_at: '',
    created_by: 'eval',
  }));
  return { revision: 1, version: 'eval.1', glossary, examples };
}

/** `--promoted-of`: the bucket's promoted corrections as questions, on its own warehouse. */
function promotedTarget(bucket: string): { dir: string; target: Target } {
  const config = loadConfigOrExit(process.env);
  const document = new KnowledgeStore(knowledgeDirOf(config)).read(bucket);
  const promoted = document.examples.filter((example) => example.source === 'feedback');
  const questions = promoted.map((example) => ({
    id: example.id,
    db: bucket,
    kind: 'promoted',
    question: example.question,
    gold: example.sql,
  }));
  return { dir: config.warehouseDir, target: { bucket, questions, knowledge: knowledgeOf(document) } };
}

async function prepareTargets(dir: string): Promise<Target[]> {
  const datasetDir = values.dataset ? path.resolve(values.dataset) : undefined;
  const questionsFile = values.questions ?? (datasetDir ? path.join(datasetDir, 'questions.jsonl') : DEFAULT_QUESTIONS);
  const questions = readQuestions(questionsFile);
  const databasesDir = datasetDir ? path.join(datasetDir, 'databases') : undefined;
  if (databasesDir && existsSync(databasesDir)) {
    const wanted = values.buckets ? new Set(values.buckets.split(',')) : undefined;
    const targets: Target[] = [];
    for (const file of readdirSync(databasesDir)
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      const db = file.slice(0, -4);
      if (wanted && !wanted.has(db)) continue;
      const own = questions.filter((q) => q.db === db);
      if (own.length === 0) continue;
      const instance = await DuckDBInstance.create(path.join(dir, `${db}.duckdb`));
      const connection = await instance.connect();
      try {
        await connection.run(readFileSync(path.join(databasesDir, file), 'utf8'));
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
      targets.push({ bucket: db, questions: own });
    }
    return targets;
  }
  const buckets = values.buckets ? values.buckets.split(',') : bucketNames(Number(values['bucket-count']));
  for (const bucket of buckets) await createDemoWarehouse(dir, bucket);
  // A reference that needs tables this tenant never had has no answer to match.
  return buckets.map((bucket) => ({
    bucket,
    questions: questions.filter((q) => !(q.gold && /\b(event|attendance)\b/.test(q.gold) && !hasEventTables(bucket))),
  }));
}

type Outcome = 'right' | 'wrong' | 'refused';

class Tally {
  right = 0;
  wrong = 0;
  refused = 0;
  add(outcome: Outcome): void {
    this[outcome]++;
  }
  get total(): number {
    return this.right + this.wrong + this.refused;
  }
  line(label: string, width: number): string {
    const pct = (n: number, d: number) => (d === 0 ? '   - ' : `${((n / d) * 100).toFixed(1).padStart(5)}%`);
    const answered = this.right + this.wrong;
    return `${label.padEnd(width)} EX ${pct(this.right, this.total)} (${this.right}/${this.total})  precision ${pct(this.right, answered)} (${this.right}/${answered})  refused ${pct(this.refused, this.total)}`;
  }
}

async function main(): Promise<void> {
  const promoted = values['promoted-of'] ? promotedTarget(values['promoted-of']) : undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-eval-nl-'));
  // The environment's engine settings, with the engine chosen on the command line.
  const generator = createSqlGenerators(loadConfigOrExit({ ...process.env, FLOCK_SQL_GENERATOR: values.generator })).forBucket('');
  const warehouse = new Warehouse({
    // A bucket's promoted questions run on its own file, read-only like every ask.
    catalog: new DirectoryTenantCatalog(promoted?.dir ?? dir),
    limits: { threads: 1, memoryLimit: '512MB' },
    maxIdle: 8,
    idleMs: 60_000,
    defaultQueryLimits: { timeoutMs: 30_000, maxRows: 1_000_000, maxBytes: 512 * 1024 * 1024 },
  });
  try {
    const targets = promoted ? [promoted.target] : await prepareTargets(dir);
    for (const target of targets) target.knowledge ??= await knowledgeFor(warehouse, target.bucket);
    const overall = new Tally();
    const byKind = new Map<string, Tally>();
    const byDb = new Map<string, Tally>();
    const misses: string[] = [];
    let answeredAbstain = 0;
    for (const { bucket, questions, knowledge: taught } of targets) {
      const schema = await warehouse.schema(bucket);
      for (const q of questions) {
        // A promoted question's own example would answer it: the engine must, from the rest.
        const knowledge = taught && promoted ? { ...taught, examples: taught.examples.filter((e) => e.id !== q.id) } : taught;
        let outcome: Outcome = 'wrong';
        let sql = '';
        let why = '';
        try {
          if (q.gold === null) {
            sql = (await generator.generate({ question: q.question, bucket, schema, knowledge })).sql;
            why = 'answered a question that must be refused';
            answeredAbstain++;
          } else {
            const gold = q.gold;
            const findValues = (texts: string[]) => warehouse.findValues(bucket, texts);
            const run = await generateAndRun(generator, { question: q.question, bucket, schema, findValues, knowledge }, (candidate) => {
              sql = candidate;
              return warehouse.query(bucket, candidate);
            });
            const [got, want] = [run.result, await warehouse.query(bucket, gold)];
            const ordered = q.ordered ?? false;
            const right =
              sameRows(got.rows, want.rows, ordered) ||
              sameWithExtraColumns(got.rows, got.columns.length, want.rows, want.columns.length, ordered);
            outcome = right ? 'right' : 'wrong';
            if (!right) why = `rows differ (got ${got.rows.length}, want ${want.rows.length})\n    gold: ${gold}`;
          }
        } catch (error) {
          if (!(error instanceof JobFailure)) throw error;
          const refused = error.code === 'generation_failed' || error.code === 'validation_failed';
          // A refused `gold: null` question is right; any other refusal is a refusal.
          outcome = q.gold === null && refused ? 'right' : refused ? 'refused' : 'wrong';
          why = `${error.code}: ${error.message}${q.gold ? `\n    gold: ${q.gold}` : ''}`;
        }
        for (const [map, key] of [
          [byKind, q.kind],
          [byDb, q.db ?? bucket],
        ] as const) {
          const tally = map.get(key) ?? new Tally();
          tally.add(outcome);
          map.set(key, tally);
        }
        overall.add(outcome);
        if (outcome !== 'right')
          misses.push(`  ${bucket}/${q.id} [${q.kind}] ${outcome}: ${q.question}\n    sql: ${sql || '(none)'}\n    ${why}`);
      }
    }
    const label = promoted
      ? `promoted corrections of ${values['promoted-of']}`
      : `${values.dataset ? path.basename(path.resolve(values.dataset)) : 'nl-dev'}${values.knowledge ? ` with the knowledge in ${values.knowledge}` : ''}`;
    const width = Math.max(9, ...[...byKind.keys(), ...byDb.keys()].map((k) => k.length + 1));
    console.log(`${label}: execution accuracy of ${generator.name} on ${targets.length} databases`);
    console.log(overall.line('overall', width));
    console.log('by kind:');
    for (const [kind, t] of [...byKind].sort()) console.log(t.line(kind, width));
    console.log('by database:');
    for (const [db, t] of [...byDb].sort()) console.log(t.line(db, width));
    if (!values.quiet) console.log(misses.length ? `misses:\n${misses.join('\n')}` : 'misses: none');

    const accuracy = overall.right / overall.total;
    const precision = overall.right / Math.max(1, overall.right + overall.wrong);
    const floor = (name: string) => (values[name as 'min-accuracy'] === undefined ? undefined : Number(values[name as 'min-accuracy']));
    const failures: string[] = [];
    const minAccuracy = floor('min-accuracy');
    const minPrecision = floor('min-precision');
    if (minAccuracy !== undefined && accuracy < minAccuracy)
      failures.push(`EX ${(accuracy * 100).toFixed(1)}% is below the floor of ${(minAccuracy * 100).toFixed(1)}%`);
    if (minPrecision !== undefined && precision < minPrecision)
      failures.push(`precision ${(precision * 100).toFixed(1)}% is below the floor of ${(minPrecision * 100).toFixed(1)}%`);
    if ((minAccuracy !== undefined || minPrecision !== undefined) && answeredAbstain > 0)
      failures.push(`${answeredAbstain} questions that must be refused were answered`);
    if (failures.length > 0) {
      console.error(`FAIL (${label}): ${failures.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await generator.close?.();
    warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
