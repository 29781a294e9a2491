import type { TenantKnowledge } from '@flock/knowledge';
import type { FoundValue, SchemaContext } from '@flock/schema';

/** A try that failed validation or execution, sent back so the engine can correct itself. */
export interface FailedAttempt {
  sql: string;
  /** The validator's or the database's message, as the asker would see it. */
  error: string;
}

export interface GenerationRequest {
  question: string;
  bucket: string;
  schema: SchemaContext;
  /** Earlier tries at this question, oldest first; empty or absent on the first try. */
  previousAttempts?: FailedAttempt[];
  /**
   * Epoch milliseconds after which the answer no longer counts (the job's worker
   * timeout). Engines that wait on a service stop waiting by then, whatever their own
   * timeout says.
   */
  deadline?: number;
  /**
   * Finds names the question typed ("Zed Quux") in the bucket's text columns that are too
   * varied to list (ColumnInfo.lookupOverflow), case-insensitively, with a bounded query on
   * the bucket's own warehouse. Absent where no such lookup is possible (MotherDuck).
   */
  findValues?: (texts: string[]) => Promise<FoundValue[]>;
  /**
   * When the question follows up an earlier one: that question and its SQL, and the
   * follow-up as asked. `question` is then the follow-up resolved into a question of its
   * own (resolveFollowUp), for engines that read one question; those that read a
   * conversation (`readsConversation`) get the exchange instead.
   */
  followUp?: { previousQuestion: string; previousSql: string; asked: string };
  /**
   * What the bucket's tenant has taught Flock: glossary terms and example questions with
   * their SQL. Whatever an engine makes of it is validated and sandboxed like the rest.
   */
  knowledge?: TenantKnowledge;
}

/** Which of the tenant's knowledge an answer used, for `meta.knowledge`. */
export interface KnowledgeUsed {
  /** Glossary terms the SQL reads. */
  terms?: string[];
  /** The saved example whose SQL answered the question. */
  example_id?: string;
  /** Examples shown to a language model as worked answers. */
  examples_shown?: number;
}

export interface GeneratedSql {
  sql: string;
  /**
   * True when the engine wrote every constant in the SQL itself, from the question's
   * words and the schema the worker already holds, with no call that builds a large
   * value from a small one (`repeat('x', 10000000)`). The worker then keeps the SQL's
   * plan for its next run (QueryOptions.keepPlan in @flock/warehouse), as the plan holds
   * its constants folded. Not for a model's SQL, nor for a tenant's (examples, glossary).
   */
  smallConstants?: boolean;
  /** One English sentence saying what the SQL computes, for `meta.explanation`. */
  explanation?: string;
  /**
   * Words of the question the answer does not use because they only say a row exists or
   * took part ("produced", "released"); reported as `meta.ignored` so nothing is dropped silently.
   */
  ignored?: string[];
  /** Characters sent to a language model for this try (its prompt), for `meta.prompt_chars`. */
  promptChars?: number;
  knowledge?: KnowledgeUsed;
}

/**
 * Turns a question into SQL for one bucket. Implementations return SQL or throw
 * `GenerationFailedError` (from @flock/errors) with a message the asker can act on.
 * They never run anything: every result is validated and executed by the caller in
 * the warehouse sandbox, so a generator is untrusted by design.
 */
export interface SqlGenerator {
  readonly name: string;
  /**
   * Tries per question. Above 1, the caller sends a failed validation or run back
   * through `previousAttempts` and asks again. Deterministic engines leave it at 1,
   * since the same input would give the same SQL.
   */
  readonly maxAttempts?: number;
  /**
   * Whether the engine reads a follow-up in the context of the exchange before it
   * (`followUp`), so one that cannot be rewritten as a question of its own still has a
   * chance; engines without it are given only follow-ups that could be.
   */
  readonly readsConversation?: boolean;
  /**
   * Whether the engine answers in this process, in milliseconds, calling no service. The
   * worker lends such an engine's asks idle slots beyond their bucket's cap, and takes a
   * slot back from an ask that runs long; an engine waiting on a service would lose
   * that wait each time.
   */
  readonly local?: boolean;
  generate(request: GenerationRequest): Promise<GeneratedSql>;
  /**
   * Builds what the engine derives from a bucket's schema ahead of its first question
   * (the worker calls it as it prefetches schemas), so that question does not wait for it.
   */
  prepare?(schema: SchemaContext): void;
  /** Releases connections the engine holds open (MotherDuck's `md:` instance). */
  close?(): void | Promise<void>;
}

/**
 * Which engine answers for which bucket: one default, and per-bucket overrides
 * (FLOCK_SQL_GENERATOR_BY_BUCKET), so a tenant can bring its own engine.
 */
export class SqlGeneratorRouter {
  constructor(
    private readonly fallback: SqlGenerator,
    private readonly overrides: ReadonlyMap<string, SqlGenerator> = new Map(),
  ) {}

  static of(generator: SqlGenerator | SqlGeneratorRouter): SqlGeneratorRouter {
    return generator instanceof SqlGeneratorRouter ? generator : new SqlGeneratorRouter(generator);
  }

  forBucket(bucket: string): SqlGenerator {
    return this.overrides.get(bucket) ?? this.fallback;
  }

  /** Every distinct engine in use, for start-up logging and shutdown. */
  engines(): SqlGenerator[] {
    return [...new Set([this.fallback, ...this.overrides.values()])];
  }
}
