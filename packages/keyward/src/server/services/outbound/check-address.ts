/**
 * Address policy of the `jwks_uri` fetcher (SSRF defence): a client-supplied URL must not make the
 * server talk to itself, its network or a cloud metadata service. Every address a host name
 * resolves to is checked, and the connection goes to the checked address (no second lookup, so DNS
 * rebinding cannot swap it).
 *
 * IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by
 * the IPv4 address they carry, through the one IPv4 rule below. Does NOT know ISATAP interface
 * identifiers or local-use NAT64 prefixes other than 64:ff9b:1::/48 (refused whole).
 */
import { BlockList, isIP } from 'node:net';
import { ipv4FromWords, ipv6Words } from '../ip-address-words.ts';

type Range = readonly [network: string, prefix: number, label: string];

// RFC 6890 special-purpose IPv4 ranges.
const IPV4_RANGES: readonly Range[] = [
  ['0.0.0.0', 8, 'this-network'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved / broadcast'],
];

// RFC 6890 / RFC 4291 special-purpose IPv6 ranges refused whole. The forms that embed an IPv4
// address are not listed here: see EMBEDDING_FORMS.
const IPV6_RANGES: readonly Range[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'local-use NAT64 (RFC 8215)'],
  ['100::', 64, 'discard'],
  // RFC 4380: the Teredo client's IPv4 address is obfuscated and its server may be anywhere.
  ['2001::', 32, 'Teredo (RFC 4380)'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];

/** An IPv6 form that carries an IPv4 address, and where (which 16-bit words) it sits. */
interface EmbeddingForm {
  readonly label: string;
  /** The words (0..7) that must equal these values for the form to apply. */
  readonly prefix: ReadonlyArray<readonly [word: number, value: number]>;
  /** Index of the first of the two words holding the IPv4 address. */
  readonly at: number;
}

const EMBEDDING_FORMS: readonly EmbeddingForm[] = [
  // RFC 4291 §2.5.5.2: IPv4-mapped ::ffff:0:0/96.
  { label: 'IPv4-mapped IPv6', prefix: [[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0xffff]], at: 6 },
  // RFC 4291 §2.5.5.1: IPv4-compatible ::/96 (deprecated; :: and ::1 are caught by IPV6_RANGES first).
  { label: 'IPv4-compatible IPv6', prefix: [[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0]], at: 6 },
  // RFC 6052 §2.1: the NAT64 well-known prefix 64:ff9b::/96 reaches the IPv4 address it carries.
  { label: 'NAT64', prefix: [[0, 0x64], [1, 0xff9b], [2, 0], [3, 0], [4, 0], [5, 0]], at: 6 },
  // RFC 3056 §2: 6to4 2002:V4ADDR::/48, the IPv4 address in bits 16-48.
  { label: '6to4', prefix: [[0, 0x2002]], at: 1 },
];

function blockList(ranges: readonly Range[], type: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, type);
  return list;
}

const REFUSED_IPV4 = blockList(IPV4_RANGES, 'ipv4');
const REFUSED_IPV6 = blockList(IPV6_RANGES, 'ipv6');

function labelOf(address: string, ranges: readonly Range[], type: 'ipv4' | 'ipv6'): string {
  for (const range of ranges) {
    if (blockList([range], type).check(address, type)) return range[2];
  }
  return 'special-purpose';
}

/**
 * Why `address` (an IP literal, IPv6 with or without brackets) may not be fetched, or undefined
 * when it is a public address. A string that is not an IP address is refused too.
 */
export function describeRefusedAddress(address: string): string | undefined {
  const bracketless = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const bare = bracketless.split('%')[0]!;
  const family = isIP(bare);
  if (family === 0) return 'not an IP address';
  if (family === 4) return REFUSED_IPV4.check(bare, 'ipv4') ? labelOf(bare, IPV4_RANGES, 'ipv4') : undefined;
  if (REFUSED_IPV6.check(bare, 'ipv6')) return labelOf(bare, IPV6_RANGES, 'ipv6');
  const words = ipv6Words(bare);
  for (const form of EMBEDDING_FORMS) {
    if (!form.prefix.every(([index, value]) => words[index] === value)) continue;
    const ipv4 = ipv4FromWords(words[form.at]!, words[form.at + 1]!);
    const why = describeRefusedAddress(ipv4);
    return why === undefined ? undefined : `${form.label} (embedding ${why} ${ipv4})`;
  }
  return undefined;
}
