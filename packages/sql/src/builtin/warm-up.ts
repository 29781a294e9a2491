import type { ColumnInfo, SchemaContext, TableInfo } from '@flock/schema';

/**
 * Questions in the shapes askers use most (counts, breakdowns, totals, averages, top-N,
 * a filter on a listed value), written from the schema's own table and column names.
 * They exist only to run the engine's code before the first real ask: nothing is kept
 * from their answers, and no rule of the engine knows them.
 */
export function warmUpQuestions(schema: SchemaContext): string[] {
  const questions: string[] = [];
  for (const table of schema.tables) {
    const things = words(table.name);
    const listed = table.columns.find((column) => column.kind === 'text' && (column.values?.length ?? 0) > 0);
    const measure = table.columns.find((column) => isMeasure(table, column));
    questions.push(`How many ${things} are there?`);
    if (listed) {
      const value = listed.values![0]!;
      questions.push(`How many ${things} by ${words(listed.name)}?`, `How many ${things} have ${words(listed.name)} ${value}?`);
    }
    if (measure) {
      const amount = words(measure.name);
      questions.push(`Average ${amount} of ${things}`, `Top 5 ${things} by ${amount}`);
      if (listed) questions.push(`Total ${amount} by ${words(listed.name)}`);
    }
  }
  return questions;
}

/** A number worth adding up: not a key, whose sum means nothing. */
function isMeasure(table: TableInfo, column: ColumnInfo): boolean {
  if (column.kind !== 'integer' && column.kind !== 'decimal' && column.kind !== 'float') return false;
  if (table.primaryKey.includes(column.name)) return false;
  if (table.foreignKeys.some((key) => key.columns.includes(column.name))) return false;
  return !/(^|_)id$/i.test(column.name);
}

/** `order_items` → `order items`, as an asker would write it. */
function words(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_\s]+/g, ' ')
    .trim()
    .toLowerCase();
}
