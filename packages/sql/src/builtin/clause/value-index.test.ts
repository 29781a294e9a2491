import { schemaIndex } from '../schema-index';
import { col, schema, table } from '../../test-fixtures/schema-builder.fixture';
import { valueIndex, type ValueRef } from './value-index';

/** A listed (category) column and a sampled (lookup) one in each of two tables. */
function index() {
  const city = { ...col('city', 'VARCHAR'), lookup: ['Caribbean Bay', 'Springfield', 'Shelbyville', 'Paris'] };
  const venue = { ...col('venue', 'VARCHAR'), lookup: ['Paris', 'Springfeld'] };
  return schemaIndex(
    schema(
      table('member', 10, [col('id', 'INTEGER'), col('status', 'VARCHAR', ['active', 'Active', 'lapsed', 'Cats']), city]),
      table('event', 5, [col('id', 'INTEGER'), col('kind', 'VARCHAR', ['Ship', 'Paris']), venue]),
    ),
  );
}

const refs = (found: ValueRef[]) => found.map((r) => `${r.column.table.name}.${r.column.name}=${r.value}${r.listed ? '' : ' (name)'}`);

describe('valueIndex', () => {
  it("finds every column's value a text spells, in the schema's order, listed values before names", () => {
    const values = valueIndex(index());
    expect(refs(values.lookup('Paris', true))).toEqual(['member.city=Paris (name)', 'event.kind=Paris', 'event.venue=Paris (name)']);
    // Not as a name: only category values.
    expect(refs(values.lookup('paris', false))).toEqual(['event.kind=Paris']);
    expect(refs(values.lookup('active', false))).toEqual(['member.status=active', 'member.status=Active']);
  });

  it('matches a plain word only as itself or its plural, not through the stemmer', () => {
    const values = valueIndex(index());
    expect(refs(values.lookup('cats', false))).toEqual(['member.status=Cats']);
    expect(refs(values.lookup('shipping', false))).toEqual([]);
    expect(refs(values.lookup('lapsed', false))).toEqual(['member.status=lapsed']);
  });

  it('forgives one slip in a long name, only when a single name is that close', () => {
    const values = valueIndex(index());
    expect(refs(values.lookup('Caribean Bay', true))).toEqual(['member.city=Caribbean Bay (name)']);
    expect(refs(values.lookup('Shelbyvile', true))).toEqual(['member.city=Shelbyville (name)']);
    // Springfield and Springfeld are both one slip from this: neither is chosen.
    expect(refs(values.lookup('Springfild', true))).toEqual([]);
    // A quoted literal is taken exactly.
    expect(refs(values.lookup('Shelbyvile', true, true))).toEqual([]);
    // Nor for short words, or when not read as a name.
    expect(refs(values.lookup('Pariss', false))).toEqual([]);
  });

  it('finds nothing for text with no value, or too short to be one', () => {
    const values = valueIndex(index());
    expect(values.lookup('Gotham', true)).toEqual([]);
    expect(values.lookup('a', true)).toEqual([]);
    expect(valueIndex(schemaIndex(schema(table('t', 0, [col('id', 'INTEGER')])))).lookup('Paris', true)).toEqual([]);
  });
});
