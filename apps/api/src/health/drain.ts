import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/**
 * Whether this API process is stopping. While it is, /readyz fails, so load balancers
 * take it out, and every response, in flight or new, carries `Connection: close`, so
 * keep-alive clients reconnect to another replica instead of to a closed socket.
 */
export class Drain {
  private draining = false;
  private readonly inFlight = new Set<ServerResponse>();

  get active(): boolean {
    return this.draining;
  }

  /** Middleware, first in the app: tracks each response until it is sent. */
  readonly track: RequestHandler = (_req, res, next) => {
    if (this.draining) {
      res.setHeader('Connection', 'close');
    } else {
      this.inFlight.add(res);
      res.once('close', () => this.inFlight.delete(res));
    }
    next();
  };

  start(): void {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    this.inFlight.clear();
  }
}
