/**
 * X.509 certificates: reading (node:crypto's X509Certificate). Reading does NOT check a chain or
 * revocation: a registered certificate is a container for a public key plus validity dates, pinned
 * by the operator. Creating a self-signed certificate (`keyward keygen --cert`) lives in the
 * `keyward` package (cli/lib/create-self-signed-certificate.ts), with its @peculiar/x509 dependency.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { KeyError } from '../errors.ts';
import { looksLikePem, readPemBlocks } from './pem.ts';
import { checkKeyPolicy } from './policy.ts';
import type { CertificateInfo } from './types.ts';

function describeName(name: string): string {
  // node prints one attribute per line; show them the way people write them.
  return name.split('\n').filter(Boolean).join(', ');
}

/** Facts of a parsed certificate. */
export function describeCertificate(cert: X509Certificate): CertificateInfo {
  return {
    subject: describeName(cert.subject),
    issuer: describeName(cert.issuer),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    thumbprintSha256: createHash('sha256').update(cert.raw).digest('base64url'),
    serialNumber: cert.serialNumber,
  };
}

/** Reads one certificate (PEM or DER) and returns its facts and public key (checked by the policy). */
export function readCertificate(input: string | Uint8Array): { info: CertificateInfo; publicKey: KeyObject } {
  let der: Buffer;
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  if (looksLikePem(text)) {
    const block = readPemBlocks(text).find((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
    if (!block) throw new KeyError('certificate_invalid', 'no "-----BEGIN CERTIFICATE-----" block found: give a PEM or DER X.509 certificate');
    der = block.der;
  } else {
    der = Buffer.from(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (cause) {
    throw new KeyError('certificate_invalid', 'the certificate could not be parsed (damaged DER or not a certificate): export it again, e.g. `openssl x509 -in cert.pem -outform PEM`', { cause });
  }
  checkKeyPolicy(cert.publicKey);
  return { info: describeCertificate(cert), publicKey: cert.publicKey };
}
