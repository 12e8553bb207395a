/**
 * PEM reading that forgives what people do to key files (CRLF line ends, indentation, blank lines,
 * text around the blocks) and names what is wrong when a file is damaged (a missing END marker, bad
 * base64). RFC 7468 §2-§3. Does NOT decode the DER inside: node:crypto does that.
 */
import { KeyError } from '../errors.ts';

/** One PEM block: its label (`PUBLIC KEY`, `RSA PRIVATE KEY`...), RFC 1421 headers and canonical text. */
export interface PemBlock {
  readonly label: string;
  /** RFC 1421 encapsulated headers, e.g. `Proc-Type: 4,ENCRYPTED`, `DEK-Info: ...`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The block re-written canonically (64-character lines, LF) so that OpenSSL reads it. */
  readonly pem: string;
  readonly der: Buffer;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;
const END = /^-----END ([A-Z0-9 ]+)-----$/;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/** True when the text contains a PEM BEGIN or END marker. */
export function looksLikePem(text: string): boolean {
  return text.includes('-----BEGIN ') || text.includes('-----END ');
}

/**
 * Reads every PEM block of `text`. Throws KeyError `key_pem_malformed` with a sentence naming the
 * problem: no BEGIN marker, a BEGIN without its END, mismatched labels, or bad base64.
 */
export function readPemBlocks(text: string): PemBlock[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((line) => line.trim());
  const blocks: PemBlock[] = [];
  let index = 0;
  while (index < lines.length) {
    const begin = BEGIN.exec(lines[index] ?? '');
    if (!begin) {
      if ((lines[index] ?? '').startsWith('-----END ')) {
        throw new KeyError('key_pem_malformed', `the PEM has "${lines[index]}" without its BEGIN marker: the start of the file is missing; copy the whole key file again`);
      }
      index += 1;
      continue;
    }
    const label = begin[1] ?? '';
    const headers: Record<string, string> = {};
    const body: string[] = [];
    let closed = false;
    for (index += 1; index < lines.length; index += 1) {
      const line = lines[index] ?? '';
      const end = END.exec(line);
      if (end) {
        if (end[1] !== label) {
          throw new KeyError('key_pem_malformed', `the PEM block starts with "BEGIN ${label}" but ends with "END ${end[1]}": the file mixes two keys; copy the key file again`);
        }
        closed = true;
        index += 1;
        break;
      }
      if (line.startsWith('-----BEGIN ')) break;
      if (line === '') continue;
      const header = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (header && body.length === 0) {
        headers[header[1] ?? ''] = header[2] ?? '';
        continue;
      }
      if (!BASE64_LINE.test(line)) {
        throw new KeyError('key_pem_malformed', `the "${label}" PEM block has a line that is not base64 (line ${index + 1}): remove the extra characters or copy the key file again`);
      }
      body.push(line);
    }
    if (!closed) {
      throw new KeyError('key_pem_malformed', `the PEM has "-----BEGIN ${label}-----" but no "-----END ${label}-----" marker: the file is truncated; copy the whole key file again`);
    }
    const base64 = body.join('');
    if (base64.length === 0 || base64.length % 4 !== 0) {
      throw new KeyError('key_pem_malformed', `the "${label}" PEM block has a damaged base64 body (${base64.length === 0 ? 'empty' : 'wrong length'}): the file is truncated or edited; copy the key file again`);
    }
    const der = Buffer.from(base64, 'base64');
    const headerText = Object.entries(headers).map(([name, value]) => `${name}: ${value}\n`).join('');
    const wrapped = base64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
    const pem = `-----BEGIN ${label}-----\n${headerText}${headerText ? '\n' : ''}${wrapped}\n-----END ${label}-----\n`;
    blocks.push({ label, headers, pem, der });
  }
  if (blocks.length === 0) {
    throw new KeyError('key_pem_malformed', 'no "-----BEGIN ...-----" marker found: this is not a PEM file; give a PEM, certificate, JWK or JWKS file');
  }
  return blocks;
}

/** True when a PEM block is encrypted (encrypted PKCS#8, or the legacy `Proc-Type: 4,ENCRYPTED`). */
export function isEncryptedBlock(block: PemBlock): boolean {
  return block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/i.test(block.headers['Proc-Type'] ?? '');
}

/** Labels that carry private key material. */
export const PRIVATE_LABELS: ReadonlySet<string> = new Set([
  'PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'DSA PRIVATE KEY',
]);
