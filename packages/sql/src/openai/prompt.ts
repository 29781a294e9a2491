import type { Example, GlossaryTerm } from '@flock/knowledge';
import type { FailedAttempt } from '../generator';
import { quoteIdent, quoteLiteral, type ColumnInfo, type TableInfo } from '@flock/schema';
import type { ChatMessage } from './chat-client';

/** What the model answers instead of SQL when the tables cannot answer the question. */
export const CANNOT_ANSWER = 'CANNOT_ANSWER';

/** Values listed per text column: enough to show the spelling and case of a category, few enough to keep a wide table on one line. */
export const MAX_VALUES_PER_COLUMN = 10;
/** Longer values are cut and marked, so one free-text column cannot eat the schema budget. */
export const MAX_VALUE_CHARS = 40;

// Line breaks in a tenant's names or values would break the one-table-per-line layout
// the budget counts on, and could pass for instructions of ours on a line of their own.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const CONTROL_ALL = /[\p{Cc}\u2028\u2029]/gu;

/**
 * One table as one line, in the shape models read best (close to DDL, minus the noise):
 * `orders(id INTEGER PK, customer_id INTEGER → customer.id, currency VARCHAR ['EUR','CHF'], …) rows=6496`.
 * Identifiers are spelled as SQL must spell them, so the model can copy them.
 * `values: false` leaves out listed values, for when the full line does not fit;
 * `rows: false` leaves out the row count, when no data may reach the model.
 */
export function renderTable(table: TableInfo, { values = true, rows = true }: { values?: boolean; rows?: boolean } = {}): string {
  const singlePk = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  const singleFks = new Map<string, string>();
  const parts: string[] = [];
  for (const fk of table.foreignKeys) {
    const [column] = fk.columns;
    const [referenced] = fk.referencedColumns;
    if (fk.columns.length === 1 && column !== undefined && referenced !== undefined && !singleFks.has(column)) {
      singleFks.set(column, `${ident(fk.referencedTable)}.${ident(referenced)}`);
    }
  }
  for (const column of table.columns) {
    let text = `${ident(column.name)} ${column.type.replace(CONTROL_ALL, ' ')}`;
    if (column.name === singlePk) text += ' PK';
    const fk = singleFks.get(column.name);
    if (fk) text += ` → ${fk}`;
    if (values && column.values && column.values.length > 0) text += ` ${renderValues(column)}`;
    parts.push(text);
  }
  if (table.primaryKey.length > 1) parts.push(`PK(${table.primaryKey.map(ident).join(', ')})`);
  for (const fk of table.foreignKeys) {
    if (fk.columns.length > 1) {
      parts.push(`(${fk.columns.map(ident).join(', ')}) → ${ident(fk.referencedTable)}(${fk.referencedColumns.map(ident).join(', ')})`);
    }
  }
  return `${ident(table.name)}(${parts.join(', ')})${rows ? ` rows=${table.rowCount}` : ''}`;
}

function ident(name: string): string {
  return quoteIdent(name).replace(CONTROL_ALL, ' ');
}

/** `['Basic','Gold',…]`: a trailing … means more values exist; `'abc'…` is a value cut short. */
function renderValues(column: ColumnInfo): string {
  const values = column.values ?? [];
  const shown = values.slice(0, MAX_VALUES_PER_COLUMN).map(renderValue);
  if (values.length > MAX_VALUES_PER_COLUMN) shown.push('…');
  return `[${shown.join(',')}]`;
}

function renderValue(value: string): string {
  const control = value.search(CONTROL);
  let text = control >= 0 ? value.slice(0, control) : value;
  let cut = control >= 0;
  const chars = [...text];
  if (chars.length > MAX_VALUE_CHARS) {
    // By code point, so an emoji or other astral character is never split in half.
    text = chars.slice(0, MAX_VALUE_CHARS).join('');
    cut = true;
  }
  return `${quoteLiteral(text)}${cut ? '…' : ''}`;
}

const TERM_READING: Record<GlossaryTerm['kind'], string> = {
  filter: 'rows of',
  column: 'a value of each row of',
  measure: 'an aggregate over',
};

export interface PromptInput {
  question: string;
  /** Rendered table lines, already within the schema budget (see `selectSchema`). */
  schemaText: string;
  /** Tables left out to fit the budget; the model is told, so it does not assume they do not exist. */
  omittedTables: number;
  previousAttempts?: FailedAttempt[];
  /** The question this one follows up, and the SQL that answered it: replayed as the conversation so far. */
  earlier?: { question: string; sql: string };
  /**
   * Whether the tenant's data may reach the model (FLOCK_LLM_SEND_VALUES). When not, the
   * schema text holds names and types only, and quoted literals in error messages, which
   * can echo a value from the data, are masked.
   */
  data?: boolean;
  /**
   * The tenant's definitions of its own words, and the saved examples nearest the
   * question: sent as written in either mode, since the tenant wrote them to be read,
   * like the question itself.
   */
  glossary?: readonly GlossaryTerm[];
  examples?: readonly Example[];
}

/**
 * The conversation for one try. The schema lives in the system message; the question is
 * the user's turn; each failed try is replayed as the model's answer followed by the
 * error, so a correction sees its own mistake in context.
 */
export function buildMessages({
  question,
  schemaText,
  omittedTables,
  previousAttempts = [],
  earlier,
  data = true,
  glossary = [],
  examples = [],
}: PromptInput): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: systemPrompt(schemaText, omittedTables, data, glossary) }];
  // Few-shot: each example as a question this database was asked and the SQL that answers it.
  for (const example of examples) messages.push({ role: 'user', content: example.question }, { role: 'assistant', content: example.sql });
  // A follow-up ("only for 2024") reads against the exchange before it, as in a chat.
  if (earlier) messages.push({ role: 'user', content: earlier.question }, { role: 'assistant', content: earlier.sql });
  messages.push({ role: 'user', content: question });
  for (const attempt of previousAttempts) {
    messages.push({ role: 'assistant', content: attempt.sql });
    messages.push({ role: 'user', content: correctionRequest(data ? attempt.error : maskLiterals(attempt.error)) });
  }
  return messages;
}

/** `Could not convert string 'Alice' to INT32` → `Could not convert string '…' to INT32`. */
function maskLiterals(text: string): string {
  return text.replace(/'(?:[^']|'')*'/g, "'…'");
}

function correctionRequest(error: string): string {
  return `That SQL failed: ${error.trim().replace(/\.+$/, '')}. Reply with a corrected single SELECT.`;
}

function systemPrompt(schemaText: string, omittedTables: number, data: boolean, glossary: readonly GlossaryTerm[]): string {
  const lines = [
    'You translate questions about one DuckDB database into SQL.',
    'Reply with exactly one read-only DuckDB query, a SELECT or WITH … SELECT, and nothing else: no explanation, no Markdown, no trailing semicolon.',
    'Never write, change or delete data, and never read files, URLs or other databases.',
    'Use only the tables and columns listed below, spelled exactly as written there, double quotes included.',
    'Give computed result columns short, readable aliases.',
    `If these tables cannot answer the question, reply with one line instead: ${CANNOT_ANSWER}: <short reason>`,
    '',
    ...(data
      ? [
          'Tables, one per line: table(column TYPE, …) rows=<row count>. PK marks the primary key; "column TYPE → other.column" is a foreign key.',
          "Square brackets list a text column's values, most frequent first; a final … in the list means it has more. A value followed by … is cut short: match it with LIKE 'start%'.",
        ]
      : [
          'Tables, one per line: table(column TYPE, …). PK marks the primary key; "column TYPE → other.column" is a foreign key.',
          'No values from the data are shown: spell a value the question names as the question spells it, and compare text case-insensitively (ILIKE).',
        ]),
    '',
    schemaText,
  ];
  if (omittedTables > 0) {
    lines.push('', `(${omittedTables} more tables exist but are left out as less related to the question.)`);
  }
  if (glossary.length > 0) {
    lines.push('', "This database's owners define these words; when the question uses one, use its definition:");
    for (const term of glossary) lines.push(`- "${term.term}": ${TERM_READING[term.kind]} ${term.table}: ${term.sql}`);
  }
  return lines.join('\n');
}
