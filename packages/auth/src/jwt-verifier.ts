import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UnauthorizedError } from '@flock/errors';
import { isValidBucketId } from '@flock/schema';
import type { Principal } from './principal';

export interface JwtVerifierOptions {
  /** HS256 shared secret. */
  secret?: string;
  /** JWKS endpoint for RS256 / ES256 keys. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

const ASYMMETRIC = ['RS256', 'ES256'];

/**
 * Verifies user JWTs with jose. The algorithm list is fixed by configuration, never
 * by the token: a token cannot pick `none`, nor pass an HS256 signature made with a
 * public key.
 */
export class JwtVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(private readonly options: JwtVerifierOptions) {
    if (options.secret) this.secret = new TextEncoder().encode(options.secret);
    if (options.jwksUrl) this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 5000 });
  }

  get enabled(): boolean {
    return Boolean(this.secret || this.jwks);
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      payload = (
        await jwtVerify(token, this.keyFor, {
          algorithms: [...(this.secret ? ['HS256'] : []), ...(this.jwks ? ASYMMETRIC : [])],
          requiredClaims: ['sub', 'exp'],
          ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
          ...(this.options.audience ? { audience: this.options.audience } : {}),
        })
      ).payload;
    } catch (error) {
      throw new UnauthorizedError(error instanceof errors.JWTExpired ? 'Token has expired' : 'Invalid token');
    }
    const buckets = payload.buckets;
    if (typeof payload.sub !== 'string' || payload.sub === '')
      throw new UnauthorizedError("Invalid token: 'sub' must be a non-empty string");
    if (!Array.isArray(buckets) || !buckets.every((b) => typeof b === 'string' && (b === '*' || isValidBucketId(b)))) {
      throw new UnauthorizedError('Invalid token: \'buckets\' must be an array of bucket ids, or ["*"]');
    }
    return {
      kind: 'user',
      id: payload.sub,
      buckets: buckets.includes('*') ? '*' : (buckets as string[]),
      admin: false,
      // The identity provider says who administers a tenant's knowledge: `"tenant_admin": true`.
      ...(payload.tenant_admin === true ? { tenantAdmin: true } : {}),
    };
  }

  private readonly keyFor: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256' && this.secret) return this.secret;
    if (this.jwks && ASYMMETRIC.includes(header.alg)) return this.jwks(header, token);
    throw new UnauthorizedError('Invalid token');
  };
}
