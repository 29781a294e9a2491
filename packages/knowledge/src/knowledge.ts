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

const isText = (value: unknown): value is string => typeof value === 'string';
const FEEDBACK_STATUSES = ['noted', 'candidate', 'promoted'];

/**
 * A parsed file as a document, or what is wrong with it: a file edited by hand must not
 * reach an engine or a response half-formed.
 */
export function parseDocument(json: unknown): KnowledgeDocument | string {
  const document = json as Partial<KnowledgeDocument> | null;
  if (typeof document !== 'object' || document === null || document.format !== 1) return 'is not a format-1 document';
  const { glossary, examples, feedback } = document;
  if (!Array.isArray(glossary) || !Array.isArray(examples) || !Array.isArray(feedback))
    return 'lacks its glossary, examples or feedback list';
  const badTerm = glossary.findIndex(
    (t: Partial<GlossaryTerm>) => ![t.term, t.table, t.sql, t.type].every(isText) || !TERM_KINDS.includes(t.kind as TermKind),
  );
  if (badTerm >= 0) return `has a malformed glossary entry (number ${badTerm + 1})`;
  const badExample = examples.findIndex((e: Partial<Example>) => ![e.id, e.question, e.sql].every(isText));
  if (badExample >= 0) return `has a malformed example (number ${badExample + 1})`;
  const badFeedback = feedback.findIndex(
    (f: Partial<Feedback>) =>
      ![f.id, f.job_id, f.question].every(isText) || typeof f.correct !== 'boolean' || !FEEDBACK_STATUSES.includes(f.status!),
  );
  if (badFeedback >= 0) return `has a malformed feedback entry (number ${badFeedback + 1})`;
  return {
    format: 1,
    id: isText(document.id) ? document.id : '',
    revision: Number.isSafeInteger(document.revision) ? document.revision! : 0,
    glossary,
    examples,
    feedback,
  };
}
