import type { Example } from '@flock/knowledge';
import { stem, tokenKey, tokenize } from '../text/tokenize';
import { FUNCTION_WORDS } from '../text/words';

/** Words whose absence never changes what a question asks. */
const FILLER = new Set(['a', 'an', 'the', 'please', 'kindly']);

/**
 * Words in any script, numbers with their sign and decimals, comparison signs, and any
 * other symbol ($, €, %, #, +): all but the end-of-sentence and list punctuation.
 */
const PIECES = /-?\p{N}+(?:[.,]\p{N}+)*|[\p{L}\p{M}']+|!=|[<>=≠≤≥]+|[\p{S}%#]/gu;

/**
 * A question reduced to what decides its answer: every word (its stem, for English
 * words), every number with its sign, every comparison sign, in order, without articles,
 * "please", case or other punctuation. Two questions with the same key ask the same thing
 * ("How many orders were cancelled?" / "how many order was cancelled"), while any other
 * difference, a year, a name, "only", "not", "<" for ">", keeps them apart: an example
 * answers a question only when nothing but wording separates them.
 */
export function questionKey(question: string): string {
  const pieces = question.normalize('NFKC').toLowerCase().match(PIECES) ?? [];
  return pieces
    .filter((piece) => !FILLER.has(piece))
    .map((piece) => (/^[a-z']+$/.test(piece) ? stem(piece.replace(/'/g, '')) : piece))
    .join(' ');
}

/**
 * The saved example that asks exactly what the question asks, if one does; the newest of
 * several, so a correction saved after an earlier example wins. A question without a
 * word matches nothing.
 */
export function matchingExample(question: string, examples: readonly Example[]): Example | undefined {
  if (examples.length === 0) return undefined;
  const key = questionKey(question);
  if (!/\p{L}/u.test(key)) return undefined;
  return examplesByKey(examples).get(key);
}

/** Each list's examples by question key, the newest last in: worked out once per list, not at every ask. */
const keyed = new WeakMap<readonly Example[], Map<string, Example>>();

function examplesByKey(examples: readonly Example[]): Map<string, Example> {
  let byKey = keyed.get(examples);
  if (!byKey) {
    byKey = new Map(examples.map((example) => [questionKey(example.question), example]));
    keyed.set(examples, byKey);
  }
  return byKey;
}

/**
 * The examples that share the most words with the question (Jaccard over stems, without
 * function words), best first, for an engine's few-shot prompt. Examples sharing no word
 * are left out, so an unrelated example never steers the answer.
 */
export function nearestExamples(question: string, examples: readonly Example[], limit = 3): Example[] {
  const words = contentStems(question);
  if (words.size === 0) return [];
  return examples
    .map((example, order) => {
      const theirs = contentStems(example.question);
      const shared = [...words].filter((word) => theirs.has(word)).length;
      return { example, order, score: shared / (words.size + theirs.size - shared) };
    })
    .filter((scored) => scored.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map((scored) => scored.example);
}

function contentStems(question: string): Set<string> {
  return new Set(
    tokenize(question)
      .filter((token) => !FUNCTION_WORDS.has(token.lower))
      .map(tokenKey),
  );
}
