/**
 * IPv6 literals as their eight 16-bit words (RFC 4291 §2.2), and IPv4 addresses held in two of
 * them: one reading shared by the outbound address rules (check-address.ts) and the alerts' source
 * networks (source-network.ts).
 */

/** The eight 16-bit words of a valid IPv6 literal (as accepted by isIP, zone id stripped). */
export function ipv6Words(address: string): number[] {
  // RFC 4291 §2.2 (3): a trailing dotted IPv4 part stands for the last two words.
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_all, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`);
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((word) => Number.parseInt(word, 16)));
  const [head = '', tail] = text.split('::');
  if (tail === undefined) return parse(head);
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** The dotted IPv4 address held in two 16-bit words. */
export function ipv4FromWords(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}
