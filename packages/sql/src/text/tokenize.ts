/**
 * Question and identifier normalisation. Both sides of every comparison (question words
 * and schema names/values) go through the same `stem`, so "shipments", "shipped" and
 * `shipped_at`, or "sign-ups" and `signed_up`, meet on the same key without any list of
 * known names.
 */

export type TokenKind = 'word' | 'number' | 'date';

export interface Token {
  /** As typed, for messages and case-sensitive value hints. */
  raw: string;
  lower: string;
  stem: string;
  kind: TokenKind;
  /** Numeric value of a `number` token. */
  num?: number;
  /** `yyyy-mm-dd` of a `date` token. */
  date?: string;
  /** Written as a plain four-digit integer, so it may be a year. */
  yearLike?: boolean;
}

/** Irregular forms that suffix stripping cannot reach; general English only. */
const IRREGULAR: Record<string, string> = {
  paid: 'pay',
  made: 'make',
  bought: 'buy',
  sold: 'sell',
  spent: 'spend',
  sent: 'send',
  won: 'win',
  lost: 'lose',
  held: 'hold',
  left: 'leave',
  began: 'begin',
  begun: 'begin',
  taken: 'take',
  took: 'take',
  written: 'write',
  wrote: 'write',
  given: 'give',
  gave: 'give',
  born: 'birth',
  people: 'person',
  persons: 'person',
  children: 'child',
  men: 'man',
  women: 'woman',
  staff: 'staff',
  data: 'data',
  news: 'news',
  series: 'series',
  species: 'species',
  was: 'was',
  has: 'has',
  is: 'is',
  this: 'this',
  his: 'his',
  its: 'its',
  us: 'us',
  yes: 'yes',
  // British double-l past forms, which `undouble` leaves alone because "called" must keep its l.
  cancelled: 'cancel',
  travelled: 'travel',
  labelled: 'label',
  modelled: 'model',
  enrolled: 'enrol',
  enroll: 'enrol',
  enrolls: 'enrol',
};

const VOWEL = /[aeiouy]/;

/**
 * Words already stemmed: a question's words and the schema's come round again and again
 * (a fifth of generation was spent in the stemmer and the word comparisons), and a stem
 * depends on the word alone. Emptied when full, to bound memory.
 */
const stems = new Map<string, string>();
const MAX_STEMS = 100_000;
/** Longer words (a question may be one 10,000-letter word) are stemmed each time, so the map stays small. */
export const MAX_REMEMBERED_WORD = 40;

/**
 * A light inflectional stemmer: plural and -ed/-ing endings go, a final silent `e` goes,
 * so "categories"/"category", "created"/"create" and "ordered"/"order" share a stem. It is
 * deliberately weaker than Porter: derivational endings stay (`rootOf` strips those), so
 * exact-looking matches keep a higher score than loose ones.
 */
export function stem(word: string): string {
  if (word.length > MAX_REMEMBERED_WORD) return stemOf(word);
  let s = stems.get(word);
  if (s === undefined) {
    s = stemOf(word);
    if (stems.size >= MAX_STEMS) stems.clear();
    stems.set(word, s);
  }
  return s;
}

function stemOf(word: string): string {
  const w = word.toLowerCase();
  // Own entries only: "constructor" or "toString" must not find Object's.
  const irregular = Object.hasOwn(IRREGULAR, w) ? IRREGULAR[w] : undefined;
  if (irregular) return irregular;
  if (w.length <= 3 || /\d/.test(w)) return w;
  let s = w;
  if (s.endsWith('ies') && s.length > 4) s = `${s.slice(0, -3)}y`;
  else if (s.endsWith('sses')) s = s.slice(0, -2);
  else if (/(x|ch|sh|zz)es$/.test(s)) s = s.slice(0, -2);
  else if (s.endsWith('s') && !/(ss|us|is)$/.test(s)) s = s.slice(0, -1);

  if (s.endsWith('ing') && s.length > 5 && VOWEL.test(s.slice(0, -3))) s = undouble(s.slice(0, -3));
  else if (s.endsWith('ied') && s.length > 4) s = `${s.slice(0, -3)}y`;
  else if (s.endsWith('ed') && s.length > 4 && VOWEL.test(s.slice(0, -2))) s = undouble(s.slice(0, -2));

  if (s.endsWith('e') && s.length > 3 && !s.endsWith('ee')) s = s.slice(0, -1);
  return s;
}

/** "stopped" → "stop" but "succeed" stays: only a doubled consonant other than l/s/z is undone. */
function undouble(s: string): string {
  const last = s[s.length - 1];
  if (s.length > 3 && last && last === s[s.length - 2] && !/[aeiouylsz]/.test(last)) return s.slice(0, -1);
  return s;
}

/** Applied to stems, which have already lost a final e ("allowance" → "allowanc"). */
const DERIVATIONAL = ['ment', 'anc', 'enc', 'ation', 'ion', 'al', 'ee'];

/**
 * A stem with derivational endings stripped as well ("shipment" → "ship", "allowance" →
 * "allow"), so a verb in a question can find the noun a table is named after. Used
 * only as a weaker match than `stem`.
 */
export function rootOf(stemmed: string): string {
  for (const suffix of DERIVATIONAL) {
    if (stemmed.endsWith(suffix) && stemmed.length - suffix.length >= 3) {
      return stem(stemmed.slice(0, -suffix.length));
    }
  }
  return stemmed;
}

/** Splits `order_status`, `createdAt`, `order-items 2` into lower-case words. */
export function nameParts(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((part) => part.length > 0);
}

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isoDate(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > (MONTH_DAYS[month - 1] ?? 0)) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const TOKEN_PATTERN =
  /(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|[$€£]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([km])?\b%?|[A-Za-z]+(?:'[A-Za-z]+)?(?:-[A-Za-z]+)*/g;

/**
 * Question text → tokens. Contractions become a word plus "not" so negation is visible;
 * possessive `'s` goes; hyphenated compounds become their parts with the plural taken
 * off the whole ("check-ins" → check, in) so they line up with snake_case names.
 */
export function tokenize(question: string): Token[] {
  const tokens: Token[] = [];
  for (const match of question.matchAll(TOKEN_PATTERN)) {
    const text = match[0];
    if (match[1] !== undefined) {
      const date = isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
      if (date) tokens.push({ raw: text, lower: text, stem: text, kind: 'date', date });
      continue;
    }
    if (match[4] !== undefined) {
      const digits = match[4].replace(/,/g, '');
      let num = Number(`${digits}${match[5] ?? ''}`);
      if (match[6] === 'k') num *= 1_000;
      if (match[6] === 'm') num *= 1_000_000;
      const yearLike = /^\d{4}$/.test(text);
      tokens.push({ raw: text, lower: text.toLowerCase(), stem: String(num), kind: 'number', num, yearLike });
      continue;
    }
    pushWord(tokens, text);
  }
  return tokens;
}

function pushWord(tokens: Token[], text: string): void {
  let word = text;
  let negated = false;
  const apostrophe = word.indexOf("'");
  if (apostrophe >= 0) {
    const tail = word.slice(apostrophe + 1).toLowerCase();
    const head = word.slice(0, apostrophe);
    if (tail === 't' && /n$/i.test(head)) {
      // "weren't" → were + not; "can't" → can + not; "won't" → will + not.
      const base = head.toLowerCase() === 'won' ? 'will' : head.toLowerCase() === 'ca' ? 'can' : head.slice(0, -1);
      word = base;
      negated = true;
    } else if (['s', 're', 've', 'll', 'd', 'm'].includes(tail)) {
      word = head;
    } else {
      // A name such as O'Brien: both halves, as value keys split it too.
      pushWord(tokens, head);
      word = word.slice(apostrophe + 1);
    }
  }
  if (word.includes('-')) {
    const parts = word.split('-').filter((part) => part.length > 0);
    const lastIndex = parts.length - 1;
    parts.forEach((part, i) => {
      const lower = part.toLowerCase();
      // Only the last part carries the plural: "check-ins" is the plural of "check-in".
      const singular = i === lastIndex && lastIndex > 0 && /[^s]s$/.test(lower) && lower.length >= 3 ? lower.slice(0, -1) : lower;
      tokens.push({ raw: part, lower, stem: i === lastIndex ? stem(singular) : stem(lower), kind: 'word' });
    });
  } else if (word.length > 0) {
    const lower = word.toLowerCase();
    tokens.push({ raw: word, lower, stem: stem(lower), kind: 'word' });
  }
  if (negated) tokens.push({ raw: 'not', lower: 'not', stem: 'not', kind: 'word' });
}

/** What a token is compared by: a word's stem, a number's or date's text as written (lower-cased). */
export function tokenKey(token: Token): string {
  return token.kind === 'word' ? token.stem : token.raw.toLowerCase();
}
