import { createHash, randomBytes } from 'node:crypto';
import { ownPrefix, type FlockRedis } from '@flock/jobs';

/** What a board session knows: whose it is (the admin key's id, never the key). */
export interface BoardSession {
  caller: string;
}

/**
 * Bull Board login sessions, held in Redis so every API replica honours them and a
 * logout ends them everywhere at once (a signed stateless cookie would stay valid until
 * it expired). The cookie carries a random token; Redis keeps only its SHA-256, so a
 * copy of Redis cannot be replayed as cookies. Sessions last a fixed time from login.
 */
export class BoardSessions {
  constructor(
    private readonly redis: FlockRedis,
    private readonly options: { prefix: string; ttlMs: number },
  ) {}

  async create(session: BoardSession): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(token), JSON.stringify(session), 'PX', this.options.ttlMs);
    return token;
  }

  async get(token: string | undefined): Promise<BoardSession | undefined> {
    if (!token || token.length > 100) return undefined;
    const text = await this.redis.get(this.key(token));
    return text ? (JSON.parse(text) as BoardSession) : undefined;
  }

  async destroy(token: string | undefined): Promise<void> {
    if (token && token.length <= 100) await this.redis.del(this.key(token));
  }

  /**
   * The secret the login and logout forms' CSRF tokens are signed with: one per
   * deployment, made by whichever replica asks first and shared through Redis.
   */
  async csrfSecret(): Promise<string> {
    const key = `${ownPrefix(this.options.prefix)}:board-csrf-secret`;
    await this.redis.set(key, randomBytes(32).toString('base64url'), 'NX');
    return (await this.redis.get(key))!;
  }

  private key(token: string): string {
    return `${ownPrefix(this.options.prefix)}:board-session:${createHash('sha256').update(token).digest('hex')}`;
  }
}
