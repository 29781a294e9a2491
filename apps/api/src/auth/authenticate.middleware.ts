import { Passport } from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import type { RequestHandler } from 'express';
import { principalKey, type ApiKeyAuthenticator, type JwtVerifier, type Principal } from '@flock/auth';
import { UnauthorizedError } from '@flock/errors';
import type { FailedAuthLimiter } from '../http/rate-limit.middleware';

/**
 * Authenticates every request behind it, by bearer token (a user, through passport and
 * jose) or by X-API-Key (a service). Exactly one scheme: a request carrying both has
 * two identities and is refused rather than resolved by precedence. Failures count
 * against the client's address (`failures`), which is refused for a while once it has
 * failed too often.
 */
export function authenticate(verifier: JwtVerifier, apiKeys: ApiKeyAuthenticator, failures: FailedAuthLimiter): RequestHandler {
  // An instance of its own, so several apps in one process never share strategies.
  const passport = new Passport();
  passport.use(
    new BearerStrategy((token, done) => {
      verifier.verify(token).then(
        (principal) => done(null, principal),
        (error: unknown) => done(error),
      );
    }),
  );

  return async (req, res, next) => {
    // The socket's own address, unless FLOCK_TRUST_PROXY says a proxy of ours names the client.
    const address = req.ip ?? 'unknown';
    await failures.assertAllowed(address);
    const refuse = (error: unknown) => {
      failures.recordFailure(address).then(() => next(error), next);
    };
    const authorization = req.headers.authorization;
    const hasBearer = typeof authorization === 'string' && /^bearer\s/i.test(authorization);
    const key = req.headers['x-api-key'];
    const accept = (principal: Principal) => {
      req.principal = principal;
      req.log = req.log.child({ caller: principalKey(principal) });
      next();
    };
    if (hasBearer === (key !== undefined)) {
      refuse(new UnauthorizedError());
      return;
    }
    if (typeof key === 'string') {
      const principal = apiKeys.authenticate(key);
      if (principal) accept(principal);
      else refuse(new UnauthorizedError('Invalid API key'));
      return;
    }
    (passport.authenticate as (...args: unknown[]) => RequestHandler)(
      'bearer',
      { session: false },
      (error: unknown, principal: Principal | false) => {
        // Only a rejected credential counts; a JWKS endpoint that is down is not the caller's failure.
        if (error) (error instanceof UnauthorizedError ? refuse : next)(error);
        else if (!principal) refuse(new UnauthorizedError('Invalid token'));
        else accept(principal);
      },
    )(req, res, next);
  };
}
