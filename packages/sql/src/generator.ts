import type { SchemaContext } from './schema-context';

export interface GenerationRequest {
  question: string;
  bucket: string;
  schema: SchemaContext;
}

export interface GeneratedSql {
  sql: string;
  /** One English sentence saying what the SQL computes, for `meta.explanation`. */
  explanation?: string;
}

/**
 * Turns a question into SQL for one bucket. Implementations return SQL or throw
 * `GenerationFailedError` (from @flock/errors) with a message the asker can act on.
 * They never run anything: every result is validated and executed by the caller in
 * the warehouse sandbox, so a generator is untrusted by design.
 */
export interface SqlGenerator {
  readonly name: string;
  generate(request: GenerationRequest): Promise<GeneratedSql>;
}
