import { renderCsv, renderGrid, renderTable } from './output';

describe('CLI output', () => {
  const grid = {
    columns: ['membership_type', 'count'],
    rows: [
      ['Standard', 450],
      ['Premium', 12],
      [null, 3],
    ],
  };

  it('aligns a table under a ruled header, numbers to the right, NULL spelled out', () => {
    expect(renderTable(grid).split('\n')).toEqual([
      'membership_type │ count',
      '────────────────┼──────',
      'Standard        │   450',
      'Premium         │    12',
      'NULL            │     3',
    ]);
  });

  it('writes CSV with a header, quoting what needs it and leaving NULL empty', () => {
    const csv = renderCsv({
      columns: ['name', 'tags'],
      rows: [
        ['a, "b"', ['x', 1]],
        [null, 2],
      ],
    });
    expect(csv).toBe('name,tags\n"a, ""b""","[""x"",1]"\n,2\n');
  });

  it('counts rows under a table, and prints the whole body as JSON', () => {
    expect(renderGrid(grid, 'table', {}).split('\n').at(-1)).toBe('(3 rows)');
    expect(
      renderGrid({ columns: ['n'], rows: [[1]] }, 'table', {})
        .split('\n')
        .at(-1),
    ).toBe('(1 row)');
    expect(JSON.parse(renderGrid(grid, 'json', { data: grid }))).toEqual({ data: grid });
  });
});
