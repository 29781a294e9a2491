import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { CallbackHostUnresolvedError, CallbackRefusedError, ServiceUnavailableError } from '@flock/errors';
import { AddressPolicy, normalHost } from './address-policy';

/** Longest callback URL accepted, in characters. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/** One address a hostname resolves to, as `dns.lookup` gives it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a hostname to every address it has; `dns.lookup` (the system resolver) by default, a stand-in in tests. */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolve: Resolve = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

/** A callback URL checked against the policy, with the addresses a delivery may connect to. */
export interface CallbackTarget {
  url: URL;
  /**
   * Every address the hostname resolved to, each one checked, the first preferred; the
   * connection goes to one of them, whatever the hostname resolves to by then.
   */
  addresses: ResolvedAddress[];
}

/** How long a lookup may take before the check gives up (a 503 at submission; a retry at delivery). */
const LOOKUP_TIMEOUT_MS = 5_000;

/**
 * Parses a callback URL as a caller sent it: absolute http(s), no credentials, at most
 * MAX_CALLBACK_URL_LENGTH characters. The fragment, which is never sent, is dropped.
 */
export function parseCallbackUrl(text: string): URL {
  const refuse = (why: string) => new CallbackRefusedError(`'callback_url' ${why}`);
  if (text.length > MAX_CALLBACK_URL_LENGTH) throw refuse(`must be at most ${MAX_CALLBACK_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse('must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('must be an http or https URL');
  // Credentials in a URL end up in logs and proxies; the signature authenticates Flock instead.
  if (url.username || url.password) throw refuse('must not carry a user name or password');
  if (!url.hostname) throw refuse('must name a host');
  url.hash = '';
  return url;
}

/**
 * Checks callback URLs against the SSRF policy: at submission, to refuse early, and
 * again before every delivery attempt, since what a hostname resolves to can change
 * (DNS rebinding). Every address the hostname resolves to must be allowed, and the
 * delivery connects to one of those, the ones checked, never resolving again.
 */
export class CallbackGuard {
  constructor(
    private readonly policy: AddressPolicy,
    private readonly resolve: Resolve = systemResolve,
  ) {}

  /** The target to connect to; CallbackRefusedError for a URL or address the policy refuses. */
  async check(text: string): Promise<CallbackTarget> {
    const url = parseCallbackUrl(text);
    const hostname = normalHost(url.hostname);
    const addresses = isIP(hostname) ? [{ address: hostname, family: isIP(hostname) as 4 | 6 }] : await this.lookup(hostname);
    for (const { address } of addresses) {
      const range = this.policy.refusal(hostname, address);
      if (range !== undefined) {
        throw new CallbackRefusedError(
          `'callback_url' points at ${describe(range)} address (${address}), which Flock does not call; an operator may allow it with FLOCK_WEBHOOK_ALLOW_PRIVATE or FLOCK_WEBHOOK_ALLOWED_HOSTS`,
        );
      }
    }
    return { url, addresses };
  }

  private async lookup(hostname: string): Promise<ResolvedAddress[]> {
    let addresses: ResolvedAddress[];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`lookup of ${hostname} timed out`), { code: 'ETIMEOUT' })),
        LOOKUP_TIMEOUT_MS,
      );
    });
    try {
      addresses = await Promise.race([this.resolve(hostname), timeout]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA')
        throw new CallbackHostUnresolvedError(`'callback_url' names a host that does not resolve: ${hostname}`);
      throw new ServiceUnavailableError(`Could not resolve the host of 'callback_url' (${hostname}) just now. Try again shortly.`, error);
    } finally {
      clearTimeout(timer);
    }
    if (addresses.length === 0) throw new CallbackHostUnresolvedError(`'callback_url' names a host that does not resolve: ${hostname}`);
    return addresses;
  }
}

/** A range's name for people, with its article: `linkLocal` reads as "a link-local". */
function describe(range: string): string {
  const name = rangeName(range);
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

function rangeName(range: string): string {
  const names: Record<string, string> = {
    loopback: 'loopback',
    private: 'private',
    uniqueLocal: 'private',
    linkLocal: 'link-local',
    unspecified: 'unspecified',
    carrierGradeNat: 'carrier-grade NAT',
    multicast: 'multicast',
    broadcast: 'broadcast',
  };
  return names[range] ?? `non-public (${range})`;
}

/** The guard the settings describe (FLOCK_WEBHOOK_ALLOW_PRIVATE, FLOCK_WEBHOOK_ALLOWED_HOSTS), for the API and the worker alike. */
export function callbackGuardOf(settings: { webhookAllowPrivate: boolean; webhookAllowedHosts: string[] }): CallbackGuard {
  return new CallbackGuard(new AddressPolicy({ allowPrivate: settings.webhookAllowPrivate, allowedHosts: settings.webhookAllowedHosts }));
}
