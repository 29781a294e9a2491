/** Buckets a caller may use: every bucket, or a list of ids. */
export type BucketGrant = '*' | readonly string[];

/**
 * Who is calling, after authentication. Only ids, never the credential: a principal is
 * safe to log and to store as a job's owner.
 */
export type Principal =
  { kind: 'user'; id: string; buckets: BucketGrant; admin: false } | { kind: 'api_key'; id: string; buckets: BucketGrant; admin: boolean };

/** Admins may use every bucket; everyone else only the buckets granted to them. */
export function canAccessBucket(principal: Principal, bucket: string): boolean {
  return principal.admin || principal.buckets === '*' || principal.buckets.includes(bucket);
}

/** A stable id for rate limits and logs: `user:alice`, `key:ci`. */
export function principalKey(principal: Principal): string {
  return `${principal.kind === 'user' ? 'user' : 'key'}:${principal.id}`;
}
