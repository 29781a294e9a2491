import { Passport } from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import type { RequestHandler } from 'express';
import { principalKey, type ApiKeyAuthenticator, type JwtVerifier, type Principal } from '@flock/auth';
import { UnauthorizedError } from '@flock/errors';
import type { CallerLimit, FailedAuthLimiter } from '../http/rate-limit.middleware';

/**
 * Authenticates every request behind it, by bearer token (a user, through passport and
 * jose) or by X-API-Key (a service), and counts it against its caller's request limit
 * (`limit`). Exactly one scheme: a request carrying both has two identities and is
 * refused rather than resolved by precedence. Failures count against the client's
 * address (`failures`), which is refused for a while once it has failed too often.
 */
export function authenticate(
  verifier: JwtVerifier,
  apiKeys: ApiKeyAuthenticator,
  failures: FailedAuthLimiter,
  limit: CallerLimit,
): RequestHandler {
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

  return (req, res, next) => {
    // The socket's own address, unless FLOCK_TRUST_PROXY says a proxy of ours names the client.
    const address = req.ip ?? 'unknown';
    const authorization = req.headers.authorization;
    const hasBearer = typeof authorization === 'string' && /^bearer\s/i.test(authorization);
    const key = req.headers['x-api-key'];
    const keyed = typeof key === 'string' && !hasBearer ? apiKeys.authenticate(key) : undefined;
    // An API key is checked in memory, so its caller's request count and the address's
    // check go to Redis in one write (the client pipelines): one round trip where there
    // were two. The count goes first, as ioredis holds a command issued just after a
    // MULTI (the check is one) until the MULTI's reply. An address over its budget is
    // answered 429 whatever it presented, with no failure counted; a bearer token is
    // verified only once the address is known not to be.
    const counted = keyed ? limit(keyed) : undefined;
    const allowed = failures.assertAllowed(address);
    allowed.catch(() => undefined); // awaited on every path below
    const refuse = (error: unknown) => {
      allowed.then(() => failures.recordFailure(address)).then(() => next(error), next);
    };
    // Counted even if the address turns out to be refused: only a valid credential's caller is.
    const accept = (principal: Principal, count = limit(principal)) => {
      count.catch(() => undefined);
      allowed
        .then(() => {
          req.principal = principal;
          req.log = req.log.child({ caller: principalKey(principal) });
          return count;
        })
        .then(() => next(), next);
    };
    if (hasBearer === (key !== undefined)) {
      refuse(new UnauthorizedError());
      return;
    }
    if (typeof key === 'string') {
      if (keyed) accept(keyed, counted);
      else refuse(new UnauthorizedError('Invalid API key'));
      return;
    }
    const verify = (passport.authenticate as (...args: unknown[]) => RequestHandler)(
      'bearer',
      { session: false },
      (error: unknown, principal: Principal | false) => {
        // Only a rejected credential counts; a JWKS endpoint that is down is not the caller's failure.
        if (error) (error instanceof UnauthorizedError ? refuse : next)(error);
        else if (!principal) refuse(new UnauthorizedError('Invalid token'));
        else accept(principal);
      },
    );
    // A token costs a signature check, and perhaps a JWKS fetch: none for a refused address.
    allowed.then(() => verify(req, res, next)).catch(next);
  };
}
