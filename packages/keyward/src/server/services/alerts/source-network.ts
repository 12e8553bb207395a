/**
 * The network a source address belongs to, as the `new_source_network` alert counts them: the /24
 * of an IPv4 address, the /48 of an IPv6 one (the usual size of one site's assignment, RFC 6177).
 * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack listener reports) is its IPv4
 * address. Anything else (no address, a unix socket) has no network.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ipv4FromWords, ipv6Words } from '../ip-address-words.ts';

/** `192.0.2.0/24`, `2001:db8:1::/48`, or undefined. */
export function sourceNetworkOf(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  if (isIPv4(address)) return ipv4Network(address);
  if (!isIPv6(address)) return undefined;
  const words = ipv6Words(address.split('%')[0]!);
  // RFC 4291 §2.5.5.2: IPv4-mapped ::ffff:0:0/96 is the IPv4 address it carries.
  if (words.slice(0, 5).every((word) => word === 0) && words[5] === 0xffff) return ipv4Network(ipv4FromWords(words[6]!, words[7]!));
  return `${words.slice(0, 3).map((word) => word.toString(16)).join(':')}::/48`;
}

function ipv4Network(address: string): string {
  return `${address.split('.').slice(0, 3).join('.')}.0/24`;
}
