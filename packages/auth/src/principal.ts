/** Buckets a caller may use: every bucket, or a list of ids. */
export type BucketGrant = '*' | readonly string[];

/**
 * Who is calling, after authentication. Only ids, never the credential: a principal is
 * safe to log and to store as a job's owner.
 */
export type Principal = (
  { kind: 'user'; id: string; buckets: BucketGrant; admin: false } | { kind: 'api_key'; id: string; buckets: BucketGrant; admin: boolean }
) & {
  /** May change the knowledge (glossary, examples, feedback) of the buckets it may use. */
  tenantAdmin?: boolean;
};

/** Admins may use every bucket; everyone else only the buckets granted to them. */
export function canAccessBucket(principal: Principal, bucket: string): boolean {
  return principal.admin || principal.buckets === '*' || principal.buckets.includes(bucket);
}

/** Admins manage every bucket's knowledge; tenant admins that of the buckets granted to them. */
export function canManageKnowledge(principal: Principal, bucket: string): boolean {
  return principal.admin || (principal.tenantAdmin === true && canAccessBucket(principal, bucket));
}

/** A stable id for rate limits and logs: `user:alice`, `key:ci`. */
export function principalKey(principal: Pick<Principal, 'kind' | 'id'>): string {
  return `${principal.kind === 'user' ? 'user' : 'key'}:${principal.id}`;
}
