/**
 * General English the parser knows. Nothing here may name a table, column or value of
 * any particular warehouse: the generator is judged on schemas it has never seen, so
 * everything specific comes from the SchemaContext at run time.
 */
import { stem } from '../../text/tokenize';

export { FUNCTION_WORDS, GENERIC_NAME_PARTS } from '../../text/words';

export type AggFn = 'sum' | 'avg' | 'min' | 'max';
export type CompareOp = '>' | '>=' | '<' | '<=' | '=';
export type Grain = 'year' | 'quarter' | 'month' | 'week' | 'day';
export type TimePrep = 'in' | 'after' | 'before' | 'since' | 'until' | 'on' | 'between';

export type Cue =
  | { k: 'count' }
  | { k: 'agg'; fn: AggFn }
  /** A superlative: an aggregate on its own ("largest order"), a ranking after "which X has the". */
  | { k: 'super'; dir: 'desc' | 'asc'; temporal: boolean; countish: boolean }
  /** "most common", "most popular": rank groups by how many rows they have. */
  | { k: 'popular' }
  | { k: 'top'; dir: 'desc' | 'asc' }
  | { k: 'group' }
  | { k: 'grain'; unit: Grain }
  | { k: 'cmp'; op: CompareOp }
  /** A comparison written after its number: "100 or more". */
  | { k: 'cmp-post'; op: CompareOp }
  | { k: 'between' }
  | { k: 'time-prep'; prep: TimePrep }
  | { k: 'relative-time'; unit: 'year' | 'month'; offset: number }
  | { k: 'list' }
  | { k: 'which' }
  | { k: 'who' }
  | { k: 'when' }
  | { k: 'distinct' }
  | { k: 'has' }
  | { k: 'not' }
  | { k: 'and' }
  | { k: 'or' }
  | { k: 'of' }
  | { k: 'from' }
  /** "date", "day", "time": asks for a date column without naming one. */
  | { k: 'temporal-hint' }
  /** Words for people, resolved to a table that looks like it holds people. */
  | { k: 'person' }
  /** A computation this engine does not do (percentages, medians): refused, never approximated. */
  | { k: 'unsupported'; what: string };

function phrases(list: [string, Cue][]): [string[], Cue][] {
  return list.map(([text, cue]) => [text.split(' '), cue]);
}

const count: Cue = { k: 'count' };
const sum: Cue = { k: 'agg', fn: 'sum' };
const avg: Cue = { k: 'agg', fn: 'avg' };
const desc: Cue = { k: 'super', dir: 'desc', temporal: false, countish: false };
const asc: Cue = { k: 'super', dir: 'asc', temporal: false, countish: false };
const earliest: Cue = { k: 'super', dir: 'asc', temporal: true, countish: false };
const latest: Cue = { k: 'super', dir: 'desc', temporal: true, countish: false };
const gt: Cue = { k: 'cmp', op: '>' };
const ge: Cue = { k: 'cmp', op: '>=' };
const lt: Cue = { k: 'cmp', op: '<' };
const le: Cue = { k: 'cmp', op: '<=' };
const eq: Cue = { k: 'cmp', op: '=' };
const group: Cue = { k: 'group' };
const list: Cue = { k: 'list' };
const distinct: Cue = { k: 'distinct' };
const not: Cue = { k: 'not' };
const person: Cue = { k: 'person' };

/**
 * Cue phrases, matched on lower-case words, longest first at each position. Multi-word
 * schema names are matched before these (so "first name" stays a column), single-word
 * schema names after (so "total" is an aggregate even if some table has a total column).
 */
export const CUE_PHRASES: [string[], Cue][] = phrases([
  ['how many', count],
  ['number of', count],
  ['count of', count],
  ['count', count],
  ['counts', count],
  ['tally of', count],
  ['how much', sum],
  ['add up', sum],
  ['total', sum],
  ['totals', sum],
  ['sum of', sum],
  ['sum', sum],
  ['combined', sum],
  ['average', avg],
  ['averages', avg],
  ['avg', avg],
  ['mean', avg],
  ['on average', avg],
  ['minimum', { k: 'agg', fn: 'min' }],
  ['min', { k: 'agg', fn: 'min' }],
  ['maximum', { k: 'agg', fn: 'max' }],
  ['max', { k: 'agg', fn: 'max' }],
  ['most common', { k: 'popular' }],
  ['most popular', { k: 'popular' }],
  ['most frequent', { k: 'popular' }],
  ['most recent', latest],
  ['most expensive', desc],
  ['most', { k: 'super', dir: 'desc', temporal: false, countish: true }],
  ['highest', desc],
  ['largest', desc],
  ['biggest', desc],
  ['greatest', desc],
  ['longest', desc],
  ['heaviest', desc],
  ['best', desc],
  ['least common', { k: 'super', dir: 'asc', temporal: false, countish: true }],
  ['least', { k: 'super', dir: 'asc', temporal: false, countish: true }],
  ['fewest', { k: 'super', dir: 'asc', temporal: false, countish: true }],
  ['lowest', asc],
  ['smallest', asc],
  ['shortest', asc],
  ['cheapest', asc],
  ['lightest', asc],
  ['worst', asc],
  ['earliest', earliest],
  ['first', earliest],
  ['oldest', earliest],
  ['latest', latest],
  ['last', latest],
  ['newest', latest],
  ['top', { k: 'top', dir: 'desc' }],
  ['bottom', { k: 'top', dir: 'asc' }],
  ['grouped by', group],
  ['break down', { k: 'of' }],
  ['broken down by', group],
  ['breakdown by', group],
  ['split by', group],
  ['for each', group],
  ['for every', group],
  ['in each', group],
  ['by each', group],
  ['by', group],
  ['per', group],
  ['each', group],
  ['every', group],
  ['across', group],
  ['yearly', { k: 'grain', unit: 'year' }],
  ['annually', { k: 'grain', unit: 'year' }],
  ['annual', { k: 'grain', unit: 'year' }],
  ['quarterly', { k: 'grain', unit: 'quarter' }],
  ['monthly', { k: 'grain', unit: 'month' }],
  ['weekly', { k: 'grain', unit: 'week' }],
  ['daily', { k: 'grain', unit: 'day' }],
  ['more than', gt],
  ['greater than', gt],
  ['larger than', gt],
  ['bigger than', gt],
  ['higher than', gt],
  ['longer than', gt],
  ['in excess of', gt],
  ['over', gt],
  ['above', gt],
  ['exceeding', gt],
  ['exceeds', gt],
  ['exceed', gt],
  ['at least', ge],
  ['no less than', ge],
  ['no fewer than', ge],
  ['not less than', ge],
  ['or more', { k: 'cmp-post', op: '>=' }],
  ['or above', { k: 'cmp-post', op: '>=' }],
  ['or over', { k: 'cmp-post', op: '>=' }],
  ['or less', { k: 'cmp-post', op: '<=' }],
  ['or fewer', { k: 'cmp-post', op: '<=' }],
  ['or below', { k: 'cmp-post', op: '<=' }],
  ['or under', { k: 'cmp-post', op: '<=' }],
  ['less than', lt],
  ['fewer than', lt],
  ['smaller than', lt],
  ['lower than', lt],
  ['shorter than', lt],
  ['cheaper than', lt],
  ['under', lt],
  ['below', lt],
  ['at most', le],
  ['no more than', le],
  ['not more than', le],
  ['up to', le],
  ['exactly', eq],
  ['equal to', eq],
  ['equals', eq],
  ['between', { k: 'between' }],
  ['in', { k: 'time-prep', prep: 'in' }],
  ['during', { k: 'time-prep', prep: 'in' }],
  ['within', { k: 'time-prep', prep: 'in' }],
  ['for', { k: 'time-prep', prep: 'in' }],
  ['after', { k: 'time-prep', prep: 'after' }],
  ['later than', { k: 'time-prep', prep: 'after' }],
  ['before', { k: 'time-prep', prep: 'before' }],
  ['earlier than', { k: 'time-prep', prep: 'before' }],
  ['prior to', { k: 'time-prep', prep: 'before' }],
  ['since', { k: 'time-prep', prep: 'since' }],
  ['until', { k: 'time-prep', prep: 'until' }],
  ['till', { k: 'time-prep', prep: 'until' }],
  ['through', { k: 'time-prep', prep: 'until' }],
  ['on', { k: 'time-prep', prep: 'on' }],
  ['this year', { k: 'relative-time', unit: 'year', offset: 0 }],
  ['last year', { k: 'relative-time', unit: 'year', offset: -1 }],
  ['previous year', { k: 'relative-time', unit: 'year', offset: -1 }],
  ['this month', { k: 'relative-time', unit: 'month', offset: 0 }],
  ['last month', { k: 'relative-time', unit: 'month', offset: -1 }],
  ['previous month', { k: 'relative-time', unit: 'month', offset: -1 }],
  ['give me', list],
  ['give us', list],
  ['show me', list],
  ['tell me', list],
  ['list', list],
  ['show', list],
  ['display', list],
  ['find', list],
  ['get', list],
  ['fetch', list],
  ['retrieve', list],
  ['return', list],
  ['enumerate', list],
  ['what are', list],
  ['which are', list],
  ['which', { k: 'which' }],
  ['what', { k: 'which' }],
  ['who', { k: 'who' }],
  ['whom', { k: 'who' }],
  ['when', { k: 'when' }],
  ['what date', { k: 'when' }],
  ['what time', { k: 'when' }],
  ['distinct', distinct],
  ['different', distinct],
  ['unique', distinct],
  ['exist', distinct],
  ['exists', distinct],
  ['possible', distinct],
  ['available', distinct],
  ['existing', distinct],
  ['kinds of', distinct],
  ['has', { k: 'has' }],
  ['have', { k: 'has' }],
  ['had', { k: 'has' }],
  ['having', { k: 'has' }],
  ['with', { k: 'has' }],
  ['not', not],
  ['no', not],
  ['never', not],
  ['non', not],
  ['without', not],
  ['excluding', not],
  ['except', not],
  ['other than', not],
  ['and', { k: 'and' }],
  ['or', { k: 'or' }],
  ['of', { k: 'of' }],
  ['from', { k: 'from' }],
  ['date', { k: 'temporal-hint' }],
  ['dates', { k: 'temporal-hint' }],
  ['day', { k: 'temporal-hint' }],
  ['time', { k: 'temporal-hint' }],
  ['percentage', { k: 'unsupported', what: 'percentages' }],
  ['percent', { k: 'unsupported', what: 'percentages' }],
  ['proportion', { k: 'unsupported', what: 'proportions' }],
  ['ratio', { k: 'unsupported', what: 'ratios' }],
  ['fraction', { k: 'unsupported', what: 'fractions' }],
  ['median', { k: 'unsupported', what: 'medians' }],
  ['standard deviation', { k: 'unsupported', what: 'standard deviations' }],
  ['variance', { k: 'unsupported', what: 'variances' }],
  ['growth', { k: 'unsupported', what: 'growth rates' }],
  ['difference', { k: 'unsupported', what: 'differences between figures' }],
  ['correlation', { k: 'unsupported', what: 'correlations' }],
  ['people', person],
  ['person', person],
  ['persons', person],
  ['users', person],
  ['user', person],
  ['customers', person],
  ['customer', person],
  ['clients', person],
  ['client', person],
  ['individuals', person],
  ['everyone', person],
  ['everybody', person],
  ['anyone', person],
  ['somebody', person],
  ['someone', person],
]);

/** Grain nouns: "per year", "by month". Only a grain after a group cue or as "each year". */
export const GRAIN_WORDS: Record<string, Grain> = {
  year: 'year',
  years: 'year',
  quarter: 'quarter',
  quarters: 'quarter',
  month: 'month',
  months: 'month',
  week: 'week',
  weeks: 'week',
  day: 'day',
  days: 'day',
};

// prettier-ignore
export const MONTHS: Record<string, number> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6,
  july: 7, jul: 7, august: 8, aug: 8, september: 9, sep: 9, sept: 9, october: 10, oct: 10,
  november: 11, nov: 11, december: 12, dec: 12,
};

/** Spelled-out counts for "the three largest". */
// prettier-ignore
export const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, fifty: 50, hundred: 100, dozen: 12,
};

/**
 * Generic verbs and nouns that carry no filter or measure ("how many X do we have",
 * "orders made in 2023", "rows in the table"): ignored when they match nothing in
 * the schema, and not counted as unknown words.
 */
// prettier-ignore
export const SOFT_WORDS = new Set(
  [
    'have', 'make', 'made', 'happen', 'happened', 'occur', 'occurred', 'take', 'took', 'place', 'record', 'recorded',
    'row', 'rows', 'records', 'entry', 'entries', 'thing', 'things', 'data', 'database', 'table', 'tables',
    'warehouse', 'dataset', 'value', 'values', 'one', 'ones', 'tell', 'know', 'want', 'need', 'see', 'like', 'would',
    'altogether', 'overall', 'far', 'date', 'ago', 'currently', 'exist', 'total', 'get', 'got', 'there', 'what',
    'result', 'results', 'information', 'info', 'detail', 'details', 'figure', 'figures', 'stat', 'stats',
    'statistics', 'show', 'give', 'together', 'in', 'come', 'came', 'amount', 'number', 'level', 'registered',
    'stored', 'kept', 'logged', 'store', 'system', 'database', 'listed', 'exists', 'existing', 'currently',
    'whole', 'entire', 'every', 'each', 'including', 'include', 'includes', 'everything', 'anything', 'something',
    'ok', 'okay', 'thanks', 'thank', 'hi', 'hello', 'hey', 'quick', 'question', 'also', 'again', 'more', 'less',
    'recent', 'new', 'old', 'go', 'went', 'gone', 'did', 'happen', 'separate', 'separately', 'breakdown', 'split',
    'group', 'grouped', 'sorted', 'sort', 'order', 'ordered', 'rank', 'ranked', 'calculate', 'compute',
    'determine', 'report', 'summary', 'summarise', 'summarize', 'overview', 'average', 'time', 'times',
    'processed', 'submitted', 'placed', 'issued', 'received', 'entered', 'captured', 'tracked', 'created',
    'break', 'down', 'live', 'lives', 'living', 'based', 'located', 'belong', 'belongs', 'come', 'comes',
  ].map((word) => word),
);

/**
 * Verbs that, as a command, ask to change data. Checked in base form at the start of a
 * request (after "please", "can you" ...), so "how many were dropped?" and a `deleted`
 * status value stay readable questions.
 */
// prettier-ignore
export const WRITE_VERBS = new Set([
  'delete', 'drop', 'remove', 'update', 'insert', 'truncate', 'alter', 'create', 'rename', 'add', 'mark', 'set',
  'change', 'modify', 'edit', 'give', 'grant', 'revoke', 'replace', 'merge', 'upsert', 'write', 'save', 'store',
  'purge', 'erase', 'wipe', 'clear', 'reset', 'assign', 'move', 'cancel', 'refund', 'approve', 'reject', 'archive',
  'restore', 'deactivate', 'activate', 'disable', 'enable', 'ban', 'block', 'unblock', 'send', 'notify',
  'increase', 'decrease', 'raise', 'lower', 'double', 'halve', 'import', 'load', 'upload', 'copy', 'overwrite',
  'fix', 'correct', 'register', 'enrol', 'enroll', 'subscribe', 'unsubscribe', 'put', 'post', 'transfer',
  'pay', 'charge', 'credit', 'debit', 'promote', 'demote', 'suspend', 'close', 'open', 'reopen', 'lock', 'unlock',
  'flag', 'unflag', 'tag', 'label', 'convert', 'migrate', 'backfill', 'populate', 'fill', 'empty', 'destroy',
  'kill', 'exec', 'execute', 'run', 'commit', 'rollback', 'vacuum', 'attach', 'detach', 'install', 'export',
  'generate', 'book', 'schedule', 'reschedule', 'invite', 'email', 'text', 'call', 'message', 'discount',
  'deduct', 'award', 'allocate', 'swap', 'switch', 'turn', 'make', 'expire', 'renew', 'extend', 'shorten',
  'reduce', 'hide', 'unhide', 'publish', 'unpublish', 'duplicate', 'clone', 'split', 'combine', 'shift',
]);

/** Words that follow a verb's object, not a noun's modifier: "delete them", "create a", "email all". */
// prettier-ignore
export const OBJECT_STARTS = new Set(['the', 'a', 'an', 'all', 'every', 'each', 'any', 'some', 'them', 'it', 'this', 'that', 'these', 'those', 'everything', 'everyone', 'my', 'our', 'their', 'me', 'us']);

/** Write verbs that are just as often nouns naming data: "email addresses", "create time", "text length". */
// prettier-ignore
export const NOUN_LIKE_VERBS = new Set(['email', 'text', 'call', 'message', 'book', 'label', 'tag', 'flag', 'post', 'charge', 'credit', 'debit', 'create', 'update', 'record', 'order', 'transfer', 'copy', 'import', 'export', 'load', 'close', 'open', 'switch', 'shift', 'turn', 'discount', 'award', 'schedule', 'lock', 'fill']);

/** Words that may open a request before its verb: "please", "can you", "I want to". */
// prettier-ignore
export const POLITE_OPENERS = new Set([
  'please', 'kindly', 'can', 'could', 'would', 'will', 'you', 'i', 'we', 'want', 'need', 'to', 'like', "let's",
  'lets', 'let', 'us', 'go', 'ahead', 'and', 'now', 'just', 'then', 'also', 'quickly', 'hey', 'hi', 'ok', 'okay',
  'so', 'also', 'try', 'help', 'me', 'd', 'should', 'must', 'shall',
]);

/** After these, a write verb reads as a request for data instead ("give me", "add up", "make a list"). */
export const READ_AFTER_VERB: Record<string, Set<string>> = {
  give: new Set(['me', 'us', 'a', 'the', 'an']),
  add: new Set(['up']),
  make: new Set(['a', 'an', 'up']),
  run: new Set(['a', 'an']),
  generate: new Set(['a', 'an']),
  export: new Set([]),
  split: new Set(['by', 'into', 'per']),
  book: new Set([]),
  text: new Set([]),
  call: new Set([]),
  message: new Set([]),
};

/** Statements a read-only engine must never be asked to produce, written as SQL. */
export const SQL_WRITE_PATTERN =
  /\b(delete\s+from|insert\s+into|update\s+[a-z_"][\w"]*\s+set\b|drop\s+(table|database|schema|view|index|column|macro|sequence)|truncate\s+table|alter\s+(table|database|schema|view)|create\s+(or\s+replace\s+)?(table|database|schema|view|index|macro|sequence)|grant\s+\w+\s+on|revoke\s+\w+\s+on|attach\s+database|copy\s+\w+\s+(to|from)\b)/i;

/**
 * Groups of words that name the same idea in a column or table name. General English
 * only: a question word reaches a name through these when it matches nothing exactly.
 */
// prettier-ignore
export const SYNONYM_GROUPS: string[][] = [
  ['type', 'kind', 'category', 'class', 'variety', 'tier', 'plan', 'genre', 'segment'],
  ['country', 'nation', 'nationality'],
  ['status', 'state', 'stage', 'condition'],
  ['amount', 'price', 'cost', 'fee', 'charge', 'value', 'revenue', 'sales', 'income', 'spend', 'spending', 'money'],
  ['capacity', 'size', 'seats'],
  ['name', 'title', 'label'],
  ['start', 'begin', 'commence'],
  ['end', 'finish', 'close'],
  ['join', 'signup', 'register', 'enrol', 'subscribe'],
  ['create', 'add', 'insert'],
  ['buy', 'purchase', 'order'],
  ['city', 'town'],
  ['email', 'mail'],
  ['phone', 'telephone', 'mobile'],
  ['birth', 'dob', 'birthday'],
  ['gender', 'sex'],
  ['quantity', 'qty', 'units'],
  ['address', 'location'],
  ['company', 'organisation', 'organization', 'firm', 'employer', 'business'],
  ['employee', 'staff', 'worker'],
  ['product', 'item', 'article'],
  ['author', 'writer'],
  ['score', 'rating', 'grade'],
  ['duration', 'length'],
  ['region', 'area', 'zone'],
  ['salary', 'wage', 'pay'],
  ['attend', 'visit', 'participate'],
  ['sale', 'sell'],
  ['ship', 'shipment', 'deliver', 'delivery', 'dispatch'],
  ['customer', 'client', 'buyer', 'shopper'],
];

const synonymIndex: Map<string, number[]> = (() => {
  const index = new Map<string, number[]>();
  SYNONYM_GROUPS.forEach((words, group) => {
    for (const word of words) {
      const key = stem(word);
      const groups = index.get(key) ?? [];
      if (!groups.includes(group)) groups.push(group);
      index.set(key, groups);
    }
  });
  return index;
})();

/** Stems that share a synonym group with `stemmed`, itself excluded. */
export function synonymsOf(stemmed: string): string[] {
  const groups = synonymIndex.get(stemmed);
  if (!groups) return [];
  const out = new Set<string>();
  for (const group of groups) for (const word of SYNONYM_GROUPS[group] ?? []) out.add(stem(word));
  out.delete(stemmed);
  return [...out];
}

/** Leading words of boolean column names that the question leaves out ("is_remote" ↔ "remote"). */
export const BOOLEAN_PREFIXES = new Set(['is', 'has', 'was', 'can', 'did', 'should', 'does', 'will', 'are', 'had']);

/** Column-name words suggesting money, preferred when choosing a table's main measure. */
// prettier-ignore
export const MONEY_WORDS = new Set(
  ['amount', 'total', 'price', 'value', 'fee', 'cost', 'revenue', 'sales', 'salary', 'balance', 'spend', 'charge', 'income', 'profit', 'paid', 'subtotal', 'wage', 'budget'].map(stem),
);

/**
 * Question words for money in general ("spent", "revenue"): they mean each table's main
 * money column, whatever it is called, rather than a column that happens to share a synonym.
 */
// prettier-ignore
export const MONEY_QUESTION_WORDS = new Set(
  ['spend', 'spent', 'spending', 'revenue', 'revenues', 'sales', 'income', 'earnings', 'earned', 'earn', 'money', 'turnover'].map(stem),
);

/** Column-name words suggesting the column holds a human-readable label of its row. */
export const LABEL_WORDS = new Set(['name', 'title', 'label', 'username', 'headline', 'subject', 'caption'].map(stem));

// ---- The planner's ledger (plan-ledger.ts) ----

export type LedgerFeature =
  'count' | 'aggregate' | 'sum' | 'avg' | 'min' | 'max' | 'rank' | 'compare' | 'time' | 'distinct' | 'negation' | 'person' | 'money';

/** Words that name an operation; each is explained only by a plan that performs it. */
// prettier-ignore
export const OPERATION_WORDS: Record<LedgerFeature, string[]> = {
  count: ['how', 'many', 'number', 'count', 'counts', 'tally'],
  // Each aggregate word is explained only by its own function: "minimum and maximum" needs both.
  aggregate: ['how', 'much', 'number'],
  sum: ['total', 'totals', 'sum', 'combined', 'add'],
  avg: ['average', 'averages', 'avg', 'mean'],
  min: ['minimum', 'min'],
  max: ['maximum', 'max'],
  rank: [
    'most', 'least', 'fewest', 'highest', 'lowest', 'largest', 'smallest', 'biggest', 'greatest', 'longest', 'shortest',
    'best', 'worst', 'top', 'bottom', 'earliest', 'latest', 'first', 'last', 'oldest', 'newest', 'recent', 'cheapest',
    'expensive', 'popular', 'common', 'frequent', 'heaviest', 'lightest',
  ],
  compare: [
    'more', 'less', 'fewer', 'than', 'over', 'under', 'above', 'below', 'greater', 'larger', 'bigger', 'higher', 'lower',
    'smaller', 'longer', 'shorter', 'cheaper', 'exceeding', 'exceeds', 'exceed', 'excess', 'exactly', 'equal', 'equals',
    'between', 'least', 'most',
  ],
  time: [
    'year', 'years', 'month', 'months', 'date', 'dates', 'day', 'days', 'week', 'weeks', 'quarter', 'quarters', 'when',
    'before', 'after', 'since', 'until', 'till', 'during', 'ago', 'last', 'previous', 'yearly', 'monthly', 'daily',
    'weekly', 'quarterly', 'annual', 'annually', 'earlier', 'later', 'prior', 'time', 'through', 'between',
  ],
  distinct: ['distinct', 'different', 'unique', 'exist', 'exists', 'possible', 'available', 'kinds', 'existing'],
  negation: ['not', 'no', 'never', 'without', 'except', 'excluding', 'non', 'other'],
  person: ['people', 'person', 'persons', 'user', 'users', 'customer', 'customers', 'client', 'clients', 'who', 'whom', 'everyone', 'everybody', 'anyone', 'individuals', 'someone', 'somebody'],
  money: ['paid', 'pay', 'pays', 'spent', 'spend', 'cost', 'costs', 'charged', 'earned', 'sold', 'sell'],
};

/** Operation words that are never filler: a plan that does not perform them dropped part of the question. */
export const MUST_EXPLAIN = new Set(
  Object.values(OPERATION_WORDS)
    .flat()
    .filter((w) => !['how', 'many', 'much', 'when', 'time', 'who', 'whom', 'other', 'people', 'person', 'number', 'than'].includes(w)),
);

/** Date-column words for when a row's event happened, and for when its record was touched (a weaker guess). */
export const EVENT_TIME_WORDS = new Set(['created', 'date', 'time', 'occurred', 'happened'].map(stem));
export const BOOKKEEPING_TIME_WORDS = new Set(['updated', 'modified', 'deleted', 'birth'].map(stem));
