import { GenerationFailedError } from '@flock/errors';
import { CANNOT_ANSWER } from './prompt';

/** The first Markdown code block, whatever its language tag. */
const FENCE = /```[^\n`]*\n([\s\S]*?)```/;

/** A line carrying the refusal marker, possibly dressed in Markdown or quotes. */
const REFUSAL = new RegExp(`^[\\s>*_\`"'-]*${CANNOT_ANSWER}\\b[\\s:*_\`"'-]*(.*)$`, 'm');

/** A SELECT, a WITH … AS ( … ) query or a parenthesised query, at the beginning of a line. */
const QUERY_START =
  /^[ \t]*\(*[ \t]*(?:select\b|with\s+(?:recursive\s+)?(?:"[^"]+"|\w+)\s*(?:\([^)]*\)\s*)?as\s*(?:not\s+)?(?:materialized\s+)?\()/im;

/**
 * Other statements, writes included: they are handed on so the validator refuses them
 * as validation_failed, the one place that decides what may run. Only all-capital or
 * all-lower-case keywords count, so a sentence such as "Copy this query:" is prose.
 */
// prettier-ignore
const OTHER_STATEMENTS = [
  'insert', 'update', 'delete', 'merge', 'create', 'drop', 'alter', 'truncate', 'attach', 'detach',
  'copy', 'export', 'import', 'install', 'load', 'pragma', 'call', 'vacuum', 'checkpoint',
];
const OTHER_START = new RegExp(
  `^[ \\t]*(?:${OTHER_STATEMENTS.join('|')}|${OTHER_STATEMENTS.map((word) => word.toUpperCase()).join('|')})\\s`,
  'm',
);

/** Where the first statement starts, if any line starts one. */
function statementStart(text: string): number | undefined {
  const starts = [QUERY_START.exec(text)?.index, OTHER_START.exec(text)?.index].filter((i): i is number => i !== undefined);
  return starts.length > 0 ? Math.min(...starts) : undefined;
}

/** A paragraph of English after the SQL: "This query counts …", "Note: …". */
const PROSE_PARAGRAPH = /^(?:[A-Z][a-z]+,?[ \t]+[a-z]+[ \t]+[a-z]|(?:Note|Explanation)\b)/;

const MAX_REASON_CHARS = 200;

/**
 * The SQL in a model's reply. Models asked for bare SQL still wrap it in ```sql fences,
 * open with "Here is the query:" or close with a sentence about it; all of that goes,
 * and so does a trailing semicolon. What remains is not checked here: safety is the
 * validator's job. Throws GenerationFailedError on the refusal marker or when there is
 * no SQL at all.
 */
export function extractSql(reply: string): string {
  const fenced = FENCE.exec(reply);
  const text = (fenced ? fenced[1]! : reply).replace(/```\s*$/, '');
  const start = statementStart(text);
  const refusal = REFUSAL.exec(text) ?? (fenced ? REFUSAL.exec(reply) : null);
  if (refusal && (start === undefined || refusal.index < start)) {
    const reason = refusal[1]!
      .replace(/[*_`"']+$/, '')
      .trim()
      .slice(0, MAX_REASON_CHARS);
    throw new GenerationFailedError(
      reason
        ? `The language model could not answer this from the bucket's tables: ${reason}`
        : "The language model could not answer this from the bucket's tables.",
    );
  }
  if (start === undefined) {
    const inline = /^\s*`([^`]+)`\s*$/.exec(text);
    if (inline && statementStart(inline[1]!) !== undefined) return clean(inline[1]!);
    throw new GenerationFailedError('The language model replied without SQL. Try rephrasing the question.');
  }
  const paragraphs = text.slice(start).split(/\n[ \t]*\n/);
  const kept = [paragraphs[0]!];
  for (const paragraph of paragraphs.slice(1)) {
    if (PROSE_PARAGRAPH.test(paragraph.trim())) break;
    kept.push(paragraph);
  }
  return clean(kept.join('\n\n'));
}

function clean(sql: string): string {
  return sql.trim().replace(/[;\s]+$/, '');
}
