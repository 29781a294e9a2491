import { nameParts, rootOf, stem, tokenize } from './tokenize';

describe('stem', () => {
  it.each([
    ['payments', 'payment'],
    ['categories', 'category'],
    ['statuses', 'status'],
    ['status', 'status'],
    ['joined', 'join'],
    ['refunded', 'refund'],
    ['succeeded', 'succeed'],
    ['created', stem('create')],
    ['types', stem('type')],
    ['paid', 'pay'],
    ['cancelled', stem('canceled')],
  ])('%s → %s', (word, expected) => {
    expect(stem(word)).toBe(expected);
  });

  it('leaves short words alone', () => {
    expect(stem('bus')).toBe('bus');
    expect(stem('ins')).toBe('ins');
  });

  it("stems words that name Object's own properties like any other", () => {
    expect(stem('constructor')).toBe('constructor');
    expect(stem('constructors')).toBe('constructor');
    expect(stem('toString')).toBe('tostr');
    expect(stem('hasOwnProperty')).toBe('hasownproperty');
  });

  it('stems a word too long to remember the same way, every time', () => {
    const long = `${'x'.repeat(60)}ies`;
    expect(stem(long)).toBe(`${'x'.repeat(60)}y`);
    expect(stem(long)).toBe(stem(long));
  });
});

describe('rootOf', () => {
  it('strips derivational endings so verbs meet nouns', () => {
    expect(rootOf(stem('payment'))).toBe('pay');
    expect(rootOf(stem('attendance'))).toBe('attend');
    expect(rootOf(stem('attendees'))).toBe('attend');
    expect(rootOf(stem('book'))).toBe('book');
  });
});

describe('nameParts', () => {
  it('splits snake, kebab and camel case', () => {
    expect(nameParts('membership_type')).toEqual(['membership', 'type']);
    expect(nameParts('joinedAt')).toEqual(['joined', 'at']);
    expect(nameParts('HTTPStatus')).toEqual(['http', 'status']);
    expect(nameParts('order-items 2')).toEqual(['order', 'items', '2']);
  });
});

describe('tokenize', () => {
  it('reads dates, numbers and years', () => {
    const tokens = tokenize('after 2025-01-01 over 1,250.50 in 2024');
    expect(tokens.map((t) => t.kind)).toEqual(['word', 'date', 'word', 'number', 'word', 'number']);
    expect(tokens[1]!.date).toBe('2025-01-01');
    expect(tokens[3]!.num).toBe(1250.5);
    expect(tokens[5]!.yearLike).toBe(true);
  });

  it('rejects impossible dates', () => {
    expect(tokenize('2025-02-30').some((t) => t.kind === 'date')).toBe(false);
  });

  it('turns contractions into a negation', () => {
    expect(tokenize("weren't returned").map((t) => t.lower)).toEqual(['were', 'not', 'returned']);
  });

  it('takes the plural off a hyphenated compound as a whole', () => {
    expect(tokenize('check-ins').map((t) => t.stem)).toEqual(['check', 'in']);
  });

  it('drops the possessive and keeps both halves of a name', () => {
    expect(tokenize("Children's").map((t) => t.lower)).toEqual(['children']);
    expect(tokenize("O'Brien").map((t) => t.lower)).toEqual(['o', 'brien']);
  });
});
