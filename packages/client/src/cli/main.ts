import { Command, CommanderError, Option } from 'commander';
import { FlockClient, type QueryAllRequest } from '../client';
import { FlockError } from '../errors';
import { describeError, EXIT_CODES, exitCodeOf } from './exit-codes';
import { Feedback } from './feedback';
import { renderGrid, renderJson, type Format, type Grid } from './output';

const EXIT_HELP = Object.entries(EXIT_CODES)
  .map(([code, status]) => `  ${String(status).padStart(2)}  ${code}`)
  .join('\n');

interface GlobalOptions {
  url: string;
  apiKey?: string;
  token?: string;
  json?: boolean;
  csv?: boolean;
  timeout: string;
}

/** Builds the `flock` program; `io` is where it writes, so tests run it in-process too. */
export function flockProgram(io: { out: (text: string) => void; feedback: Feedback }): Command {
  const program = new Command('flock')
    .description('Ask Flock questions about your data, from the command line.')
    .addOption(new Option('--url <url>', 'where the Flock API listens').env('FLOCK_URL').default('http://127.0.0.1:3000'))
    .addOption(new Option('--api-key <key>', 'a service key (X-API-Key)').env('FLOCK_API_KEY'))
    .addOption(new Option('--token <jwt>', "a user's bearer token").env('FLOCK_TOKEN'))
    .addOption(new Option('--json', 'print the API response body as JSON').conflicts('csv'))
    .addOption(new Option('--csv', 'print columns and rows as CSV'))
    .addOption(new Option('--timeout <seconds>', 'stop waiting for a job after this long').default('600'))
    .showHelpAfterError()
    // Before the commands are added, which copy these: usage errors return a status instead of exiting.
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .addHelpText('after', `\nExit status:\n${EXIT_HELP}\n\nFLOCK_URL, FLOCK_API_KEY and FLOCK_TOKEN stand in for the flags.`);

  const context = () => {
    const options = program.opts<GlobalOptions>();
    const timeoutSeconds = Number(options.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
      throw new FlockError('usage', "'--timeout' must be a positive number of seconds");
    if (!options.apiKey && !options.token)
      throw new FlockError('usage', 'Give a credential: --api-key or FLOCK_API_KEY, or --token or FLOCK_TOKEN');
    // One credential: a flag typed now wins over the environment's other one.
    const source = (name: string) => program.getOptionValueSource(name);
    let { apiKey, token } = options;
    if (apiKey && token) {
      if (source('apiKey') === source('token')) throw new FlockError('usage', 'Give an API key or a token, not both');
      if (source('token') === 'cli') apiKey = undefined;
      else token = undefined;
    }
    const client = new FlockClient({ baseUrl: options.url, apiKey, token });
    const format: Format = options.json ? 'json' : options.csv ? 'csv' : 'table';
    return { client, format, timeoutMs: timeoutSeconds * 1000 };
  };
  const printGrid = (grid: Grid, format: Format, body: unknown, footer?: string) => {
    io.out(renderGrid(grid, format, body));
    if (format === 'table' && footer) io.out(footer);
  };
  const waiting = async <T>(text: string, work: () => Promise<T>): Promise<T> => {
    io.feedback.wait(text);
    try {
      return await work();
    } finally {
      io.feedback.done();
    }
  };

  program
    .command('ask')
    .description('ask a question in plain language')
    .requiredOption('-b, --bucket <bucket>', 'the bucket to ask')
    .option('-f, --follows <jobId>', 'a follow-up ("only for 2024") of the answer of that job')
    .argument('<question...>', 'the question (quotes optional)')
    .action(async (words: string[], options: { bucket: string; follows?: string }) => {
      const { client, format, timeoutMs } = context();
      const answer = await waiting('Thinking…', () =>
        client.ask(options.bucket, words.join(' '), { timeoutMs, previousJobId: options.follows }),
      );
      const read = answer.meta.resolved_question ? `read as: ${answer.meta.resolved_question}\n` : '';
      printGrid(
        answer.data,
        format,
        answer,
        `${read}SQL: ${answer.data.generated_sql}\njob: ${answer.data.job_id} (follow it up with --follows)`,
      );
    });

  program
    .command('tables')
    .description("list a bucket's tables")
    .requiredOption('-b, --bucket <bucket>', 'the bucket')
    .action(async (options: { bucket: string }) => {
      const { client, format } = context();
      const body = await client.tables(options.bucket);
      printGrid({ columns: ['name', 'row_count'], rows: body.data.tables.map((t) => [t.name, t.row_count]) }, format, body);
    });

  program
    .command('describe')
    .description("show a table's columns and keys")
    .requiredOption('-b, --bucket <bucket>', 'the bucket')
    .argument('<table>', 'the table')
    .action(async (table: string, options: { bucket: string }) => {
      const { client, format } = context();
      const body = await client.describe(options.bucket, table);
      const { data } = body;
      const primary = new Set(data.primary_key);
      const rows = data.columns.map((c) => [c.name, c.type, c.nullable ? 'yes' : 'no', primary.has(c.name) ? 'PK' : '']);
      const keys = data.foreign_keys.map(
        (fk) => `(${fk.columns.join(', ')}) → ${fk.references.table} (${fk.references.columns.join(', ')})`,
      );
      const footer = [`${data.name}: ${data.row_count} rows`, ...keys.map((key) => `foreign key ${key}`)].join('\n');
      printGrid({ columns: ['column', 'type', 'nullable', 'key'], rows }, format, body, footer);
    });

  program
    .command('query')
    .description('run your own read-only SQL on one bucket')
    .requiredOption('-b, --bucket <bucket>', 'the bucket')
    .argument('<sql...>', 'one SELECT statement')
    .action(async (sql: string[], options: { bucket: string }) => {
      const { client, format } = context();
      const body = await waiting('Running…', () => client.query(options.bucket, sql.join(' ')));
      printGrid(body.data, format, body);
    });

  program
    .command('query-all')
    .description('run one query across buckets and combine the answers (admin keys)')
    .addOption(new Option('--sql <sql>', 'SQL to run on every bucket').conflicts('question'))
    .addOption(new Option('--question <question>', 'a question, turned into SQL once'))
    .option('--table <table>', 'in question mode, the table to generate for')
    .option('--buckets <ids>', 'only these buckets, comma-separated (default: all)')
    .action(async (options: { sql?: string; question?: string; table?: string; buckets?: string }) => {
      if (!options.sql && !options.question) throw new FlockError('usage', 'Give --sql or --question');
      const { client, format, timeoutMs } = context();
      const request = {
        ...(options.sql ? { sql: options.sql } : { question: options.question }),
        ...(options.table ? { table: options.table } : {}),
        ...(options.buckets
          ? {
              buckets: options.buckets
                .split(',')
                .map((b) => b.trim())
                .filter(Boolean),
            }
          : {}),
      } as QueryAllRequest;
      const answer = await waiting('Fanning out…', () =>
        client.queryAll(request, { timeoutMs, onProgress: (p) => io.feedback.progress(p.databases_done, p.databases_total) }),
      );
      const meta = answer.meta as { databases_queried?: number; databases_skipped?: number; databases_errored?: number };
      const footer = `databases: ${meta.databases_queried ?? 0} queried, ${meta.databases_skipped ?? 0} skipped, ${meta.databases_errored ?? 0} errored`;
      printGrid(answer.data, format, answer, footer);
    });

  program
    .command('glossary')
    .description("list a bucket's glossary terms")
    .requiredOption('-b, --bucket <bucket>', 'the bucket')
    .action(async (options: { bucket: string }) => {
      const { client, format } = context();
      const body = await client.knowledge(options.bucket);
      const rows = body.data.glossary.map((t) => [t.term, t.kind, t.table, t.sql]);
      const footer = `revision ${body.data.revision}; ${body.data.examples.length} saved examples`;
      printGrid({ columns: ['term', 'kind', 'table', 'sql'], rows }, format, body, footer);
    });

  program
    .command('define')
    .description('teach a bucket a word: a filter, a column or a measure over one table (tenant admins)')
    .requiredOption('-b, --bucket <bucket>', 'the bucket')
    .requiredOption('--table <table>', 'the table the definition reads')
    .addOption(new Option('--kind <kind>', 'what the word is').choices(['filter', 'column', 'measure']).makeOptionMandatory())
    .requiredOption('--sql <expression>', "a DuckDB expression over the table's columns, e.g. \"status = 'cancelled'\"")
    .option('--description <text>', 'what the word means, for people')
    .argument('<term...>', 'the word or phrase')
    .action(
      async (
        words: string[],
        options: { bucket: string; table: string; kind: 'filter' | 'column' | 'measure'; sql: string; description?: string },
      ) => {
        const { client, format } = context();
        const { bucket, ...definition } = options;
        const term = await client.defineTerm(bucket, words.join(' '), definition);
        io.out(format === 'json' ? renderJson(term) : `defined '${term.term}' (${term.kind} on ${term.table}, ${term.type}): ${term.sql}`);
      },
    );

  program
    .command('undefine')
    .description('remove a glossary term (tenant admins)')
    .requiredOption('-b, --bucket <bucket>', 'the bucket')
    .argument('<term...>', 'the word or phrase')
    .action(async (words: string[], options: { bucket: string }) => {
      const { client } = context();
      await client.removeTerm(options.bucket, words.join(' '));
      io.out(`removed '${words.join(' ')}'`);
    });

  program
    .command('feedback')
    .description('say whether an answer of yours was right, and give the right SQL if it was not')
    .requiredOption('-b, --bucket <bucket>', "the job's bucket")
    .argument('<jobId>', 'the ask job')
    .addOption(new Option('--correct', 'the answer was right').conflicts('wrong'))
    .addOption(new Option('--wrong', 'the answer was wrong (or should not have been refused)'))
    .option('--sql <sql>', 'the SQL that answers the question')
    .option('--comment <text>', 'anything else')
    .action(async (jobId: string, options: { bucket: string; correct?: boolean; wrong?: boolean; sql?: string; comment?: string }) => {
      if (!options.correct && !options.wrong) throw new FlockError('usage', 'Say --correct or --wrong');
      const { client, format } = context();
      const feedback = await client.giveFeedback(options.bucket, jobId, {
        correct: Boolean(options.correct),
        ...(options.sql ? { sql: options.sql } : {}),
        ...(options.comment ? { comment: options.comment } : {}),
      });
      io.out(format === 'json' ? renderJson(feedback) : `feedback ${feedback.id}: ${feedback.status}`);
    });

  program
    .command('candidates')
    .description('list feedback that carries SQL a tenant admin may promote to an example (tenant admins)')
    .requiredOption('-b, --bucket <bucket>', 'the bucket')
    .action(async (options: { bucket: string }) => {
      const { client, format } = context();
      const candidates = await client.feedback(options.bucket, 'candidate');
      const rows = candidates.map((f) => [f.id, f.question, f.sql ?? '', f.comment ?? '']);
      printGrid({ columns: ['id', 'question', 'sql', 'comment'], rows }, format, { data: candidates });
    });

  program
    .command('promote')
    .description('make a feedback candidate an example the engine answers from (tenant admins)')
    .requiredOption('-b, --bucket <bucket>', 'the bucket')
    .argument('<feedbackId>', 'the candidate')
    .action(async (feedbackId: string, options: { bucket: string }) => {
      const { client, format } = context();
      const example = await client.promote(options.bucket, feedbackId);
      io.out(format === 'json' ? renderJson(example) : `example ${example.id}: "${example.question}"`);
    });

  program
    .command('jobs')
    .description('show a job: an ask job with --bucket, a query-all job without')
    .argument('<jobId>', 'the job id')
    .option('-b, --bucket <bucket>', "the ask job's bucket")
    .option('-w, --wait', 'wait for the job to finish')
    .action(async (jobId: string, options: { bucket?: string; wait?: boolean }) => {
      const { client, format, timeoutMs } = context();
      const job = options.bucket
        ? options.wait
          ? await waiting('Waiting…', () => client.waitForAsk(options.bucket!, jobId, { timeoutMs }))
          : await client.askJob(options.bucket, jobId)
        : options.wait
          ? await waiting('Waiting…', () => client.waitForQueryAll(jobId, { timeoutMs }))
          : await client.queryAllJob(jobId);
      const data = job.data as { status: string; columns?: string[]; rows?: unknown[][]; error_code?: string; error_message?: string };
      if (format === 'json' || data.status !== 'completed') {
        io.out(
          format === 'json'
            ? renderJson(job)
            : `${jobId}: ${data.status}${data.error_code ? ` [${data.error_code}] ${data.error_message}` : ''}`,
        );
        if (data.status === 'failed') throw new FlockError(data.error_code ?? 'unexpected', data.error_message ?? 'failed');
        return;
      }
      printGrid({ columns: data.columns ?? [], rows: data.rows ?? [] }, format, job);
    });

  return program;
}

/** Runs the command line and resolves with the exit status; errors go to stderr as one line. */
export async function runFlock(
  argv: string[],
  io = { out: (text: string) => process.stdout.write(`${text}\n`), feedback: Feedback.forTerminal() },
): Promise<number> {
  const program = flockProgram({ out: (text) => void io.out(text), feedback: io.feedback });
  try {
    await program.parseAsync(argv);
    return EXIT_CODES.ok!;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with status 0.
      return error.exitCode === 0 ? 0 : EXIT_CODES.usage!;
    }
    io.feedback.done();
    process.stderr.write(`${describeError(error)}\n`);
    return exitCodeOf(error);
  }
}

/** The `flock` command as a process runs it: the exit status set, a closed pipe taken calmly. */
export function main(argv: string[]): Promise<void> {
  // `flock … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return runFlock(argv).then((status) => {
    process.exitCode = status;
  });
}

if (require.main === module) void main(process.argv);
