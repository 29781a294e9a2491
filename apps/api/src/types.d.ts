import type { Principal } from '@flock/auth';

declare global {
  namespace Express {
    interface Request {
      /** The authenticated caller; set by the authenticate middleware before any route. */
      principal?: Principal;
    }
  }
}

export {};
