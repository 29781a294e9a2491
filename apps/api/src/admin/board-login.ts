import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { Passport } from 'passport';
import { Strategy as CustomStrategy } from 'passport-custom';
import type { ApiKeyAuthenticator, Principal } from '@flock/auth';
import { RateLimitedError, UnauthorizedError } from '@flock/errors';
import type { FailedAuthLimiter } from '../http/rate-limit.middleware';
import { BULL_BOARD_PATH } from './bull-board';
import { loginPage, logoutPage } from './board-pages';
import type { BoardSessions } from './board-sessions';

/** The session cookie: sent only to /admin, so it can open the board and never the tenant API. */
export const BOARD_COOKIE = 'flock_board';
const CSRF_COOKIE = 'flock_board_csrf';
const LOGIN_PATH = '/admin/login';
const LOGOUT_PATH = '/admin/logout';

export interface BoardLoginDependencies {
  sessions: BoardSessions;
  sessionTtlMs: number;
  apiKeys: ApiKeyAuthenticator;
  failedAuth: FailedAuthLimiter;
  /** What a request with credentials (X-API-Key, Authorization) passes instead of a session: authentication, then the admin check. */
  viaCredentials: RequestHandler[];
}

/**
 * A login a person can use for Bull Board (issue 18): a form that takes an admin API key
 * (checked by a passport strategy), a session in Redis (see BoardSessions) on an
 * HttpOnly, SameSite=Strict cookie scoped to /admin (Secure when the request came over
 * TLS: with FLOCK_TRUST_PROXY, as the proxy says), and logout. The forms carry
 * double-submit CSRF tokens (csrf-csrf), and failed logins count against the client's
 * address like any failed authentication. Scripts may still send an admin key in a
 * header instead of a session.
 *
 * Returns the router for the login pages, and `gate`, which admits a board request
 * with a session or admin credentials and sends a browser without either to the login.
 */
export function boardLogin(deps: BoardLoginDependencies): { router: Router; gate: RequestHandler } {
  const passport = new Passport();
  passport.use(
    'admin-key',
    new CustomStrategy((req, done) => {
      const key: unknown = req.body?.key;
      const principal = typeof key === 'string' && key.length > 0 ? deps.apiKeys.authenticate(key) : undefined;
      // A tenant key is as good as a wrong one here: the board is for admins only.
      done(null, principal?.admin ? principal : false);
    }),
  );

  let secret: string | undefined;
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => secret!,
    // Bound to the CSRF cookie alone, not to a session: a SameSite=Strict session cookie
    // is missing on a page reached by a link from elsewhere, and present on the form's
    // POST, so a token bound to it would fail the first login after such a link.
    getSessionIdentifier: () => '',
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'strict', path: '/admin', httpOnly: true },
    getCsrfTokenFromRequest: (req) => (req.body as { csrf?: string } | undefined)?.csrf,
  });
  const csrfToken = (req: Request, res: Response) =>
    generateCsrfToken(req, res, {
      overwrite: true,
      cookieOptions: { sameSite: 'strict', path: '/admin', httpOnly: true, secure: req.secure },
    });

  const tokenOf = (req: Request) => (req.cookies as Record<string, string | undefined>)[BOARD_COOKIE];
  const html = (res: Response, status: number, body: string) => {
    res.status(status).setHeader('Cache-Control', 'no-store');
    res.type('html').send(body);
  };
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const checkCsrf: RequestHandler = (req, res, next) =>
    doubleCsrfProtection(req, res, (error?: unknown) =>
      error ? html(res, 403, loginPage(csrfToken(req, res), 'This form has expired. Log in again.')) : next(),
    );

  const router = Router();
  router.use('/admin', cookieParser());
  // Read on every form page and post, not cached: a Redis that lost it (flushed) makes a
  // new one, and every replica must then agree on it.
  router.use([LOGIN_PATH, LOGOUT_PATH], async (_req, _res, next) => {
    secret = await deps.sessions.csrfSecret();
    next();
  });
  // Express's own router, so a handler that throws, even from a callback, becomes a response.
  const viaCredentials = Router().use(...deps.viaCredentials);
  /** The session behind the request's cookie, if its key is still an admin's; a revoked key's session ends. */
  const sessionOf = async (req: Request) => {
    const token = tokenOf(req);
    const session = await deps.sessions.get(token);
    if (session && !deps.apiKeys.isAdmin(session.caller)) {
      await deps.sessions.destroy(token);
      return undefined;
    }
    return session;
  };

  router.get(LOGIN_PATH, async (req, res) => {
    if (await sessionOf(req)) return res.redirect(303, BULL_BOARD_PATH);
    html(res, 200, loginPage(csrfToken(req, res)));
  });

  router.post(LOGIN_PATH, form, checkCsrf, async (req, res, next) => {
    const address = req.ip ?? 'unknown';
    try {
      await deps.failedAuth.assertAllowed(address);
    } catch (error) {
      if (error instanceof RateLimitedError) return html(res, 429, loginPage(csrfToken(req, res), error.message));
      throw error;
    }
    (passport.authenticate as (...args: unknown[]) => RequestHandler)(
      'admin-key',
      { session: false },
      async (error: unknown, principal: Principal | false) => {
        try {
          if (error) throw error;
          if (!principal) {
            await deps.failedAuth.recordFailure(address);
            return html(res, 401, loginPage(csrfToken(req, res), 'That is not an admin API key.'));
          }
          // A fresh session each login; one the browser already held ends here.
          await deps.sessions.destroy(tokenOf(req));
          const token = await deps.sessions.create({ caller: principal.id });
          res.cookie(BOARD_COOKIE, token, {
            httpOnly: true,
            sameSite: 'strict',
            secure: req.secure,
            path: '/admin',
            maxAge: deps.sessionTtlMs,
          });
          req.log.info({ event: 'board_login', caller: principal.id }, 'board session started');
          res.redirect(303, BULL_BOARD_PATH);
        } catch (failure) {
          if (failure instanceof RateLimitedError) return html(res, 429, loginPage(csrfToken(req, res), failure.message));
          next(failure);
        }
      },
    )(req, res, next);
  });

  router.get(LOGOUT_PATH, (req, res) => html(res, 200, logoutPage(csrfToken(req, res))));

  router.post(LOGOUT_PATH, form, checkCsrf, async (req, res) => {
    await deps.sessions.destroy(tokenOf(req));
    res.clearCookie(BOARD_COOKIE, { path: '/admin' });
    res.redirect(303, LOGIN_PATH);
  });

  const gate: RequestHandler = async (req, res, next) => {
    if (await sessionOf(req)) return next();
    // Flock's own credentials only: a proxy's Basic auth is not one, and must not count as a failed login.
    if (req.headers['x-api-key'] !== undefined || /^bearer\s/i.test(req.headers.authorization ?? '')) {
      viaCredentials(req, res, next);
      return;
    }
    // A browser's page load (it asks for HTML by name) goes to the login; API clients and the board's own calls get the envelope.
    if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) return res.redirect(303, LOGIN_PATH);
    next(new UnauthorizedError());
  };
  return { router, gate };
}
