import { randomBytes } from 'node:crypto';
import { BadRequestError, JobFailure, NotFoundError, ServiceUnavailableError } from '@flock/errors';
import type { JobOwner } from '@flock/jobs';
import { principalKey } from '@flock/auth';
import {
  DefinitionRefusedError,
  KNOWLEDGE_LIMITS,
  KnowledgeFileError,
  assertDefinable,
  columnNameOf,
  definitionType,
  type Example,
  type Feedback,
  type GlossaryTerm,
  type KnowledgeDocument,
  type KnowledgeStore,
  type TermKind,
  type UpdateOptions,
} from '@flock/knowledge';
import type { TenantCatalog } from '@flock/warehouse';
import type { AskService } from '../ask/ask.service';
import { assertBucketExists } from '../buckets/bucket-exists';
import type { QueryService } from '../query/query.service';
import type { SchemaService } from '../schema/schema.service';

export interface TermDefinition {
  table: string;
  kind: TermKind;
  sql: string;
  description?: string;
}

export interface FeedbackInput {
  correct: boolean;
  sql?: string;
  comment?: string;
}

/**
 * A bucket's knowledge: glossary terms and examples, which tenant admins manage, and
 * feedback, which any asker gives on their own answers. Every definition and every SQL
 * is tried on the bucket's warehouse before it is saved, through a query job (validator,
 * sandbox, time limit), so knowledge that names a missing column or does not parse is
 * refused with the database's reason and never reaches an engine.
 */
export class KnowledgeService {
  constructor(
    private readonly store: KnowledgeStore,
    private readonly query: QueryService,
    private readonly schema: SchemaService,
    private readonly asks: AskService,
    private readonly catalog: TenantCatalog,
  ) {}

  async read(bucket: string): Promise<KnowledgeDocument> {
    await assertBucketExists(this.catalog, bucket);
    return this.guard(() => this.store.read(bucket));
  }

  async defineTerm(bucket: string, term: string, definition: TermDefinition, caller: JobOwner): Promise<GlossaryTerm> {
    asBadRequest(() => assertDefinable(term, definition));
    await assertBucketExists(this.catalog, bucket);
    const table = await this.schema.table(bucket, definition.table, caller).catch((error: unknown) => {
      if (error instanceof NotFoundError)
        throw new BadRequestError(`Cannot define '${term}': this bucket has no table '${definition.table}'.`);
      throw error;
    });
    const type = await asBadRequest(() => definitionType(term, definition, table, (sql) => this.query.run(bucket, sql, caller)));
    const entry: GlossaryTerm = {
      term,
      table: table.name,
      kind: definition.kind,
      sql: definition.sql,
      type,
      ...(definition.description ? { description: definition.description } : {}),
      created_at: new Date().toISOString(),
      created_by: ownerText(caller),
    };
    await this.update(ENGINE, bucket, (document) => {
      // One column per name: "big spender" and "Big-Spender" are the same term.
      const others = document.glossary.filter((t) => columnNameOf(t.term) !== columnNameOf(term));
      if (others.length >= KNOWLEDGE_LIMITS.glossary)
        throw new BadRequestError(`A bucket holds at most ${KNOWLEDGE_LIMITS.glossary} glossary terms.`);
      document.glossary = [...others, entry];
    });
    return entry;
  }

  async removeTerm(bucket: string, term: string): Promise<void> {
    await assertBucketExists(this.catalog, bucket);
    const column = columnNameOf(term);
    await this.update(ENGINE, bucket, (document) => {
      const kept = document.glossary.filter((t) => columnNameOf(t.term) !== column);
      if (kept.length === document.glossary.length) throw new NotFoundError(`No glossary term '${term}' in this bucket`);
      document.glossary = kept;
    });
  }

  async addExample(bucket: string, question: string, sql: string, caller: JobOwner): Promise<Example> {
    await assertBucketExists(this.catalog, bucket);
    await this.tryOut(bucket, sql, 'The example', caller);
    const example: Example = {
      id: newId('e'),
      question,
      sql,
      source: 'admin',
      created_at: new Date().toISOString(),
      created_by: ownerText(caller),
    };
    await this.update(ENGINE, bucket, (document) => {
      addTo(document, example);
    });
    return example;
  }

  async removeExample(bucket: string, id: string): Promise<void> {
    await assertBucketExists(this.catalog, bucket);
    await this.update(ENGINE, bucket, (document) => {
      const kept = document.examples.filter((e) => e.id !== id);
      if (kept.length === document.examples.length) throw new NotFoundError(`No example '${id}' in this bucket`);
      document.examples = kept;
    });
  }

  /**
   * The asker's verdict on one of their own answers (or refusals). SQL they give is tried
   * like an example's and kept as a candidate a tenant admin may promote; an answer marked
   * correct is a candidate with its own SQL. The entry is kept in the knowledge file, so
   * it outlives the job's record.
   */
  async giveFeedback(bucket: string, jobId: string, input: FeedbackInput, caller: JobOwner): Promise<Feedback> {
    await assertBucketExists(this.catalog, bucket);
    const record = await this.asks.get(bucket, jobId, caller);
    if (record.status !== 'completed' && record.status !== 'failed') {
      throw new BadRequestError('The job has not finished: give feedback once it has an answer or a refusal.');
    }
    const generatedSql = record.result?.generated_sql;
    // A follow-up's own words ("only in 2024") are no question: keep the one it was read as,
    // and when it was never read as one, its verdict can be noted but cannot become an example.
    const resolved = record.result?.meta.resolved_question;
    // A completed follow-up says so in its meta too, for records written before `follows` was.
    const followUp = record.followsJobId ?? record.result?.meta.follows_job_id;
    const question = typeof resolved === 'string' ? resolved : followUp ? undefined : record.question;
    if (question === undefined && input.sql) {
      throw new BadRequestError(
        'This follow-up was never read as a question of its own, so SQL for it cannot become an example. Ask the whole question, then give feedback on that answer.',
      );
    }
    const sql = question === undefined ? undefined : (input.sql ?? (input.correct ? generatedSql : undefined));
    const columns = input.sql ? await this.tryOut(bucket, input.sql, 'The corrected SQL', caller) : undefined;
    const entry: Feedback = {
      id: newId('f'),
      job_id: jobId,
      question: question ?? record.question,
      ...(generatedSql ? { generated_sql: generatedSql } : {}),
      correct: input.correct,
      ...(sql ? { sql } : {}),
      ...(columns ? { columns } : {}),
      ...(input.comment ? { comment: input.comment } : {}),
      status: sql ? 'candidate' : 'noted',
      created_at: new Date().toISOString(),
      created_by: ownerText(caller),
    };
    await this.update(FEEDBACK_ONLY, bucket, (document) => {
      // One verdict per job and caller: saying it again replaces it, so repeats cannot fill the file.
      let kept = document.feedback.filter((f) => !(f.job_id === jobId && f.created_by === entry.created_by && f.status !== 'promoted'));
      if (kept.length >= KNOWLEDGE_LIMITS.feedback) {
        // The oldest entry that no one still has to act on makes room.
        const oldest = kept.findIndex((f) => f.status !== 'candidate');
        if (oldest < 0)
          throw new BadRequestError(
            `This bucket has ${kept.length} feedback candidates waiting; a tenant admin must promote or dismiss some first.`,
          );
        kept = kept.filter((_, i) => i !== oldest);
      }
      document.feedback = [...kept, entry];
    });
    return entry;
  }

  /** Makes a candidate an example, after trying its SQL again on the data as it is now. */
  async promote(bucket: string, feedbackId: string, caller: JobOwner): Promise<Example> {
    const candidate = (await this.read(bucket)).feedback.find((f) => f.id === feedbackId);
    if (!candidate) throw new NotFoundError(`No feedback '${feedbackId}' in this bucket`);
    if (candidate.status !== 'candidate' || !candidate.sql) {
      throw new BadRequestError(
        candidate.status === 'promoted'
          ? `Feedback '${feedbackId}' is already example '${candidate.example_id}'.`
          : `Feedback '${feedbackId}' carries no SQL to promote.`,
      );
    }
    await this.tryOut(bucket, candidate.sql, "The candidate's SQL", caller);
    const example: Example = {
      id: newId('e'),
      question: candidate.question,
      sql: candidate.sql,
      source: 'feedback',
      feedback_id: candidate.id,
      created_at: new Date().toISOString(),
      created_by: ownerText(caller),
    };
    await this.update(ENGINE, bucket, (document) => {
      const entry = document.feedback.find((f) => f.id === feedbackId);
      if (entry?.status !== 'candidate') throw new BadRequestError(`Feedback '${feedbackId}' changed meanwhile; read it again.`);
      addTo(document, example);
      entry.status = 'promoted';
      entry.example_id = example.id;
    });
    return example;
  }

  async dismiss(bucket: string, feedbackId: string): Promise<void> {
    await assertBucketExists(this.catalog, bucket);
    await this.update(FEEDBACK_ONLY, bucket, (document) => {
      const kept = document.feedback.filter((f) => f.id !== feedbackId);
      if (kept.length === document.feedback.length) throw new NotFoundError(`No feedback '${feedbackId}' in this bucket`);
      document.feedback = kept;
    });
  }

  /** Runs SQL as a query job would (validated, sandboxed, capped); the columns it returns, or a 400 saying why not. */
  private async tryOut(bucket: string, sql: string, what: string, caller: JobOwner): Promise<string[]> {
    try {
      const result = await this.query.run(bucket, sql, caller);
      return result.columns;
    } catch (error) {
      if (error instanceof JobFailure) throw new BadRequestError(`${what} does not run on this bucket: ${error.message}`);
      throw error;
    }
  }

  /** Saves a change; every caller has already found the bucket's warehouse. */
  private update(options: UpdateOptions, bucket: string, change: (document: KnowledgeDocument) => void): Promise<void> {
    return this.guard(() => this.store.update(bucket, change, options));
  }

  /** A file that cannot be read or locked is the service's trouble, not the caller's. */
  private guard<T>(work: () => T): T {
    return rethrown(work, unavailable);
  }
}

/** Changes to what the engines read bump the revision (and so the answer cache's key); feedback does not. */
const ENGINE: UpdateOptions = { engine: true };
const FEEDBACK_ONLY: UpdateOptions = { engine: false };

/** Runs `work`, sync or async, with whatever it throws passed through `translate`. */
function rethrown<T>(work: () => T, translate: (error: unknown) => never): T {
  try {
    const value = work();
    return value instanceof Promise ? (value.catch(translate) as T) : value;
  } catch (error) {
    return translate(error);
  }
}

/** A definition the knowledge package refuses, as the 400 that says why. */
function asBadRequest<T>(check: () => T): T {
  return rethrown(check, (error) => {
    throw error instanceof DefinitionRefusedError ? new BadRequestError(error.message) : error;
  });
}

function unavailable(error: unknown): never {
  if (error instanceof KnowledgeFileError) throw new ServiceUnavailableError(error.message, error);
  throw error;
}

/** Adds an example to the document, or refuses it with a 400 once the bucket holds as many as it may. */
function addTo(document: KnowledgeDocument, example: Example): void {
  if (document.examples.length >= KNOWLEDGE_LIMITS.examples)
    throw new BadRequestError(`A bucket holds at most ${KNOWLEDGE_LIMITS.examples} examples.`);
  document.examples.push(example);
}

function newId(prefix: 'e' | 'f'): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

/** Who saved an entry, as logs name a caller: `user:alice`, `key:ci.3fa1b2c4`. */
function ownerText(owner: JobOwner): string {
  return principalKey({ kind: owner.type, id: owner.id });
}
