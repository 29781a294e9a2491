import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isValidBucketId } from '@flock/schema';
import { emptyDocument, knowledgeOf, type KnowledgeDocument, type TenantKnowledge } from './knowledge';

/** How long a lock may be held before another writer treats it as left by a dead process. */
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

/** A knowledge file could not be read or written; its message names the bucket's file, never its content. */
export class KnowledgeFileError extends Error {}

/**
 * One JSON file per bucket, `<dir>/<bucket>.json`, outside the warehouse files: the API
 * writes it (the warehouses stay read-only to the API), the workers only read it, and
 * no tenant SQL can reach it (the sandbox sees nothing but the bucket's own warehouse).
 *
 * A write takes the bucket's lock file (O_EXCL, so API replicas sharing the folder take
 * turns), re-reads the file, applies the change, and renames a complete temporary file
 * over it: a reader sees the old document or the new one, never half of one, and a
 * crash leaves the old one. Reads are cached by the file's stat, so a worker pays one
 * `stat` per ask for a bucket whose knowledge has not changed.
 */
export class KnowledgeStore {
  private readonly cache = new Map<string, { stamp: string; document: KnowledgeDocument }>();

  constructor(readonly dir: string) {}

  fileOf(bucket: string): string {
    if (!isValidBucketId(bucket)) throw new KnowledgeFileError(`Invalid bucket id '${bucket}'`);
    return path.join(this.dir, `${bucket}.json`);
  }

  /** The bucket's document; an empty one when it has none. */
  read(bucket: string): KnowledgeDocument {
    const file = this.fileOf(bucket);
    let stamp: string;
    try {
      const stat = statSync(file);
      stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyDocument();
      throw new KnowledgeFileError(`Cannot read the knowledge of bucket '${bucket}': ${(error as Error).message}`);
    }
    const cached = this.cache.get(bucket);
    if (cached?.stamp === stamp) return cached.document;
    const document = parseDocument(readFileSync(file, 'utf8'), bucket);
    this.cache.set(bucket, { stamp, document });
    return document;
  }

  /** What the engines read for this bucket. */
  knowledge(bucket: string): TenantKnowledge {
    return knowledgeOf(this.read(bucket));
  }

  /**
   * Applies `change` to the bucket's current document under its lock and saves the
   * result with the revision one higher. `change` may throw to leave the file as it was.
   */
  async update<T>(bucket: string, change: (document: KnowledgeDocument) => T | Promise<T>): Promise<T> {
    const file = this.fileOf(bucket);
    await fs.mkdir(this.dir, { recursive: true });
    const release = await this.lock(`${file}.lock`, bucket);
    try {
      const current = await readIfPresent(file, bucket);
      const next = structuredClone(current);
      const value = await change(next);
      next.revision = current.revision + 1;
      const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await fs.writeFile(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o640 });
      await fs.rename(temp, file);
      return value;
    } finally {
      await release();
    }
  }

  private async lock(lockFile: string, bucket: string): Promise<() => Promise<void>> {
    const giveUpAt = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await fs.open(lockFile, 'wx');
        await handle.close();
        return () => fs.rm(lockFile, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const age = await fs.stat(lockFile).then(
          (stat) => Date.now() - stat.mtimeMs,
          () => 0,
        );
        if (age > STALE_LOCK_MS) await fs.rm(lockFile, { force: true });
        else if (Date.now() > giveUpAt) throw new KnowledgeFileError(`The knowledge of bucket '${bucket}' is being changed; try again.`);
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
}

async function readIfPresent(file: string, bucket: string): Promise<KnowledgeDocument> {
  try {
    return parseDocument(await fs.readFile(file, 'utf8'), bucket);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyDocument();
    throw error;
  }
}

function parseDocument(text: string, bucket: string): KnowledgeDocument {
  let parsed: Partial<KnowledgeDocument>;
  try {
    parsed = JSON.parse(text) as Partial<KnowledgeDocument>;
  } catch (error) {
    throw new KnowledgeFileError(`The knowledge file of bucket '${bucket}' is not JSON: ${(error as Error).message}`);
  }
  if (parsed.format !== 1 || !Array.isArray(parsed.glossary) || !Array.isArray(parsed.examples) || !Array.isArray(parsed.feedback)) {
    throw new KnowledgeFileError(`The knowledge file of bucket '${bucket}' is not a format-1 document`);
  }
  return {
    format: 1,
    revision: Number(parsed.revision) || 0,
    glossary: parsed.glossary,
    examples: parsed.examples,
    feedback: parsed.feedback,
  };
}

/** Where knowledge files live: FLOCK_KNOWLEDGE_DIR, else `.flock-knowledge` in the warehouse folder. */
export function knowledgeDirOf(settings: { knowledgeDir?: string; warehouseDir: string }): string {
  return settings.knowledgeDir ?? path.join(settings.warehouseDir, '.flock-knowledge');
}
