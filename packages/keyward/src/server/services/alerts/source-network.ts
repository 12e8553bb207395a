/**
 * The network a source address belongs to, as the `new_source_network` alert counts them: the /24
 * of an IPv4 address, the /48 of an IPv6 one (the usual size of one site's assignment, RFC 6177).
 * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack listener reports) is its IPv4
 * address. Anything else (no address, a unix socket) has no network.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** `192.0.2.0/24`, `2001:db8:1::/48`, or undefined. */
export function sourceNetworkOf(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const v4 = mapped ? mapped[1]! : address;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(address)) return undefined;
  const groups = expandIPv6(address.split('%')[0]!);
  return `${groups.slice(0, 3).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/48`;
}

/** The eight groups of an IPv6 address (lower case, `::` expanded; an embedded IPv4 tail as two groups). */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right];
}
