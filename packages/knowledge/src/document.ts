import { TERM_KINDS, type Example, type Feedback, type GlossaryTerm, type KnowledgeDocument, type TermKind } from './knowledge';
import { definitionProblem, termProblem } from './term-sql';

const isText = (value: unknown): value is string => typeof value === 'string';
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const FEEDBACK_STATUSES: readonly string[] = ['noted', 'candidate', 'promoted'];

/** Who saved an entry and when, as the API writes them. */
function stamped(entry: { created_at?: unknown; created_by?: unknown }): boolean {
  return isText(entry.created_at) && ISO_TIME.test(entry.created_at) && isText(entry.created_by);
}

function termOk(t: Partial<GlossaryTerm>): boolean {
  if (![t.term, t.table, t.sql, t.type].every(isText) || !TERM_KINDS.includes(t.kind as TermKind) || !stamped(t)) return false;
  if (t.description !== undefined && !isText(t.description)) return false;
  // The rules the API applies on save: a file edited by hand gets no looser ones.
  return termProblem(t.term!) === undefined && definitionProblem(t.kind!, t.sql!) === undefined;
}

function exampleOk(e: Partial<Example>): boolean {
  return [e.id, e.question, e.sql].every(isText) && (e.source === 'admin' || e.source === 'feedback') && stamped(e);
}

function feedbackOk(f: Partial<Feedback>): boolean {
  return (
    [f.id, f.job_id, f.question].every(isText) && typeof f.correct === 'boolean' && FEEDBACK_STATUSES.includes(f.status!) && stamped(f)
  );
}

/**
 * A parsed file as a document, or what is wrong with it: a file edited by hand must not
 * reach an engine or a response half-formed.
 */
export function parseDocument(json: unknown): KnowledgeDocument | string {
  const document = json as Partial<KnowledgeDocument> | null;
  if (typeof document !== 'object' || document === null || document.format !== 1) return 'is not a format-1 document';
  const { glossary, examples, feedback, revision } = document;
  if (!Array.isArray(glossary) || !Array.isArray(examples) || !Array.isArray(feedback))
    return 'lacks its glossary, examples or feedback list';
  if (!Number.isSafeInteger(revision) || revision! < 0) return 'has no valid revision';
  const bad = (list: unknown[], ok: (entry: never) => boolean) =>
    list.findIndex((entry) => typeof entry !== 'object' || entry === null || !ok(entry as never));
  const badTerm = bad(glossary, termOk);
  if (badTerm >= 0) return `has a malformed glossary entry (number ${badTerm + 1})`;
  const badExample = bad(examples, exampleOk);
  if (badExample >= 0) return `has a malformed example (number ${badExample + 1})`;
  const badFeedback = bad(feedback, feedbackOk);
  if (badFeedback >= 0) return `has a malformed feedback entry (number ${badFeedback + 1})`;
  return { format: 1, id: isText(document.id) ? document.id : '', revision: revision!, glossary, examples, feedback };
}
