import ipaddr from 'ipaddr.js';

/**
 * Which addresses a callback may reach: the SSRF guard. Only globally routable unicast
 * addresses are allowed by default. Everything ipaddr.js files under another range is
 * refused: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10),
 * unspecified, carrier-grade NAT, multicast, broadcast, reserved and documentation
 * ranges, and the IPv6 forms that embed an IPv4 address a router or the kernel may
 * unwrap (6to4, Teredo, NAT64). IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the
 * IPv4 address it maps, and so is the deprecated IPv4-compatible form (`::127.0.0.1`),
 * which is refused when spelled in hex (`::7f00:1`).
 */
export interface AddressPolicyOptions {
  /** FLOCK_WEBHOOK_ALLOW_PRIVATE: every address is allowed (a trusted network, tests). */
  allowPrivate: boolean;
  /**
   * FLOCK_WEBHOOK_ALLOWED_HOSTS: hostnames (exact, case-insensitive), IP addresses or
   * CIDR ranges allowed even though their addresses are not public.
   */
  allowedHosts: string[];
}

/** Why an address was refused: the ipaddr.js range it falls in, such as `loopback` or `private`. */
export type AddressRange = string;

/** The range an IP address falls in, `unicast` for a public one; undefined when the text is no IP address. */
export function addressRange(address: string): AddressRange | undefined {
  if (!ipaddr.isValid(address)) return undefined;
  // ipaddr.js reads `::127.0.0.1` as IPv4-mapped, so process() unwraps it, but leaves
  // `::7f00:1`, the same address, as IPv6 unicast: that spelling is refused here.
  if (ipaddr.IPv6.isValid(address) && isIpv4Compatible(ipaddr.IPv6.parse(address))) return 'ipv4Compatible';
  // process() turns an IPv4-mapped IPv6 address into the IPv4 address it maps.
  return ipaddr.process(address).range();
}

/** `::a.b.c.d` (RFC 4291's deprecated IPv4-compatible form), other than `::` and `::1`, which have ranges of their own. */
function isIpv4Compatible(address: ipaddr.IPv6): boolean {
  const parts = address.parts;
  return parts.slice(0, 6).every((part) => part === 0) && (parts[6] !== 0 || parts[7]! > 1);
}

export class AddressPolicy {
  private readonly hostnames: Set<string>;
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(private readonly options: AddressPolicyOptions) {
    this.hostnames = new Set();
    this.ranges = [];
    for (const entry of options.allowedHosts.map(normalHost).filter(Boolean)) {
      const range = parseRange(entry);
      if (range) this.ranges.push(range);
      else this.hostnames.add(entry.replace(/\.$/, ''));
    }
  }

  /** Whether `hostname` is allowed whatever it resolves to: private addresses allowed, or the host listed by name. */
  trustsHost(hostname: string): boolean {
    return this.options.allowPrivate || this.hostnames.has(normalHost(hostname));
  }

  /** The range that makes `address` refused, or undefined when a callback may reach it. */
  refusal(hostname: string, address: string): AddressRange | undefined {
    if (this.trustsHost(hostname)) return undefined;
    const range = addressRange(address);
    if (range === undefined) return 'invalid';
    if (range === 'unicast') return undefined;
    const parsed = ipaddr.process(address);
    const listed = this.ranges.some(([network, bits]) => network.kind() === parsed.kind() && parsed.match(network, bits));
    return listed ? undefined : range;
  }
}

/** A URL's hostname as compared with the allowlist: lower case, no IPv6 brackets, no trailing dot. */
export function normalHost(hostname: string): string {
  return hostname
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** An allowlist entry that is an address (a /32 or /128) or a CIDR range; undefined for a hostname. */
function parseRange(entry: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  if (entry.includes('/')) return ipaddr.isValidCIDR(entry) ? ipaddr.parseCIDR(entry) : undefined;
  if (!ipaddr.isValid(entry)) return undefined;
  const address = ipaddr.process(entry);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}
