import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CallbackTarget, ResolvedAddress } from './callback-target';

export interface PostOptions {
  /** The whole attempt, connection to response headers, is abandoned after this long. */
  timeoutMs: number;
}

/** What one attempt got: the response's status, whatever it was (3xx included: redirects are never followed). */
export interface PostResult {
  status: number;
}

/** A delivery attempt that got no response: refused, reset, timed out. */
export class CallbackUnreachableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message);
    this.name = 'CallbackUnreachableError';
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * POSTs `body` to a checked callback target over a fresh connection to a checked
 * address: the connection's lookup answers with those addresses alone, so a hostname that
 * resolves elsewhere by now (DNS rebinding) cannot redirect it. The URL's hostname still
 * goes in the Host header and, over https, in SNI and the certificate check.
 */
export function postCallback(
  target: CallbackTarget,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
): Promise<PostResult> {
  const { url, addresses } = target;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const requestOptions: RequestOptions = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    // A connection of its own: a pooled one could have been opened to another address.
    agent: false,
    lookup: pinnedLookup(addresses),
    timeout: options.timeoutMs,
  };
  return new Promise<PostResult>((resolve, reject) => {
    const req = send(requestOptions);
    // The socket timeout covers idle gaps; this one covers the attempt as a whole.
    const deadline = setTimeout(
      () => req.destroy(new CallbackUnreachableError(`no response within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const done = () => clearTimeout(deadline);
    req.on('timeout', () => req.destroy(new CallbackUnreachableError(`no response within ${options.timeoutMs} ms`)));
    req.on('error', (error) => {
      done();
      reject(
        error instanceof CallbackUnreachableError
          ? error
          : new CallbackUnreachableError(`could not reach the callback: ${codeOf(error)}`, error),
      );
    });
    // The status is the answer: the body is never read, so a receiver that drips one
    // byte at a time cannot hold this delivery (and the worker slot) past the deadline.
    req.on('response', (res: IncomingMessage) => {
      done();
      res.destroy();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.end(body);
  });
}

/**
 * A `lookup` for net.connect that answers with the addresses already checked, never
 * asking DNS again: all of them when asked for all (Happy Eyeballs tries each), else the first.
 */
function pinnedLookup(pinned: ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all)
      callback(
        null,
        pinned.map(({ address, family }) => ({ address, family })),
      );
    else callback(null, pinned[0]!.address, pinned[0]!.family);
  }) as LookupFunction;
}

function codeOf(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
