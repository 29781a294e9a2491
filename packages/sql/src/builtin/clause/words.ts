/**
 * Reading: question text → words. Quoted stretches ('Hey', "New York", `` Little Lever ''
 * as Spider-style questions write them) stay one literal each, spelled as typed, because
 * the asker quoted them to be taken exactly; everything else goes through the shared
 * tokenizer so it meets schema names on the same stems.
 */
import { tokenize } from '../../text/tokenize';

export type WordKind = 'word' | 'number' | 'date' | 'quoted';

export interface Word {
  raw: string;
  lower: string;
  stem: string;
  kind: WordKind;
  num?: number;
  yearLike?: boolean;
  /** Written with a capital letter somewhere other than the start of the question. */
  proper: boolean;
}

const QUOTED = /``\s*([^`']+?)\s*''|"([^"]+)"|“([^”]+)”|‘([^’]+)’|(?<![A-Za-z0-9])'([^']+)'(?![A-Za-z])/g;

/** Spelled-out numbers up to twenty, as counts and limits are written ("at least two"). */
// prettier-ignore
const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11,
  twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
};

export function readWords(text: string): Word[] {
  // A typographic apostrophe inside a word is an apostrophe: "Brazil’s".
  const question = text.replace(/(\w)’(\w)/g, "$1'$2");
  const words: Word[] = [];
  let at = 0;
  let sentenceStart = true;
  const plain = (text: string) => {
    // A capital after ". ", "? " or "! " starts a sentence; it does not make a name.
    const sentences = text.split(/(?<=[.?!])\s+/);
    sentences.forEach((sentence, k) => {
      if (k > 0) sentenceStart = true;
      readSentence(sentence);
    });
  };
  const readSentence = (text: string) => {
    for (const token of tokenize(text)) {
      const spelled = token.kind === 'word' ? NUMBER_WORDS[token.lower] : undefined;
      // "one" is a number only in a comparison ("more than one"); elsewhere it is a pronoun.
      const previous = words[words.length - 1]?.lower;
      const counted = token.lower !== 'one' || previous === 'than' || previous === 'least' || previous === 'most' || previous === 'exactly';
      if (spelled !== undefined && counted) {
        words.push({ raw: token.raw, lower: token.lower, stem: String(spelled), kind: 'number', num: spelled, proper: false });
        sentenceStart = false;
        continue;
      }
      words.push({
        raw: token.raw,
        lower: token.lower,
        stem: token.stem,
        kind: token.kind,
        ...(token.num !== undefined ? { num: token.num } : {}),
        ...(token.yearLike ? { yearLike: true } : {}),
        proper: !sentenceStart && /^[A-Z]/.test(token.raw),
      });
      sentenceStart = false;
    }
  };
  for (const match of question.matchAll(QUOTED)) {
    plain(question.slice(at, match.index));
    const text = (match[1] ?? match[2] ?? match[3] ?? match[4] ?? match[5] ?? '').trim();
    if (text.length > 0) words.push({ raw: text, lower: text.toLowerCase(), stem: text.toLowerCase(), kind: 'quoted', proper: true });
    sentenceStart = false;
    at = match.index + match[0].length;
  }
  plain(question.slice(at));
  return words;
}
