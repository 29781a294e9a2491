import { suggestChart } from '@flock/charts';
import { GenerationFailedError, timeLeft } from '@flock/errors';
import type { AnswerCache, AnswerKey, AskJobPayload, FinishOutcome, JobContext, JobRecord, JobResult, JobStore } from '@flock/jobs';
import type { Logger } from '@flock/logger';
import { generateAndRun, resolveFollowUp, type SqlGenerator, type SqlGeneratorRouter } from '@flock/sql';
import { inSpan } from '@flock/tracing';
import type { TenantWarehouse } from '@flock/warehouse';
import { KnowledgeFileError, NO_KNOWLEDGE, type KnowledgeStore, type TenantKnowledge } from '@flock/knowledge';
import { attemptJob, answeredLevel } from '../job-attempt';
import type { JobOutcome, WorkerMetrics } from '../metrics';

export interface AskProcessorOptions {
  queryTimeoutMs: number;
  /** Attach `meta.chart` when the result suits one (FLOCK_CHARTS); default true. */
  charts?: boolean;
  metrics?: WorkerMetrics;
  /** Earlier answers to the same question on the same data (FLOCK_ANSWER_CACHE); none when off. */
  answers?: AnswerCache;
  /** Each bucket's glossary and examples, read at every ask (a `stat` while unchanged). */
  knowledge?: KnowledgeStore;
}

export type AskOutcome = FinishOutcome | 'skipped';

/** What AskProcessor.lookUp found; empty when the ask is not cached or the lookup failed. */
export interface CacheLookup {
  key?: AnswerKey;
  earlier?: JobResult;
}

/** What the worker hands AskProcessor.answer beside the job. */
export interface AnswerInputs {
  /** What lookUp found. */
  cache: CacheLookup;
  /** Set when the ask runs in a lent slot: aborted when the slot is taken back. */
  reclaim?: AbortSignal;
  /** The job's record, already being read (readAhead); read first thing otherwise. */
  record?: Promise<JobRecord | undefined>;
}

/**
 * Answers one question: schema → SQL → validated, sandboxed query → stored answer.
 * An engine with more than one attempt gets each refusal or database error back and
 * tries again; the last error is the one stored (see attemptJob for what is retried).
 */
export class AskProcessor {
  constructor(
    private readonly store: JobStore,
    private readonly warehouse: TenantWarehouse,
    private readonly generators: SqlGeneratorRouter,
    private readonly logger: Logger,
    private readonly options: AskProcessorOptions,
  ) {}

  /**
   * The key this ask's answer is cached under, or undefined when it is not cached: the
   * cache is off, the bucket's data has no version (MotherDuck), or it is a follow-up,
   * whose words mean something only beside the question before it.
   */
  private cacheKeyOf(payload: AskJobPayload): AnswerKey | undefined {
    if (!this.options.answers || payload.previous) return undefined;
    const version = this.warehouse.version(payload.bucket);
    if (!version) return undefined;
    const engine = this.generators.forBucket(payload.bucket).name;
    const knowledge = this.knowledgeOf(payload.bucket).version;
    return { bucket: payload.bucket, version, engine, knowledge, question: payload.question };
  }

  /**
   * The key this ask's answer is cached under, and the same question's earlier answer
   * on the same data if the cache holds one. The worker looks before it takes the
   * bucket's slot: such an answer runs no query, so it need not wait behind the bucket's
   * running asks. A lookup that fails is a miss: a missing file is met, and stored, on
   * the way in.
   */
  async lookUp(payload: AskJobPayload): Promise<CacheLookup> {
    try {
      const key = this.cacheKeyOf(payload);
      if (!key) return {};
      const earlier = await this.options.answers!.find(key).catch(() => undefined);
      return earlier ? { key, earlier } : { key };
    } catch {
      return {};
    }
  }

  /**
   * What the bucket's tenant taught Flock. A file that cannot be read fails the ask
   * rather than answering without it: a defined word ("revenue") may also mean something
   * else to the engine alone, and that answer would be silently wrong.
   */
  private knowledgeOf(bucket: string): TenantKnowledge {
    if (!this.options.knowledge) return NO_KNOWLEDGE;
    try {
      return this.options.knowledge.knowledge(bucket);
    } catch (error) {
      if (!(error instanceof KnowledgeFileError)) throw error;
      this.logger.warn({ bucket, err: error.message }, 'knowledge file unreadable');
      throw new GenerationFailedError(
        "This bucket's glossary and examples cannot be read, so its questions are not answered until an admin fixes them.",
      );
    }
  }

  /**
   * Answers the ask with what lookUp found: the earlier answer, or the key to remember a
   * fresh one under. When `reclaim` aborts (the ask runs in a borrowed slot and ran long)
   * its value lookups or query are interrupted, or not started, and the ask ends with the
   * signal's reason (SlotReclaimedError), having stored nothing.
   */
  async answer(payload: AskJobPayload, context: JobContext, { cache, reclaim, record: recordRead }: AnswerInputs): Promise<AskOutcome> {
    const { jobId, bucket, question } = payload;
    const log = this.logger.child({ jobId, bucket, attempt: context.attempt });
    const unexpected = 'The worker hit an unexpected error while answering. Try again later.';
    const generator = this.generators.forBucket(bucket);
    const { metrics } = this.options;
    const timer = metrics?.startJob({ kind: 'ask', engine: generator.name });
    // The job's steps, for Bull Board's Logs tab: codes, times and counts, never a value.
    // The schema's origin joins the first line once it has been read. Only an ask in a
    // lent slot gets `reclaim`: the line says so, as it ran past its bucket's cap.
    let head = `engine ${generator.name}${reclaim ? '; slot: lent' : ''}`;
    const ended = (outcome: JobOutcome, code?: string) => {
      timer?.(outcome, code);
      if (outcome === 'completed') return;
      const verdict = code === 'validation_failed' ? 'guard: refused; ' : '';
      void context.log(head, `${verdict}${outcome}${code ? `: ${code}` : ''}`);
    };
    const attempt = { store: this.store, jobId, context, log, what: 'ask job', unexpected, ended, record: recordRead };
    return attemptJob(attempt, async (record) => {
      const started = Date.now();
      const { earlier } = cache;
      if (earlier) {
        // The earlier answer's rows, SQL and explanation; this job's own question and
        // timing, as nothing was generated or run for it.
        const { generation_attempts: _attempts, prompt_chars: _prompt, ...kept } = earlier.meta;
        const outcome = await this.store.complete(jobId, {
          ...earlier,
          meta: { ...kept, question, cached: true, generation_time_ms: 0, execution_time_ms: 0, duration_ms: Date.now() - started },
        });
        log[answeredLevel(outcome)](
          { outcome, cached: true, rowCount: earlier.rows.length, durationMs: Date.now() - started },
          'ask job answered',
        );
        void context.log(`engine ${generator.name}; answer from the cache`, `answer ${outcome}`);
        return outcome;
      }
      const { schema, cached } = await inSpan('flock.schema', {}, () => this.warehouse.readSchema(bucket));
      head += `; schema ${cached ? 'from the cache' : 'read from the database'}`;
      reclaim?.throwIfAborted();
      // The job's answer stops counting at the worker timeout; nothing should wait past it.
      const deadline = this.store.deadlineOf(record);
      let queryStarted = Date.now();
      // Names in text columns too varied to list are found with a bounded lookup in this bucket only.
      const findValues = this.warehouse.findValues
        ? (texts: string[]) => this.warehouse.findValues!(bucket, texts, { cancel: reclaim })
        : undefined;
      const { previous } = payload;
      const resolved = previous ? resolveFollowUp(previous.question, question, schema) : undefined;
      if (previous && !resolved && !generator.readsConversation) {
        throw new GenerationFailedError(
          `Could not tell how "${question}" changes the previous question ("${previous.question}"). Ask it as a whole question.`,
        );
      }
      const knowledge = this.knowledgeOf(bucket);
      const request = {
        question: resolved?.question ?? question,
        bucket,
        schema,
        knowledge,
        deadline,
        ...(findValues ? { findValues } : {}),
        ...(previous ? { followUp: { previousQuestion: previous.question, previousSql: previous.sql, asked: question } } : {}),
      };
      const { generated, result, attempts, generationMs } = await generateAndRun(traced(generator), request, (sql, { smallConstants }) => {
        queryStarted = Date.now();
        return inSpan('flock.query', { 'flock.kind': 'ask' }, async (span) => {
          // Never let the query outlive the job: what is left of the worker timeout caps it.
          const limits = { timeoutMs: Math.max(1, timeLeft(this.options.queryTimeoutMs, deadline)) };
          const ran = await this.warehouse.query(bucket, sql, limits, { cancel: reclaim, keepPlan: smallConstants === true });
          span.setAttribute('flock.row_count', ran.rows.length);
          return ran;
        });
      });
      const executionMs = Date.now() - queryStarted;
      metrics?.generated(generator.name, generationMs);
      metrics?.executed('ask', executionMs);
      // A Vega-Lite spec naming the result's columns, without its rows: GET …/chart.svg draws it.
      const chart = this.options.charts === false ? undefined : suggestChart(result);
      const outcome = await this.store.complete(jobId, {
        columns: result.columns,
        rows: result.rows,
        generated_sql: generated.sql,
        meta: {
          bucket,
          question,
          row_count: result.rows.length,
          total_rows: result.totalRows,
          truncated: result.truncated,
          ...(generated.explanation ? { explanation: generated.explanation } : {}),
          ...(generated.ignored?.length ? { ignored: generated.ignored } : {}),
          generator: generator.name,
          ...(attempts > 1 ? { generation_attempts: attempts } : {}),
          ...(generated.promptChars !== undefined ? { prompt_chars: generated.promptChars } : {}),
          ...(previous ? { follows_job_id: previous.jobId } : {}),
          ...(resolved ? { resolved_question: resolved.question } : {}),
          ...(chart ? { chart } : {}),
          ...(generated.knowledge ? { knowledge: { revision: knowledge.revision, ...generated.knowledge } } : {}),
          cached: false,
          generation_time_ms: Math.round(generationMs),
          execution_time_ms: executionMs,
          duration_ms: Date.now() - started,
        },
      });
      log[answeredLevel(outcome)]({ outcome, rowCount: result.rows.length, durationMs: Date.now() - started }, 'ask job answered');
      if (cache.key && outcome === 'stored') await this.options.answers!.remember(cache.key, jobId, record.submittedAt);
      void context.log(
        head,
        `SQL generated in ${Math.round(generationMs)} ms (${attempts === 1 ? '1 try' : `${attempts} tries`}); guard: passed`,
        `executed in ${executionMs} ms: ${result.rows.length} rows of ${result.totalRows}, truncated: ${result.truncated}; answer ${outcome}`,
      );
      return outcome;
    });
  }
}

/** The engine, each of its generations a span of the job's trace (`flock.generate`, with the engine's name). */
function traced(generator: SqlGenerator): SqlGenerator {
  return Object.create(generator, {
    generate: {
      value: (request: Parameters<SqlGenerator['generate']>[0]) =>
        inSpan('flock.generate', { 'flock.engine': generator.name }, () => generator.generate(request)),
    },
  }) as SqlGenerator;
}
