/**
 * How alike a question's words are to a schema name's words. Real schemas abbreviate
 * (`IndepYear`), run words together (`Highschooler`) and questions misspell
 * ("popuation"), so equality of stems is only the best case.
 */
import { synonymsOf } from '../lexicon';
import { MAX_REMEMBERED_WORD, rootOf } from '../../text/tokenize';

/**
 * Word pairs already compared, with their score: each question compares its words with
 * the schema's, most of which the bucket's earlier questions compared too, and the
 * score depends on the two words alone. Emptied when full, to bound memory.
 */
const compared = new Map<string, number>();
const MAX_COMPARED = 200_000;

/** How alike a question word and a name word are, 0 to 1. */
export function wordSimilarity(q: string, p: string): number {
  if (q === p) return 1;
  if (q.length > MAX_REMEMBERED_WORD || p.length > MAX_REMEMBERED_WORD) return compare(q, p);
  const key = `${q}\u0000${p}`;
  let score = compared.get(key);
  if (score === undefined) {
    score = compare(q, p);
    if (compared.size >= MAX_COMPARED) compared.clear();
    compared.set(key, score);
  }
  return score;
}

function compare(q: string, p: string): number {
  if (q.length < 2 || p.length < 2) return 0;
  // Short words keep their plural through the stemmer: "ids" is "id".
  if (q === `${p}s` || p === `${q}s`) return 0.95;
  if (rootOf(q) === rootOf(p)) return 0.9;
  const [short, long] = q.length <= p.length ? [q, p] : [p, q];
  // Abbreviations and derived forms: "indep" ↔ "independ", "weigh" ↔ "weight", "accel" ↔ "accelerate".
  if (short.length >= 4 && long.startsWith(short)) return 0.8;
  // "aged" ↔ "age": a participle of the name word.
  if (long === `${short}d` || long === `${short}ed`) return 0.8;
  if (short.length >= 5 && editDistanceAtMostOne(q, p)) return 0.75;
  // "dept" for department, "stu" for student, "qty" for quantity: the name's letters, in order, from the word.
  if (p.length >= 3 && p.length * 10 <= q.length * 7 && p[0] === q[0] && isSubsequence(p, q)) return 0.7;
  if (synonymsOf(q).includes(p)) return 0.6;
  return 0;
}

function isSubsequence(short: string, long: string): boolean {
  let j = 0;
  for (let i = 0; i < long.length && j < short.length; i++) if (long[i] === short[j]) j++;
  return j === short.length;
}

export function editDistanceAtMostOne(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else if (a[i + 1] === b[j] && a[i] === b[j + 1]) {
      // A swap of two letters ("langauge") counts as one slip.
      i += 2;
      j += 2;
    } else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/** How well a stretch of question stems spells a name (its word stems), 0 to 1. */
export function spell(span: string[], name: string[]): number {
  if (name.length === 0) return 0;
  if (span.join('') === name.join('')) return span.length === name.length ? 1 : 0.95;
  // `Fname` for "first name": the first word's initial run into the second.
  if (name.length === 1 && span.length === 2 && name[0] === `${span[0]![0]}${span[1]}`) return 0.8;
  if (span.length !== name.length) return 0;
  let score = 1;
  for (let i = 0; i < span.length; i++) {
    // `LName` for "last name": an initial stands for its word when the rest is spelled out.
    const initial = name[i]!.length === 1 && span.length > 1 && span[i]!.startsWith(name[i]!) ? 0.7 : 0;
    const s = Math.max(initial, wordSimilarity(span[i]!, name[i]!));
    if (s === 0) return 0;
    score = Math.min(score, s);
  }
  return score;
}
