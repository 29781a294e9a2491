import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isValidBucketId } from '@flock/schema';
import { parseDocument } from './document';
import { emptyDocument, knowledgeOf, type KnowledgeDocument, type TenantKnowledge } from './knowledge';

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
    const lockFile = `${file}.lock`;
    const { token, release } = await this.lock(lockFile, bucket);
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const current = await readIfPresent(file, bucket);
      const next = structuredClone(current);
      const value = await change(next);
      if (options.engine) next.revision = current.revision + 1;
      if (!next.id) next.id = randomBytes(6).toString('hex');
      try {
        await fs.writeFile(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o640 });
        // A writer stalled past STALE_LOCK_MS may have lost its lock: then it must not write.
        if ((await lockState(lockFile))?.token !== token) {
          throw new KnowledgeFileError(`The knowledge of bucket '${bucket}' was being changed at the same time; try again.`);
        }
        await fs.rename(temp, file);
      } catch (error) {
        await fs.rm(temp, { force: true });
        throw error instanceof KnowledgeFileError ? error : fileError(bucket, 'write', error);
      }
      return value;
    } finally {
      await release();
    }
  }

  /**
   * Takes the lock file, waiting up to LOCK_WAIT_MS. A lock older than STALE_LOCK_MS was
   * left by a writer that died. One waiter at a time may break it (it holds
   * `<lock>.break`, itself taken with O_EXCL), and only after seeing, under that, the same
   * stale token again; it then renames a lock of its own over it in one step, so the name
   * is never empty for a third writer to take. Release removes the lock only while it
   * still holds this writer's token.
   */
  private async lock(lockFile: string, bucket: string): Promise<{ token: string; release: () => Promise<void> }> {
    const token = randomBytes(12).toString('hex');
    const held = { token, release: () => removeIfHolding(lockFile, token) };
    const giveUpAt = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      if (await createLock(lockFile, token, bucket)) return held;
      const seen = await lockState(lockFile);
      if (seen && seen.ageMs > STALE_LOCK_MS && (await breakStaleLock(lockFile, seen.token, token, bucket))) return held;
      if (Date.now() > giveUpAt) throw new KnowledgeFileError(`The knowledge of bucket '${bucket}' is being changed; try again.`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Creates the lock holding `token`; false when another holds it. A lock that could not be written is removed again. */
async function createLock(lockFile: string, token: string, bucket: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockFile, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fileError(bucket, 'lock', error);
  }
  try {
    await handle.writeFile(token);
  } catch (error) {
    await handle.close();
    await fs.rm(lockFile, { force: true });
    throw fileError(bucket, 'lock', error);
  }
  await handle.close();
  return true;
}

async function lockState(file: string): Promise<{ token: string; ageMs: number } | undefined> {
  try {
    const [token, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { token, ageMs: Date.now() - stat.mtimeMs };
  } catch {
    return undefined;
  }
}

async function removeIfHolding(file: string, token: string): Promise<void> {
  if ((await fs.readFile(file, 'utf8').catch(() => '')) === token) await fs.rm(file, { force: true });
}

/** Replaces the stale lock holding `staleToken` with one holding `token`; false when it is no longer that lock, or another waiter is breaking it. */
async function breakStaleLock(lockFile: string, staleToken: string, token: string, bucket: string): Promise<boolean> {
  const breaker = `${lockFile}.break`;
  if (!(await createLock(breaker, token, bucket))) {
    // Another waiter is breaking it, or one died doing so: its marker goes stale like a lock.
    const marker = await lockState(breaker);
    if (marker && marker.ageMs > STALE_LOCK_MS) await removeIfHolding(breaker, marker.token);
    return false;
  }
  const mine = `${lockFile}.${token}.new`;
  try {
    const now = await lockState(lockFile);
    if (!now || now.token !== staleToken || now.ageMs <= STALE_LOCK_MS) return false;
    await fs.writeFile(mine, token);
    await fs.rename(mine, lockFile);
    return true;
  } catch (error) {
    await fs.rm(mine, { force: true });
    throw fileError(bucket, 'lock', error);
  } finally {
    await removeIfHolding(breaker, token);
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
