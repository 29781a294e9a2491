import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isValidBucketId } from '@flock/schema';
import { emptyDocument, knowledgeOf, parseDocument, type KnowledgeDocument, type TenantKnowledge } from './knowledge';

/** How long a lock may be held before another writer treats it as left by a dead process. */
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

/** A knowledge file could not be read or written; its message names the bucket, never the file's content. */
export class KnowledgeFileError extends Error {}

export interface UpdateOptions {
  /**
   * Whether the change is to what the engines read (glossary, examples): only then does
   * the revision go up, which is part of the answer cache's key. Feedback leaves it be,
   * so an asker's verdict does not empty the bucket's cache or rebuild its indexes.
   */
  engine: boolean;
}

/**
 * One JSON file per bucket, `<dir>/<bucket>.json`, outside the warehouse files: the API
 * writes it (the warehouses stay read-only to the API), the workers only read it, and
 * no tenant SQL can reach it (the sandbox sees nothing but the bucket's own warehouse).
 *
 * A write takes the bucket's turn in this process, then its lock file (created with
 * O_EXCL and holding a token of this writer's, so API replicas sharing the folder take
 * turns and none removes another's lock), re-reads the file, applies the change, and
 * renames a complete temporary file over it: a reader sees the old document or the new
 * one, never half of one, and a crash leaves the old one. Reads are cached by the file's
 * stat, so a worker pays one `stat` per ask for a bucket whose knowledge has not changed,
 * and gets the same TenantKnowledge object while its revision stands (the engine's
 * indexes are kept per object).
 */
export class KnowledgeStore {
  private readonly cache = new Map<string, { stamp: string; document: KnowledgeDocument }>();
  private readonly engineViews = new Map<string, TenantKnowledge>();
  private readonly turns = new Map<string, Promise<unknown>>();

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
      throw fileError(bucket, 'read', error);
    }
    const cached = this.cache.get(bucket);
    if (cached?.stamp === stamp) return cached.document;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw fileError(bucket, 'read', error);
    }
    const document = parsed(text, bucket);
    this.cache.set(bucket, { stamp, document });
    return document;
  }

  /** What the engines read for this bucket: the same object while its version stands. */
  knowledge(bucket: string): TenantKnowledge {
    const fresh = knowledgeOf(this.read(bucket));
    const kept = this.engineViews.get(bucket);
    if (kept?.version === fresh.version) return kept;
    this.engineViews.set(bucket, fresh);
    return fresh;
  }

  /**
   * Applies `change` to the bucket's current document under its lock and saves it, the
   * revision one higher when the engines' part changed. `change` may throw to leave the
   * file as it was.
   */
  update<T>(bucket: string, change: (document: KnowledgeDocument) => T | Promise<T>, options: UpdateOptions): Promise<T> {
    // One writer per bucket in this process at a time; the lock file orders processes.
    const previous = this.turns.get(bucket) ?? Promise.resolve();
    const turn = previous.catch(() => undefined).then(() => this.write(bucket, change, options));
    this.turns.set(bucket, turn);
    void turn
      .finally(() => {
        if (this.turns.get(bucket) === turn) this.turns.delete(bucket);
      })
      .catch(() => undefined);
    return turn;
  }

  private async write<T>(bucket: string, change: (document: KnowledgeDocument) => T | Promise<T>, options: UpdateOptions): Promise<T> {
    const file = this.fileOf(bucket);
    await fs.mkdir(this.dir, { recursive: true }).catch((error: unknown) => {
      throw fileError(bucket, 'write', error);
    });
    const release = await this.lock(`${file}.lock`, bucket);
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const current = await readIfPresent(file, bucket);
      const next = structuredClone(current);
      const value = await change(next);
      if (options.engine) next.revision = current.revision + 1;
      if (!next.id) next.id = randomBytes(6).toString('hex');
      try {
        await fs.writeFile(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o640 });
        await fs.rename(temp, file);
      } catch (error) {
        await fs.rm(temp, { force: true });
        throw fileError(bucket, 'write', error);
      }
      return value;
    } finally {
      await release();
    }
  }

  /**
   * Takes the lock file, waiting up to LOCK_WAIT_MS. A lock older than STALE_LOCK_MS was
   * left by a writer that died: it is moved aside under a name of this writer's own, and
   * taken over only if what was moved is the lock that was seen stale (another waiter may
   * have taken it over meanwhile, and then it is put back). Release removes the lock only
   * while it still holds this writer's token.
   */
  private async lock(lockFile: string, bucket: string): Promise<() => Promise<void>> {
    const token = randomBytes(12).toString('hex');
    const giveUpAt = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await fs.writeFile(lockFile, token, { flag: 'wx' });
        return async () => {
          if ((await fs.readFile(lockFile, 'utf8').catch(() => '')) === token) await fs.rm(lockFile, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileError(bucket, 'lock', error);
      }
      const seen = await fs.readFile(lockFile, 'utf8').catch(() => undefined);
      const age = await fs.stat(lockFile).then(
        (stat) => Date.now() - stat.mtimeMs,
        () => 0,
      );
      if (seen !== undefined && age > STALE_LOCK_MS) {
        const aside = `${lockFile}.${token}.stale`;
        if (
          await fs.rename(lockFile, aside).then(
            () => true,
            () => false,
          )
        ) {
          const moved = await fs.readFile(aside, 'utf8').catch(() => undefined);
          // Not the stale lock but a live one taken over meanwhile: put it back (link fails if a new one exists).
          if (moved !== seen) await fs.link(aside, lockFile).catch(() => undefined);
          await fs.rm(aside, { force: true });
        }
        continue;
      }
      if (Date.now() > giveUpAt) throw new KnowledgeFileError(`The knowledge of bucket '${bucket}' is being changed; try again.`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Where knowledge files live: FLOCK_KNOWLEDGE_DIR, else `.flock-knowledge` in the warehouse folder. */
export function knowledgeDirOf(settings: { knowledgeDir?: string; warehouseDir: string }): string {
  return settings.knowledgeDir ?? path.join(settings.warehouseDir, '.flock-knowledge');
}

async function readIfPresent(file: string, bucket: string): Promise<KnowledgeDocument> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyDocument();
    throw fileError(bucket, 'read', error);
  }
  return parsed(text, bucket);
}

function parsed(text: string, bucket: string): KnowledgeDocument {
  const problem = (reason: string) => new KnowledgeFileError(`The knowledge file of bucket '${bucket}' ${reason}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message can quote the file, which holds what only tenant admins may read.
    throw problem('is not valid JSON');
  }
  const document = parseDocument(json);
  if (typeof document === 'string') throw problem(document);
  return document;
}

/** An I/O failure, by its code only: the bucket's file is the operator's to look at. */
function fileError(bucket: string, action: 'read' | 'write' | 'lock', error: unknown): KnowledgeFileError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
  return new KnowledgeFileError(`Cannot ${action} the knowledge of bucket '${bucket}' (${code})`);
}
