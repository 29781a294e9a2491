import type { Principal } from '@flock/auth';
import type { JobOwner } from '@flock/jobs';

/** Who a job belongs to: the caller's kind and id, never its credential. */
export function ownerOf(principal: Principal): JobOwner {
  return { type: principal.kind, id: principal.id };
}
