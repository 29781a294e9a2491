/**
 * What one tenant has taught Flock, as stored in its knowledge file. Field names are
 * the API's (snake_case): the routes return entries as they are stored.
 */

/**
 * How a glossary term reads:
 * - `filter`: a condition on the table's rows ("churned" → `status = 'cancelled'`);
 * - `column`: a value of each row ("spend" → `amount`, "net" → `amount - discount`);
 * - `measure`: an aggregate of the table's rows ("revenue" → `sum(amount)`).
 */
export type TermKind = 'filter' | 'column' | 'measure';

export const TERM_KINDS: readonly TermKind[] = ['filter', 'column', 'measure'];

export interface GlossaryTerm {
  /** The word or phrase as the tenant writes it; unique in a bucket, case-insensitively. */
  term: string;
  /** The table whose rows the definition reads. */
  table: string;
  kind: TermKind;
  /** A DuckDB expression over the table's columns. */
  sql: string;
  /** The DuckDB type of the row value (of the aggregate's argument for a measure), found when it was saved. */
  type: string;
  description?: string;
  created_at: string;
  created_by: string;
}

export interface Example {
  id: string;
  question: string;
  sql: string;
  /** Added by a tenant admin, or promoted from feedback on an answer. */
  source: 'admin' | 'feedback';
  /** The feedback it was promoted from. */
  feedback_id?: string;
  created_at: string;
  created_by: string;
}

/**
 * One asker's verdict on an answer. `candidate` when it carries SQL that validated and
 * ran (a tenant admin may promote it to an example), `noted` otherwise.
 */
export interface Feedback {
  id: string;
  job_id: string;
  question: string;
  /** The SQL Flock answered with, when it answered. */
  generated_sql?: string;
  correct: boolean;
  /** The SQL the asker says is right: validated and run when it was given. */
  sql?: string;
  /** Columns that SQL returned when it was checked. */
  columns?: string[];
  comment?: string;
  status: 'noted' | 'candidate' | 'promoted';
  example_id?: string;
  created_at: string;
  created_by: string;
}

/**
 * A bucket's knowledge file. `revision` goes up by one with every saved change to the
 * glossary or the examples; `id` is drawn when the file is first written, so a file
 * deleted and begun again never repeats an earlier file's versions.
 */
export interface KnowledgeDocument {
  format: 1;
  id: string;
  revision: number;
  glossary: GlossaryTerm[];
  examples: Example[];
  feedback: Feedback[];
}

/** What an engine reads: the definitions and examples, never the feedback. */
export interface TenantKnowledge {
  revision: number;
  /** The file's id and revision: what the answer cache keys on. */
  version: string;
  glossary: readonly GlossaryTerm[];
  examples: readonly Example[];
}

export const NO_KNOWLEDGE: TenantKnowledge = { revision: 0, version: '0', glossary: [], examples: [] };

/** Bounds that keep one tenant's file, and so every prompt and question it affects, small. */
export const KNOWLEDGE_LIMITS = {
  glossary: 200,
  examples: 500,
  feedback: 2000,
  termLength: 64,
  sqlLength: 4000,
  questionLength: 1000,
  commentLength: 2000,
} as const;

/** A bucket without a file; the store gives it an id when it first writes one. */
export function emptyDocument(): KnowledgeDocument {
  return { format: 1, id: '', revision: 0, glossary: [], examples: [], feedback: [] };
}

/** The document's part an engine reads. */
export function knowledgeOf(document: KnowledgeDocument): TenantKnowledge {
  return {
    revision: document.revision,
    // Revision 0 has never held a term or an example, whatever feedback the file holds.
    version: document.revision === 0 ? '0' : `${document.id}.${document.revision}`,
    glossary: document.glossary,
    examples: document.examples,
  };
}
