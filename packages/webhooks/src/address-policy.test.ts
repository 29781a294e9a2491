import { AddressPolicy, addressRange } from './address-policy';

const strict = new AddressPolicy({ allowPrivate: false, allowedHosts: [] });

describe('addressRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    // IPv4-mapped IPv6 is judged as the IPv4 address it maps, in either spelling.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
    ['::FFFF:192.168.0.1', 'private'],
    // Forms that embed an IPv4 address some router or kernel may unwrap.
    // The deprecated IPv4-compatible form: ipaddr.js reads the dotted spelling as mapped, the hex one is refused as is.
    ['::127.0.0.1', 'loopback'],
    ['::10.0.0.1', 'private'],
    ['::7f00:1', 'ipv4Compatible'],
    ['::a00:1', 'ipv4Compatible'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['2001:0:4136:e378::1', 'teredo'],
    ['8.8.8.8', 'unicast'],
    ['93.184.216.34', 'unicast'],
    ['2606:4700:4700::1111', 'unicast'],
    ['::ffff:8.8.8.8', 'unicast'],
  ])('files %s under %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
  });

  it('is undefined for text that is no address', () => {
    expect(addressRange('example.com')).toBeUndefined();
  });
});

describe('AddressPolicy', () => {
  it('allows public unicast addresses only', () => {
    expect(strict.refusal('hooks.example.com', '8.8.8.8')).toBeUndefined();
    expect(strict.refusal('hooks.example.com', '2606:4700:4700::1111')).toBeUndefined();
    expect(strict.refusal('hooks.example.com', '127.0.0.1')).toBe('loopback');
    expect(strict.refusal('hooks.example.com', '::ffff:127.0.0.1')).toBe('loopback');
    expect(strict.refusal('hooks.example.com', '192.0.2.1')).toBe('reserved');
    expect(strict.refusal('hooks.example.com', 'not-an-address')).toBe('invalid');
  });

  it('allows every address when private addresses are allowed', () => {
    const open = new AddressPolicy({ allowPrivate: true, allowedHosts: [] });
    expect(open.refusal('localhost', '127.0.0.1')).toBeUndefined();
    expect(open.refusal('x', '169.254.169.254')).toBeUndefined();
  });

  it('allows listed hostnames, addresses and ranges, and nothing beside them', () => {
    const listed = new AddressPolicy({ allowPrivate: false, allowedHosts: ['Hooks.Internal', '10.0.0.0/8', '192.168.1.5', 'fd00::/8'] });
    expect(listed.refusal('hooks.internal', '127.0.0.1')).toBeUndefined();
    expect(listed.refusal('HOOKS.INTERNAL.', '127.0.0.1')).toBeUndefined();
    expect(listed.refusal('other.internal', '10.9.8.7')).toBeUndefined();
    expect(listed.refusal('other.internal', '::ffff:10.9.8.7')).toBeUndefined();
    expect(listed.refusal('other.internal', '192.168.1.5')).toBeUndefined();
    expect(listed.refusal('other.internal', 'fd12::1')).toBeUndefined();
    expect(listed.refusal('other.internal', '192.168.1.6')).toBe('private');
    expect(listed.refusal('other.internal', '127.0.0.1')).toBe('loopback');
    expect(listed.refusal('hooks.internal.evil.com', '127.0.0.1')).toBe('loopback');
  });
});
