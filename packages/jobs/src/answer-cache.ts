import { createHash } from 'node:crypto';
import { answerCacheKey } from './ids';
import type { JobResult } from './job-record';
import type { JobStore } from './job-store';
import type { FlockRedis } from './redis-client';

/** What must match for an earlier answer to stand for a new question. */
export interface AnswerKey {
  bucket: string;
  /** The identity of the bucket's data as it is now (its file's); a rewritten file never matches. */
  version: string;
  /** The engine that wrote the SQL. */
  engine: string;
  /** The version of the bucket's glossary and examples: a change to either can change the SQL. */
  knowledge: string;
  question: string;
}

/**
 * Questions compare case-, space- and end-punctuation-blind, and in Unicode's compatible
 * form, so "How many members by type?" and "how many  members by type" are one question.
 * Quoted text is kept as typed: 'EUR' and 'eur' may be different values. Nothing else is
 * rewritten: a word more or less is another question.
 */
export function normaliseQuestion(question: string): string {
  return question
    .split(/('[^']*'|"[^"]*")/)
    .map((part, index) => (index % 2 === 1 ? part : part.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ')))
    .join('')
    .trim()
    .replace(/[\s?!.]+$/u, '');
}

/**
 * Answers already given (issue 13, part 6): the same normalised question, on the same
 * version of a bucket's data, with the same engine, is answered from the earlier job's
 * stored result instead of being generated and run again. Redis holds only a pointer to
 * that job, expiring when its record does, so an answer is stored once and a cached one
 * never outlives the job TTL. The bucket is part of the key, and the pointed-at record
 * is checked to belong to it, so no tenant can be served another's answer.
 */
export class AnswerCache {
  constructor(
    private readonly redis: FlockRedis,
    private readonly store: JobStore,
    private readonly options: { prefix: string; ttlMs: number },
  ) {}

  /** The earlier answer, or undefined when there is none, or its job has expired. */
  async find(key: AnswerKey): Promise<JobResult | undefined> {
    const jobId = await this.redis.get(this.keyOf(key));
    if (jobId === null) return undefined;
    const record = await this.store.get(jobId);
    if (!record || record.kind !== 'ask' || record.bucket !== key.bucket || record.status !== 'completed' || !record.result) {
      return undefined;
    }
    return record.result as JobResult;
  }

  /** Points the question at a job that has just stored its answer, until that job's record expires. */
  async remember(key: AnswerKey, jobId: string, submittedAt: number): Promise<void> {
    const left = submittedAt + this.options.ttlMs - Date.now();
    if (left <= 0) return;
    await this.redis.set(this.keyOf(key), jobId, 'PX', left);
  }

  private keyOf(key: AnswerKey): string {
    const digest = createHash('sha256')
      .update(JSON.stringify([key.version, key.engine, key.knowledge, normaliseQuestion(key.question)]))
      .digest('base64url');
    return answerCacheKey(this.options.prefix, key.bucket, digest);
  }
}
