import { randomUUID } from 'node:crypto';

/**
 * Every id and Redis key Flock builds for a job, in one place, so the API, the worker
 * and the store can never disagree on a spelling (a worker that parsed `-merge` off
 * a BullMQ id with its own regex once did).
 *
 * - A Flock job id is a UUID v4; it is also the BullMQ id of the job's first step.
 * - The steps of a cross-tenant query add a suffix: `{id}-merge`, `{id}-chunk-{n}`;
 *   a job's webhook delivery is `{id}-webhook`.
 * - The record lives at `{own}:job:{{id}}`, beside BullMQ's own `{prefix}:{queue}:…`.
 *
 * On Redis Cluster (issue 11) the configured prefix carries a hash tag, `{flock}`, so
 * that BullMQ's keys share one slot, as its scripts need. Flock's own keys leave the
 * braces out of the prefix (`own`) and tag what their scripts touch together instead:
 * a job's record and parts (`{id}`), a bucket's slots and waiting list
 * (`{kind:bucket}`). They spread over the cluster, and each script stays in one slot.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STEP_SUFFIX = /-(merge|chunk-\d+|webhook)$/;

export function newJobId(): string {
  return randomUUID();
}

/**
 * The job id in a URL, normalised (UUIDs are case-insensitive), or undefined when it
 * cannot be a job id at all, which callers answer exactly like an unknown id.
 */
export function parseJobId(text: string): string | undefined {
  return UUID.test(text) ? text.toLowerCase() : undefined;
}

/** The configured prefix without its hash tag's braces: what Flock's own keys start with. */
export function ownPrefix(prefix: string): string {
  return prefix.replace(/[{}]/g, '');
}

/** Redis key of a job's record; the id is its hash tag (see FINISH, which reads the id back from it). */
export function jobRecordKey(prefix: string, jobId: string): string {
  return `${ownPrefix(prefix)}:job:{${jobId}}`;
}

/**
 * Redis keys of one part of a job's answer (a cross-tenant chunk's outcomes), kept
 * beside its record: its summary, and its rows, which may be dropped (see PUT_PART).
 */
export function jobPartKey(prefix: string, jobId: string, index: number, piece: 'summary' | 'rows' = 'summary'): string {
  return `${jobPartStem(prefix, jobId)}${index}${piece === 'rows' ? ':rows' : ''}`;
}

/** What every part key of a job starts with; PUT_PART builds rows keys from it in Lua: the stem, the index, `:rows`. */
export function jobPartStem(prefix: string, jobId: string): string {
  return `${jobRecordKey(prefix, jobId)}:part:`;
}

/** Redis key of the hash that tracks a job's parts: their weights and how many rows the answer can still use. */
export function jobPartsKey(prefix: string, jobId: string): string {
  return `${jobRecordKey(prefix, jobId)}:parts`;
}

/** BullMQ id of a cross-tenant query's merge step, the parent of its chunks. */
export function mergeStepId(jobId: string): string {
  return `${jobId}-merge`;
}

/** BullMQ id of one chunk of a cross-tenant query. */
export function chunkStepId(jobId: string, index: number): string {
  return `${jobId}-chunk-${index}`;
}

/** BullMQ id of a job's webhook delivery: one per job, so adding it twice is a no-op. */
export function webhookStepId(jobId: string): string {
  return `${jobId}-webhook`;
}

/** The Flock job a BullMQ job belongs to: its own id for a first step, the id before the suffix for later ones. */
export function jobIdOfStep(bullJobId: string): string {
  return bullJobId.replace(STEP_SUFFIX, '');
}

/** The key readiness probes write to: a Redis that answers PING may still refuse every write. */
export function readinessProbeKey(prefix: string): string {
  return `${ownPrefix(prefix)}:readiness-probe`;
}

/** Prefix of the keys a named rate limit counts in. */
export function rateLimitKeyPrefix(prefix: string, limit: string): string {
  return `${ownPrefix(prefix)}:ratelimit:${limit}`;
}

/** Redis key of the tables a worker last read for a bucket, which the API serves from. */
export function schemaSnapshotKey(prefix: string, bucket: string): string {
  return `${ownPrefix(prefix)}:schema:${bucket}`;
}

/** Points at the job whose stored answer serves a question again: see AnswerCache. */
export function answerCacheKey(prefix: string, bucket: string, digest: string): string {
  return `${ownPrefix(prefix)}:answer:${bucket}:${digest}`;
}

/** Redis pub/sub channel on which each job's id is published once its final state is stored. */
export function jobFinishedChannel(prefix: string): string {
  return `${ownPrefix(prefix)}:job-finished`;
}

/** Redis key of the bucket's jobs of one kind waiting for a slot, oldest first (see TenantSlots.wait). */
export function tenantWaitingKey(prefix: string, bucket: string, kind: string): string {
  return `${ownPrefix(prefix)}:tenant-waiting:{${kind}:${bucket}}`;
}

/** Redis key that marks a bucket's jobs of one kind as lately slow (see TenantSlots.markSlow). */
export function tenantSlowKey(prefix: string, bucket: string, kind: string): string {
  return `${ownPrefix(prefix)}:tenant-slow:{${kind}:${bucket}}`;
}

/** Redis key counting a bucket's recent slow marks of one kind, each lasting longer (see TenantSlots.markSlow). */
export function tenantSlowCountKey(prefix: string, bucket: string, kind: string): string {
  return `${ownPrefix(prefix)}:tenant-slow-count:{${kind}:${bucket}}`;
}

/** Redis key of the slots a bucket's jobs of one kind hold at once (see TenantSlots). */
export function tenantSlotsKey(prefix: string, bucket: string, kind: string): string {
  return `${ownPrefix(prefix)}:tenant-slots:{${kind}:${bucket}}`;
}
