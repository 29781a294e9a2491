/**
 * English every engine reads questions and schema names with. Engine-specific
 * vocabularies live with their engine (the built-in one in builtin/lexicon).
 */

/**
 * Words with no meaning of their own for a query: never matched to a schema name or a
 * value (an `a` grade must not match the article) and never counted as unknown.
 */
// prettier-ignore
export const FUNCTION_WORDS = new Set([
  'a', 'an', 'the', 'to', 'at', 'as', 'into', 'onto', 'about', 'than', 'then', 'is', 'are', 'was', 'were', 'be',
  'been', 'being', 'am', 'do', 'does', 'did', 'done', 'doing', 'we', 'our', 'ours', 'us', 'i', 'me', 'my', 'you',
  'your', 'they', 'their', 'them', 'it', 'its', 'this', 'that', 'these', 'those', 'there', 'here', 'how', 'whose',
  'please', 'can', 'could', 'would', 'will', 'shall', 'should', 'may', 'might', 'must', 'just', 'all', 'any',
  'some', 'so', 'far', 'yet', 'also', 'too', 'very', 'much', 'many', 'if', 'whether', 'up', 'out', 'off', 'he',
  'she', 'him', 'her', 'his', 'hers', 'where', 'why', 'ever', 'now', 'currently', 'still', 'only', 'even',
  'both', 'either', 'neither', 'such', 'own', 'same', 'other', 'another', 'via', 'per', 'vs', 'versus', 'let',
  'lets', 'kindly',
]);

/** Column-name words that carry no meaning for matching (`created_at`, `is_remote`, `book_id`). */
// prettier-ignore
export const GENERIC_NAME_PARTS = new Set(['id', 'at', 'on', 'in', 'is', 'has', 'was', 'of', 'the', 'by', 'to', 'ts', 'dt', 'no', 'nr', 'num', 'fk', 'pk']);
