import { demoSchema } from './test-fixtures/demo-schema.fixture';
import { col, schema, table } from './test-fixtures/schema-builder.fixture';
import { resolveFollowUp } from './follow-up';

describe('resolveFollowUp', () => {
  const demo = demoSchema();
  const resolve = (previous: string, followUp: string) => resolveFollowUp(previous, followUp, demo);

  it('appends an added filter to the question before it', () => {
    expect(resolve('Total payments by currency?', 'only for 2024')).toEqual({
      question: 'Total payments by currency, only for 2024',
      change: 'filter',
    });
    expect(resolve('How many members by type?', 'And only active ones?')!.question).toBe('How many members by type, only active ones');
    expect(resolve('How many members by type?', 'in Ireland')!.question).toBe('How many members by type, in Ireland');
  });

  it('adds a grouping beside the one there is, or replaces it when told "instead"', () => {
    expect(resolve('How many members by type?', 'and by country?')).toEqual({
      question: 'How many members by type and country',
      change: 'grouping',
    });
    expect(resolve('Total payments by currency for 2024', 'by status instead')!.question).toBe('Total payments by status for 2024');
    expect(resolve('How many members do we have?', 'broken down by country')!.question).toBe('How many members do we have by country');
    // Nothing to replace: the follow-up cannot be placed.
    expect(resolve('How many members do we have?', 'by country instead')).toBeUndefined();
  });

  it('changes the size of a ranking, keeping or changing its direction', () => {
    expect(resolve('Top 5 countries by number of members', 'top 10 instead?')).toEqual({
      question: 'Top 10 countries by number of members',
      change: 'ranking',
    });
    expect(resolve('Top 5 countries by number of members', '3 instead')!.question).toBe('Top 3 countries by number of members');
    expect(resolve('Top 5 countries by number of members', 'bottom 5')!.question).toBe('bottom 5 countries by number of members');
    expect(resolve('How many members by type?', 'top 3 instead')).toBeUndefined();
  });

  it('swaps a value for another of the same column, or narrows to it when the question had none', () => {
    expect(resolve('How many Standard members by country?', 'What about Premium members?')).toEqual({
      question: 'How many Premium members by country',
      change: 'value',
    });
    expect(resolve('How many members by type?', 'what about Premium members?')!.question).toBe('How many members by type, only Premium');
    expect(resolve('How many members joined in 2023?', 'And in 2024?')).toEqual({
      question: 'How many members joined in 2024',
      change: 'value',
    });
    expect(resolve('How many members by type in France?', 'only in Ireland')!.question).toBe('How many members by type in Ireland');
    expect(resolve('How many members joined in 2023?', 'what about 2024?')!.question).toBe('How many members joined in 2024');
    expect(resolve('Total payments by currency', '2024?')!.question).toBe('Total payments by currency, only in 2024');
    expect(resolve('How many members by type?', 'what about the weather?')).toBeUndefined();
  });

  it('lets a whole new question stand alone, but not one that points back at the last answer', () => {
    expect(resolve('How many members by type?', 'How many events are there?')).toEqual({
      question: 'How many events are there',
      change: 'standalone',
    });
    expect(resolve('How many members by type?', 'how many of them are active?')).toBeUndefined();
  });

  it('refuses a follow-up that would turn a value round or make it a bound, rather than swap it in', () => {
    for (const [previous, followUp] of [
      ['How many Standard members by country?', 'excluding Premium'],
      ['How many Premium members?', 'without Student'],
      ['How many active members?', 'not active?'],
      ['How many Premium members?', 'non-Premium'],
      ['How many members by type in Ireland and France?', 'excluding France'],
      ['How many members joined in 2023?', 'before 2024'],
      ['How many members joined in 2023?', 'since 2020'],
    ]) {
      expect([followUp, resolve(previous!, followUp!)]).toEqual([followUp, undefined]);
    }
  });

  it('refuses to pick one of several years or values to replace, or to drop the words beside a swapped value', () => {
    expect(resolve('How many members joined in 2020 with payments in 2023?', 'and in 2024?')).toBeUndefined();
    expect(resolve('How many members by type in Ireland or France?', 'only in Germany')).toBeUndefined();
    expect(resolve('How many Standard members by country?', 'what about Premium members in 2024?')).toBeUndefined();
    // The size of a ranking is not a year.
    expect(resolve('Top 2000 countries by number of members in 2023', '2024?')!.question).toBe(
      'Top 2000 countries by number of members in 2024',
    );
  });

  it('refuses a follow-up that leans on the last answer, or a question that names nothing of the schema', () => {
    for (const followUp of ['who joined in 2024?', 'which are active?', 'show the same for 2023', 'how many in 2023?']) {
      expect([followUp, resolve('How many Premium members?', followUp)]).toEqual([followUp, undefined]);
    }
  });

  it('works from the schema it is given, not from any one dataset', () => {
    const library = schema(
      table('book', 40, [col('id', 'INTEGER'), col('genre', 'VARCHAR', ['Fantasy', 'Crime', 'Poetry']), col('published', 'INTEGER')]),
    );
    expect(resolveFollowUp('How many Crime books by published?', 'what about Poetry', library)!.question).toBe(
      'How many Poetry books by published',
    );
    expect(resolveFollowUp('How many books?', 'what about Premium?', library)).toBeUndefined();
  });
});
