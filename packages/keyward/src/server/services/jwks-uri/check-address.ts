/**
 * Address policy of the `jwks_uri` fetcher (SSRF defence): a client-supplied URL must not make the
 * server talk to itself, its network or a cloud metadata service. Every address a host name
 * resolves to is checked, and the connection goes to the checked address (no second lookup, so DNS
 * rebinding cannot swap it).
 */
import { BlockList, isIP } from 'node:net';

const REFUSED = new BlockList();
const RANGES: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6', string]> = [
  // RFC 6890 special-purpose IPv4 ranges.
  ['0.0.0.0', 8, 'ipv4', 'this-network'],
  ['10.0.0.0', 8, 'ipv4', 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'ipv4', 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.168.0.0', 16, 'ipv4', 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved / broadcast'],
  // RFC 6890 / RFC 4291 special-purpose IPv6 ranges. IPv4-mapped addresses (::ffff:0:0/96) are
  // matched against the IPv4 ranges above by BlockList itself.
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['64:ff9b::', 96, 'ipv6', 'NAT64 (may reach private IPv4)'],
  ['100::', 64, 'ipv6', 'discard'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['fc00::', 7, 'ipv6', 'unique local (private)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];
for (const [network, prefix, type] of RANGES) REFUSED.addSubnet(network, prefix, type);

/**
 * Why `address` (an IP literal) may not be fetched, or undefined when it is a public address.
 * A string that is not an IP address is refused too.
 */
export function describeRefusedAddress(address: string): string | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (!REFUSED.check(bare, type)) return undefined;
  for (const [network, prefix, rangeType, label] of RANGES) {
    const one = new BlockList();
    one.addSubnet(network, prefix, rangeType);
    if (one.check(bare, type)) return label;
  }
  return 'special-purpose';
}
