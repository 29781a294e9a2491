import { quoteIdent, quoteLiteral } from './sql-text';

describe('quoteIdent', () => {
  it('leaves lower-case snake_case names bare', () => {
    expect(quoteIdent('membership_type')).toBe('membership_type');
    expect(quoteIdent('_private1')).toBe('_private1');
  });

  it('quotes names DuckDB would fold, split or reject', () => {
    expect(quoteIdent('FullName')).toBe('"FullName"');
    expect(quoteIdent('order items')).toBe('"order items"');
    expect(quoteIdent('1st')).toBe('"1st"');
    expect(quoteIdent('e-mail')).toBe('"e-mail"');
  });

  it('quotes keywords', () => {
    expect(quoteIdent('order')).toBe('"order"');
    expect(quoteIdent('group')).toBe('"group"');
    expect(quoteIdent('at')).toBe('"at"');
  });

  it('doubles inner double quotes', () => {
    expect(quoteIdent('say "hi"')).toBe('"say ""hi"""');
  });
});

describe('quoteLiteral', () => {
  it('single-quotes and doubles inner single quotes', () => {
    expect(quoteLiteral('Premium')).toBe("'Premium'");
    expect(quoteLiteral("Children's Ward")).toBe("'Children''s Ward'");
    expect(quoteLiteral("'; DROP TABLE x; --")).toBe("'''; DROP TABLE x; --'");
  });
});
