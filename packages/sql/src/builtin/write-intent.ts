/**
 * Recognises requests to change data. Flock only reads, and a request like "mark every
 * pending order as shipped" must be refused outright: answering it with a SELECT would
 * look as if the change had been made.
 */
import { NOUN_LIKE_VERBS, OBJECT_STARTS, POLITE_OPENERS, READ_AFTER_VERB, SQL_WRITE_PATTERN, WRITE_VERBS } from './lexicon';
import type { Token } from '../text/tokenize';

/** Words that introduce a clause whose verb may be a command: "and then delete ...". */
const CLAUSE_STARTS = new Set(['and', 'then', 'also', 'please', 'to']);

export function isWriteRequest(question: string, tokens: Token[]): boolean {
  if (SQL_WRITE_PATTERN.test(question)) return true;
  const words = tokens.filter((t) => t.kind === 'word').map((t) => t.lower);
  // The imperative verb of the request: the first word after any "please", "can you", "I want to".
  let i = 0;
  while (i < words.length && POLITE_OPENERS.has(words[i]!) && !WRITE_VERBS.has(words[i]!)) i++;
  if (isCommand(words, i)) return true;
  // A second command later in the sentence: "show the orders and then delete them".
  for (let j = i + 1; j < words.length; j++) {
    if (CLAUSE_STARTS.has(words[j - 1]!) && isCommand(words, j) && (words[j - 1] !== 'to' || opensWithRequest(words))) return true;
  }
  return false;
}

function isCommand(words: string[], at: number): boolean {
  const verb = words[at];
  if (!verb || !WRITE_VERBS.has(verb)) return false;
  const next = words[at + 1];
  const readAfter = READ_AFTER_VERB[verb];
  if (readAfter && next !== undefined && readAfter.has(next)) return false;
  // "create time of all votes", "email addresses": a noun followed by what it modifies.
  if (NOUN_LIKE_VERBS.has(verb) && next !== undefined && !OBJECT_STARTS.has(next) && at > 0) return false;
  return true;
}

/** "I want to ...", "how do I ...": a "to" or subject before a verb that is still a request. */
function opensWithRequest(words: string[]): boolean {
  return words.some((w) => w === 'want' || w === 'need' || w === 'like' || w === 'please' || w === 'how');
}
