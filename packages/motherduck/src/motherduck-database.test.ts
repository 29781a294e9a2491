import { motherDuckDatabase, useDatabaseSql } from './motherduck-database';

describe('motherDuckDatabase', () => {
  const databases = { acme: 'acme_prod', beta: 'Beta' };

  it('uses the mapped database for a listed bucket', () => {
    expect(motherDuckDatabase('acme', databases)).toBe('acme_prod');
    expect(motherDuckDatabase('beta', databases)).toBe('Beta');
  });

  it("uses the bucket's own name for an unlisted bucket", () => {
    expect(motherDuckDatabase('gamma', databases)).toBe('gamma');
    expect(motherDuckDatabase('gamma')).toBe('gamma');
  });

  it("does not mistake Object's members for mappings", () => {
    expect(motherDuckDatabase('constructor', databases)).toBe('constructor');
    expect(motherDuckDatabase('__proto__', databases)).toBe('__proto__');
  });
});

describe('useDatabaseSql', () => {
  it('leaves a plain name bare and quotes the rest', () => {
    expect(useDatabaseSql('sales')).toBe('USE sales');
    expect(useDatabaseSql('Sales')).toBe('USE "Sales"');
    expect(useDatabaseSql('acme-prod')).toBe('USE "acme-prod"');
    expect(useDatabaseSql('2024_data')).toBe('USE "2024_data"');
    expect(useDatabaseSql('select')).toBe('USE "select"');
    expect(useDatabaseSql('we"ird; DROP')).toBe('USE "we""ird; DROP"');
  });
});
