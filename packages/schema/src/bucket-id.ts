/**
 * Bucket ids name files on disk, so the pattern is the first line of defence against
 * path traversal: no dots, no slashes, no percent signs can ever reach the catalog.
 */
export const BUCKET_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The pattern without its anchors, for rules that embed a bucket id in a longer text (`bucket=value` lists). */
export const BUCKET_ID_PART = BUCKET_ID_PATTERN.source.slice(1, -1);

export function isValidBucketId(value: string): boolean {
  return BUCKET_ID_PATTERN.test(value);
}
