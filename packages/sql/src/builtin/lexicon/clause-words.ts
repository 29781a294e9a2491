/**
 * The clause reader's English: general words only, never a name from any warehouse.
 * Words are lower case as typed (the clause rules match typed words, not stems); the
 * lexicon test checks every list is in that one normal form.
 */
import type { CompareOp } from '.';

/** Function words: a name never starts or ends on one ("the type" is "type"). */
// prettier-ignore
export const NAME_STOP_WORDS = new Set([
  'a', 'an', 'the', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am', 'do', 'does', 'did', 'to', 'at',
  'as', 'of', 'for', 'in', 'on', 'by', 'with', 'from', 'and', 'or', 'that', 'which', 'what', 'who', 'whom',
  'whose', 'this', 'these', 'those', 'there', 'here', 'it', 'its', 'they', 'them', 'their', 'theirs', 'he',
  'she', 'his', 'her', 'hers', 'him', 'we', 'us', 'our', 'you', 'your', 'i', 'me', 'my', 'all', 'any', 'each',
  'every', 'please', 'can', 'could', 'would', 'will', 'should', 'shall', 'may', 'might', 'must', 'have', 'has',
  'had', 'having', 'also', 'both', 'so', 'just', 'about', 'some', 'how', 'when', 'where', 'why', 'than', 'then',
  'into', 'onto', 'within', 'if', 'not', 'no',
]);

/** Words the ledger may leave unused: they ask to see, or name rows in general. */
// prettier-ignore
export const LEDGER_SOFT_WORDS = new Set([
  ...NAME_STOP_WORDS,
  'show', 'list', 'give', 'find', 'return', 'tell', 'display', 'get', 'fetch', 'retrieve', 'provide', 'report',
  'well', 'everything', 'whole', 'entire', 'record', 'records', 'row', 'rows', 'entry', 'entries', 'data',
  'information', 'info', 'respectively', 'respective', 'corresponding', 'correspond', 'currently', 'exist',
  'exists', 'existing', 'available', 'known', 'listed', 'stored', 'registered', 'kept', 'recorded', 'database',
  'table', 'tables', 'such', 'same', 'own', 'altogether', 'together', 'overall', 'out', 'up', 'many', 'much',
  'named', 'called', 'titled', 'labeled', 'labelled', 'details', 'detail', 'them', 'various', 'including',
  'include', 'includes', 'along', 'alongside', 'plus', 'instances', 'items', 'things', 'across', 'among',
  'amongst', 'either', 'world', 'considered', 'regarded', 'classified', 'became', 'become', 'becomes',
]);

/**
 * Words that steer the query (count, aggregate, order, compare): never read as a one-word
 * schema name, so a column called `total` or `order` cannot swallow the instruction.
 */
// prettier-ignore
export const STRUCTURAL_WORDS = new Set([
  'how', 'many', 'much', 'number', 'count', 'total', 'sum', 'average', 'avg', 'mean', 'minimum', 'min', 'maximum',
  'max', 'most', 'least', 'fewest', 'highest', 'lowest', 'largest', 'smallest', 'biggest', 'greatest', 'top',
  'order', 'ordered', 'sorted', 'sort', 'ascending', 'descending', 'alphabetical', 'alphabetically', 'reverse',
  'reversed', 'different', 'distinct', 'unique', 'each', 'every', 'per', 'more', 'less', 'fewer', 'greater',
  'larger', 'smaller', 'higher', 'lower', 'over', 'under', 'above', 'below', 'between', 'not', 'no', 'than',
  'least', 'oldest', 'youngest', 'older', 'younger', 'first', 'last',
]);

/** Table-name words that only say "this is a table": `cars_data` is about cars. */
export const TABLE_FILLER_PARTS = new Set(['data', 'info', 'information', 'list', 'detail', 'table', 'record', 'tbl', 'master', 'main']);

/** Comparison phrases, longest first where one begins another. */
export const COMPARISONS: [string, CompareOp][] = [
  ['greater than or equal to', '>='],
  ['more than or equal to', '>='],
  ['larger than or equal to', '>='],
  ['less than or equal to', '<='],
  ['smaller than or equal to', '<='],
  ['at least', '>='],
  ['no less than', '>='],
  ['not less than', '>='],
  ['no fewer than', '>='],
  ['no smaller than', '>='],
  ['at most', '<='],
  ['no more than', '<='],
  ['not more than', '<='],
  ['no greater than', '<='],
  ['no larger than', '<='],
  ['more than', '>'],
  ['greater than', '>'],
  ['larger than', '>'],
  ['bigger than', '>'],
  ['higher than', '>'],
  ['in excess of', '>'],
  ['exceeding', '>'],
  ['exceeds', '>'],
  ['exceed', '>'],
  ['over', '>'],
  ['above', '>'],
  ['beyond', '>'],
  ['less than', '<'],
  ['fewer than', '<'],
  ['smaller than', '<'],
  ['lower than', '<'],
  ['under', '<'],
  ['below', '<'],
  ['equal to', '='],
  ['equals', '='],
  ['exactly', '='],
];

/** "100 or more": the comparison written after its number. */
export const POST_COMPARISONS: [string, CompareOp][] = [
  ['or more', '>='],
  ['or greater', '>='],
  ['or higher', '>='],
  ['or above', '>='],
  ['or over', '>='],
  ['or less', '<='],
  ['or fewer', '<='],
  ['or lower', '<='],
  ['or below', '<='],
  ['or under', '<='],
];

/** Time comparisons on years: "after 1950", "before 1980". */
export const YEAR_COMPARISONS: [string, CompareOp][] = [
  ['later than', '>'],
  ['earlier than', '<'],
  ['prior to', '<'],
  ['after', '>'],
  ['since', '>='],
  ['before', '<'],
  ['until', '<='],
];

/**
 * Adjectives that mean "more of some measure": the measure is found among the table's
 * columns by the words listed ("older" → an `age` column, or else a birth date, reversed).
 */
export interface Dimension {
  columnWords: string[];
  /** +1 when more of the adjective means a larger value. */
  sign: 1 | -1;
  /** A date column that measures it the other way round: the oldest person has the earliest birth date. */
  reversedDateWords?: string[];
}

const age = (sign: 1 | -1): Dimension => ({ columnWords: ['age'], sign, reversedDateWords: ['birth', 'born', 'dob'] });
const weight = (sign: 1 | -1): Dimension => ({ columnWords: ['weight', 'mass'], sign });
const height = (sign: 1 | -1): Dimension => ({ columnWords: ['height'], sign });
const length = (sign: 1 | -1): Dimension => ({ columnWords: ['length', 'duration', 'distance'], sign });
const price = (sign: 1 | -1): Dimension => ({ columnWords: ['price', 'cost', 'fee'], sign });
const size = (sign: 1 | -1): Dimension => ({ columnWords: ['area', 'size', 'capacity'], sign });
const population = (sign: 1 | -1): Dimension => ({ columnWords: ['population'], sign });
const speed = (sign: 1 | -1): Dimension => ({ columnWords: ['speed'], sign });

/** Superlatives of a dimension: "the youngest", "the most populated". */
export const DIMENSION_SUPERLATIVES: [string, Dimension][] = [
  ['oldest', age(1)],
  ['eldest', age(1)],
  ['youngest', age(-1)],
  ['heaviest', weight(1)],
  ['lightest', weight(-1)],
  ['tallest', height(1)],
  ['highest', height(1)],
  ['shortest', length(-1)],
  ['longest', length(1)],
  ['most expensive', price(1)],
  ['least expensive', price(-1)],
  ['cheapest', price(-1)],
  ['largest', size(1)],
  ['biggest', size(1)],
  ['smallest', size(-1)],
  ['most populated', population(1)],
  ['most populous', population(1)],
  ['least populated', population(-1)],
  ['least populous', population(-1)],
  ['fastest', speed(1)],
  ['slowest', speed(-1)],
];

/** Comparatives of a dimension: "older than 30". */
export const DIMENSION_COMPARATIVES: [string, Dimension][] = [
  ['older', age(1)],
  ['younger', age(-1)],
  ['heavier', weight(1)],
  ['lighter', weight(-1)],
  ['taller', height(1)],
  ['shorter', length(-1)],
  ['longer', length(1)],
  ['more expensive', price(1)],
  ['cheaper', price(-1)],
  ['larger', size(1)],
  ['bigger', size(1)],
  ['smaller', size(-1)],
  ['faster', speed(1)],
  ['slower', speed(-1)],
];

/** Nouns that stand for a measure after "most"/"fewest": "the fewest people" is the smallest population. */
export const MEASURE_NOUNS: [string, Dimension][] = [
  ['people', population(1)],
  ['inhabitants', population(1)],
  ['residents', population(1)],
];

/** Superlatives that need a column after them: "with the largest accelerate". */
export const SUPERLATIVES: [string, 'ASC' | 'DESC'][] = [
  ['highest', 'DESC'],
  ['largest', 'DESC'],
  ['greatest', 'DESC'],
  ['biggest', 'DESC'],
  ['maximum', 'DESC'],
  ['max', 'DESC'],
  ['most', 'DESC'],
  ['top', 'DESC'],
  ['best', 'DESC'],
  ['lowest', 'ASC'],
  ['smallest', 'ASC'],
  ['least', 'ASC'],
  ['fewest', 'ASC'],
  ['minimum', 'ASC'],
  ['min', 'ASC'],
  ['worst', 'ASC'],
];

export type AggWord = 'avg' | 'min' | 'max' | 'sum';

export const AGGREGATES: [string, AggWord][] = [
  ['average', 'avg'],
  ['avg', 'avg'],
  ['mean', 'avg'],
  ['minimum', 'min'],
  ['min', 'min'],
  ['smallest', 'min'],
  ['lowest', 'min'],
  ['least', 'min'],
  ['maximum', 'max'],
  ['max', 'max'],
  ['largest', 'max'],
  ['biggest', 'max'],
  ['highest', 'max'],
  ['greatest', 'max'],
  ['total', 'sum'],
  ['sum', 'sum'],
  ['combined', 'sum'],
];

// prettier-ignore
export const ASCENDING_WORDS = ['ascending', 'increasing', 'alphabetical', 'alphabetic', 'lexicographical', 'lexicographic', 'alphabetically'];
export const DESCENDING_WORDS = ['descending', 'decreasing'];
/** Said before an ascending word, they turn it round: "reverse alphabetical order". */
export const REVERSING_WORDS = ['reverse', 'reversed', 'inverse'];

/** Words that make the next value or comparison a negation. */
export const NEGATIONS = ['not', 'other than', 'except', 'excluding', 'except for', 'different from', 'apart from', 'besides', 'no'];

/** Verbs that only say a row exists or took part ("cars produced in 1980"): placed, never a filter of their own. */
// prettier-ignore
export const EVENT_VERBS = new Set([
  'produced', 'made', 'released', 'created', 'built', 'manufactured', 'founded', 'established', 'published',
  'issued', 'launched', 'opened', 'started', 'born', 'located', 'based', 'situated', 'happened', 'occurred',
  'held', 'took', 'place', 'live', 'lives', 'living', 'come', 'comes', 'came', 'belong', 'belongs', 'used',
  'spoken', 'offered', 'offer', 'offers', 'appear', 'appears', 'shown', 'shows', 'recorded', 'played', 'covered',
  'provided', 'provide', 'provides', 'associated', 'affected', 'involved',
  'cover', 'covers', 'include', 'contained', 'use', 'uses', 'speak', 'speaks',
]);

/** The letter codes a sex or gender column holds for the words a question uses. */
export const SEX_CODES: Record<string, string[]> = {
  male: ['m', 'male'],
  males: ['m', 'male'],
  men: ['m', 'male'],
  female: ['f', 'female'],
  females: ['f', 'female'],
  women: ['f', 'female'],
};

/** Column-name stems of such a column. */
export const SEX_COLUMN_WORDS = new Set(['sex', 'gender']);

/** Words that may stand between a thing and "the most …" without changing what is ranked. */
// prettier-ignore
export const SOFT_LINKS = [
  'that', 'which', 'who', 'is', 'are', 'was', 'were', 'has', 'have', 'had', 'does', 'do', 'did', 'in', 'by', 'of', 'with',
  'among', 'across', 'for', 'spoken', 'used', 'listed', 'found', 'present', 'appears', 'appear', 'contains', 'contain',
  'hosted', 'held', 'owned', 'shared', 'got', 'gets', 'get', 'received', 'receive', 'there',
];
