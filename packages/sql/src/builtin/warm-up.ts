import { nameParts } from '../text/tokenize';
import type { SchemaIndex } from './schema-index';

/**
 * Questions in the shapes askers use most (counts, breakdowns, totals, averages, top-N,
 * a filter on a listed value), written from the schema's own table and column names.
 * They exist only to run the engine's code before the first real ask: nothing is kept
 * from their answers, and no rule of the engine knows them. The amount is the table's
 * likeliest measure as the engine itself ranks them, so no key is ever added up.
 */
export function warmUpQuestions(index: SchemaIndex): string[] {
  const questions: string[] = [];
  for (const table of index.tables) {
    const things = words(table.name);
    const listed = table.columns.find((column) => column.isText && (column.info.values?.length ?? 0) > 0);
    const measure = table.measures[0];
    questions.push(`How many ${things} are there?`);
    if (listed) {
      const value = listed.info.values![0]!;
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

/** `order_items` → `order items`, as an asker would write it. */
function words(name: string): string {
  return nameParts(name).join(' ');
}
