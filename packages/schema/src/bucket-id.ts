/**
 * Bucket ids name files on disk, so the pattern is the first line of defence against
 * path traversal: no dots, no slashes, no percent signs can ever reach the catalog.
 */
export const BUCKET_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function isValidBucketId(value: string): boolean {
  return BUCKET_ID_PATTERN.test(value);
}
