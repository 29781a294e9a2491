import { normaliseQuestion } from './answer-cache';

describe('normaliseQuestion', () => {
  it('folds case, runs of spaces and end punctuation, and compatible Unicode forms', () => {
    expect(normaliseQuestion('  How many   Members\tby type?! ')).toBe('how many members by type');
    expect(normaliseQuestion('Ｈow many members by type')).toBe('how many members by type');
  });

  it('keeps every word and the punctuation inside the question', () => {
    expect(normaliseQuestion('How many members by type in 2024?')).not.toBe(normaliseQuestion('How many members by type?'));
    expect(normaliseQuestion("Members named 'O.Brien'?")).toBe("members named 'O.Brien'");
    // A quoted value is kept as typed: it may be a different value in another case.
    expect(normaliseQuestion("Payments in 'EUR'")).not.toBe(normaliseQuestion("Payments in 'eur'"));
  });
});
