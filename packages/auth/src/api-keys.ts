import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs, statSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BucketGrant, Principal } from './principal';

/** One API key as stored: its SHA-256 hash, never the key itself. */
export interface StoredApiKey {
  name: string;
  /** Hex SHA-256 of the key. */
  hash: string;
  buckets: BucketGrant;
  admin: boolean;
  /** May manage the knowledge of its buckets (glossary, examples, feedback); absent in older files. */
  tenantAdmin?: boolean;
  createdAt: string;
}

interface KeyFile {
  keys: StoredApiKey[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key: 32 random bytes, prefixed so it is recognisable in a leak scanner. */
export function generateApiKey(): string {
  return `flk_${randomBytes(32).toString('base64url')}`;
}

/** The keys file: read, and written atomically with owner-only permissions by the CLI. */
export class ApiKeyFile {
  constructor(readonly file: string) {}

  read(): StoredApiKey[] {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as KeyFile;
      if (!Array.isArray(parsed.keys)) throw new Error('missing "keys" array');
      return parsed.keys;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`Cannot read API keys file ${this.file}: ${(error as Error).message}`);
    }
  }

  async create(options: {
    name: string;
    buckets: BucketGrant;
    admin: boolean;
    tenantAdmin?: boolean;
  }): Promise<{ key: string; record: StoredApiKey }> {
    if (!NAME.test(options.name)) throw new Error('Key names are 1-64 letters, digits, ".", "_" or "-"');
    const keys = this.read();
    if (keys.some((k) => k.name === options.name)) throw new Error(`A key named '${options.name}' already exists`);
    const key = generateApiKey();
    const record: StoredApiKey = {
      name: options.name,
      hash: hashApiKey(key),
      buckets: options.buckets,
      admin: options.admin,
      ...(options.tenantAdmin ? { tenantAdmin: true } : {}),
      createdAt: new Date().toISOString(),
    };
    await this.write([...keys, record]);
    return { key, record };
  }

  async revoke(name: string): Promise<boolean> {
    const keys = this.read();
    const kept = keys.filter((k) => k.name !== name);
    if (kept.length === keys.length) return false;
    await this.write(kept);
    return true;
  }

  private async write(keys: StoredApiKey[]): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp-${process.pid}`;
    await fs.writeFile(temp, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
    await fs.rename(temp, this.file);
  }
}

/**
 * Resolves a presented key to its principal. Every stored hash is compared in constant
 * time and the loop never exits early, so timing says nothing about which keys exist.
 * The file is re-read when it changes (checked at most once a second), so a revoked
 * key stops working without a restart.
 */
export class ApiKeyAuthenticator {
  private keys: StoredApiKey[] = [];
  private fileStamp = '';
  private checkedAt = 0;
  private readonly bootstrap: StoredApiKey[];

  /**
   * @param onError Told, once per change of the file, that it could not be read; the
   *   keys last read stay in force meanwhile, so a half-written or broken file neither
   *   locks every caller out nor answers 500.
   */
  constructor(
    private readonly file: ApiKeyFile,
    bootstrapAdminKey?: string,
    private readonly onError: (message: string) => void = () => undefined,
  ) {
    this.bootstrap = bootstrapAdminKey
      ? [{ name: 'admin', hash: hashApiKey(bootstrapAdminKey), buckets: '*', admin: true, createdAt: '' }]
      : [];
    this.reload();
  }

  authenticate(presented: string): Principal | undefined {
    this.reloadIfChanged();
    const digest = Buffer.from(hashApiKey(presented), 'hex');
    let match: StoredApiKey | undefined;
    for (const key of [...this.keys, ...this.bootstrap]) {
      const stored = Buffer.from(key.hash, 'hex');
      if (stored.length === digest.length && timingSafeEqual(stored, digest) && !match) match = key;
    }
    if (!match) return undefined;
    return {
      kind: 'api_key',
      id: keyId(match),
      buckets: match.buckets,
      admin: match.admin,
      ...(match.tenantAdmin ? { tenantAdmin: true } : {}),
    };
  }

  /** Whether the key with this id (a Principal's) is still there and still an admin's: a revoked key's sessions end. */
  isAdmin(id: string): boolean {
    this.reloadIfChanged();
    return [...this.keys, ...this.bootstrap].some((key) => key.admin && keyId(key) === id);
  }

  private reloadIfChanged(): void {
    const now = Date.now();
    if (now - this.checkedAt < 1000) return;
    this.checkedAt = now;
    if (stamp(this.file.file) !== this.fileStamp) this.reload();
  }

  private reload(): void {
    this.fileStamp = stamp(this.file.file);
    try {
      this.keys = this.file.read();
    } catch (error) {
      this.onError(`${(error as Error).message}; keeping the ${this.keys.length} key(s) last read`);
    }
  }
}

/**
 * A key's identity for rate limits, logs and job ownership: its name plus the start of
 * its hash. The name alone is not unique: a file key may be named like the bootstrap
 * admin key, and a revoked name may be given to a new key, and neither must share the
 * other's rate-limit budget. Eight hex digits of a SHA-256 of a random key reveal nothing.
 */
function keyId(key: StoredApiKey): string {
  return `${key.name}.${key.hash.slice(0, 8)}`;
}

function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
