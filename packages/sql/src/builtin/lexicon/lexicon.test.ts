import { stem } from '../../text/tokenize';
import * as clauseWords from './clause-words';
import * as plannerWords from './index';

/**
 * One normal form for every word list of the lexicon: lower case, single spaces, no
 * duplicates within a list. Lists compared with stems hold stems (LABEL_WORDS was once
 * compared unstemmed against stems, and no compound name ever became a label).
 */
// prettier-ignore
const STEM_KEYED = new Set(['GENERIC_NAME_PARTS', 'MONEY_WORDS', 'MONEY_QUESTION_WORDS', 'LABEL_WORDS', 'EVENT_TIME_WORDS', 'BOOKKEEPING_TIME_WORDS']);

const NORMAL_FORM = /^[a-z0-9]+(?:['.-][a-z0-9]+)*(?: [a-z0-9]+(?:['.-][a-z0-9]+)*)*$/;

/** Every list of words a lexicon module exports, by name: sets, arrays, phrase tables and record keys. */
function wordLists(module: Record<string, unknown>): [string, string[]][] {
  const lists: [string, string[]][] = [];
  for (const [name, value] of Object.entries(module)) {
    if (value instanceof Set) lists.push([name, [...value].map(String)]);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) lists.push([name, value as string[]]);
    else if (name === 'SYNONYM_GROUPS') {
      (value as string[][]).forEach((group, i) => lists.push([`${name}[${i}]`, group]));
    } else if (Array.isArray(value) && value.every((v) => Array.isArray(v))) {
      lists.push([name, (value as [unknown][]).map(([key]) => (Array.isArray(key) ? key.join(' ') : String(key)))]);
    } else if (value && typeof value === 'object' && !(value instanceof RegExp)) {
      lists.push([name, Object.keys(value)]);
      for (const [key, inner] of Object.entries(value)) {
        if (Array.isArray(inner) && inner.every((w) => typeof w === 'string')) lists.push([`${name}.${key}`, inner as string[]]);
        if (inner instanceof Set) lists.push([`${name}.${key}`, [...inner].map(String)]);
      }
    }
  }
  return lists;
}

const LISTS = [...wordLists(plannerWords), ...wordLists(clauseWords)];

describe('the lexicon', () => {
  it('has word lists to check', () => {
    expect(LISTS.length).toBeGreaterThan(30);
  });

  it.each(LISTS)('%s is in normal form, without duplicates', (name, words) => {
    const stemKeyed = STEM_KEYED.has(name);
    for (const word of words) {
      expect({ name, word, normal: NORMAL_FORM.test(word) }).toEqual({ name, word, normal: true });
      if (stemKeyed) expect({ name, word, stem: stem(word) }).toEqual({ name, word, stem: word });
    }
    const seen = new Set<string>();
    const repeated = words.filter((w) => (seen.has(w) ? true : (seen.add(w), false)));
    expect({ name, repeated }).toEqual({ name, repeated: [] });
  });
});
