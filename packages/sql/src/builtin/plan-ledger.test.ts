import { GenerationFailedError } from '@flock/errors';
import { generateSql } from './builtin-generator';
import { interpret } from './interpret';
import { parseItems } from './parse';
import { readWords } from './clause/words';
import { unexplainedWords } from './plan-ledger';
import { schemaIndex } from './schema-index';
import { librarySchema, shopSchema } from './test-fixtures/other-schemas.fixture';
import { tokenize } from '../text/tokenize';

/** What the planner alone makes of a question, and the words that plan leaves unexplained. */
function planned(question: string, schema = librarySchema()) {
  const index = schemaIndex(schema);
  return unexplainedWords(readWords(question), interpret(parseItems(tokenize(question), index), index));
}

describe('the planner ledger', () => {
  it.each([
    // The planner drops these words; answering would give a different figure with no warning.
    ['How many loans were returned late?', librarySchema(), ['late']],
    ['Which genre has the most loans by students?', librarySchema(), ['students']],
    ['How many orders per status for premium customers?', shopSchema(), ['premium', 'customers']],
  ])('finds what the plan of %p leaves out', (question, schema, words) => {
    expect(planned(question, schema)).toEqual(words);
    expect(() => generateSql(question, schema)).toThrow(GenerationFailedError);
    expect(() => generateSql(question, schema)).toThrow(new RegExp(words.map((w) => `'${w}'`).join(', ')));
  });

  it('holds each aggregate word to its own function: the planner computing min alone leaves out "maximum"', () => {
    expect(planned('What are the minimum and maximum fee of loans?')).toEqual(['maximum']);
    // The clause reader answers it whole.
    expect(generateSql('What are the minimum and maximum fee of loans?', librarySchema()).sql).toBe(
      'SELECT min(fee) AS min_fee, max(fee) AS max_fee FROM loan',
    );
  });

  it('refuses a number compared with a measure the question never names, when it counts rows', () => {
    // The planner compares pages with 2; "at least 2 books" counts books.
    expect(planned('What is the title of every genre that has at least 2 books?')).toEqual(['2']);
    // The table's own measure may stay implied: "loans over 20" are loans whose fee is over 20.
    expect(planned('How many loans are over 20?')).toEqual([]);
  });

  it.each([
    'Which book has the most loans?',
    'How many unreturned loans are there?',
    'Total fee paid for Fantasy books',
    'How many loans in March 2023?',
    'Average fee per genre',
  ])('explains every word of %p', (question) => {
    expect(planned(question)).toEqual([]);
  });
});
