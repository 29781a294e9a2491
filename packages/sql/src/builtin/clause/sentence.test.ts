import { rule } from './sentence';

describe('rule', () => {
  const at = (piece: string) => rule` (${piece}) of c\\d+ `;

  it('compiles a written pattern once, global, escaped as a string given to new RegExp', () => {
    const first = at('names?');
    expect(first.global).toBe(true);
    expect(first.source).toBe(' (names?) of c\\d+ ');
    expect(at('names?')).toBe(first);
    expect(' name of c3 '.match(first)).toEqual([' name of c3 ']);
  });

  it('compiles it again when what it interpolates changes', () => {
    const names = at('names?');
    const ids = at('ids?');
    expect(ids).not.toBe(names);
    expect(ids.source).toBe(' (ids?) of c\\d+ ');
    expect(at('ids?')).toBe(ids);
  });
});
