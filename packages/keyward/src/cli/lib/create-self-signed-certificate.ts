/**
 * Self-signed X.509 certificates for the certificate-upload flow (`keyward keygen --cert`), made with
 * @peculiar/x509 (maintained, pure TypeScript over WebCrypto, no native code; RSA, ECDSA and
 * Ed25519). Only this command loads it: reading keys and certificates lives in @keyward/core.
 */
import type * as X509 from '@peculiar/x509';
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { KeyError, checkAlgorithmFitsKey, defaultAlgorithmForKey, describeCertificate, publicHalf, type CertificateInfo, type JwsAlgorithm } from '@keyward/core';

/** WebCrypto's key and provider as @peculiar/x509 declares them (its own types, whatever the lib setting). */
type X509CryptoKey = Parameters<typeof X509.X509CertificateGenerator.createSelfSigned>[0]['keys']['publicKey'];
type X509Crypto = ReturnType<typeof X509.cryptoProvider.get>;

let x509Module: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509 (and the reflect-metadata polyfill it needs) is loaded on the first certificate
 * creation only: reading keys and verifying tokens never pays for it.
 */
function loadX509(): Promise<typeof X509> {
  x509Module ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as X509Crypto);
    return x509;
  })();
  return x509Module;
}

function signingAlgorithm(alg: JwsAlgorithm): { name: string; hash?: string; namedCurve?: string } {
  const hash = `SHA-${alg.slice(2)}`;
  if (alg.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5', hash };
  if (alg.startsWith('PS')) return { name: 'RSA-PSS', hash };
  if (alg === 'EdDSA' || alg === 'Ed25519') return { name: 'Ed25519' };
  return { name: 'ECDSA', hash };
}

function importAlgorithm(alg: JwsAlgorithm): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm {
  const sig = signingAlgorithm(alg);
  if (sig.name === 'ECDSA') {
    return { name: 'ECDSA', namedCurve: ({ ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as Record<string, string>)[alg] ?? 'P-256' };
  }
  if (sig.name === 'Ed25519') return { name: 'Ed25519' };
  // Certificates carry the plain rsaEncryption key; PKCS#1 v1.5 is the usual certificate signature.
  return { name: 'RSASSA-PKCS1-v1_5', hash: sig.hash ?? 'SHA-256' };
}

/** Turns "CN=a,O=b" or OpenSSL's "/CN=a/O=b" into an RFC 4514 name. */
function normalizeSubject(subject: string): string {
  const trimmed = subject.trim();
  if (trimmed.startsWith('/')) return trimmed.slice(1).split('/').filter(Boolean).join(', ');
  return trimmed;
}

/**
 * A self-signed X.509 certificate for a key pair (the certificate-upload flow). The certificate is
 * signed with PKCS#1 v1.5 for RSA keys (what certificate readers expect), ECDSA or Ed25519 otherwise.
 */
export async function createSelfSignedCertificate(options: {
  privateKey: KeyObject;
  subject: string;
  days: number;
  alg?: JwsAlgorithm;
  now?: Date;
}): Promise<{ pem: string; der: Uint8Array; info: CertificateInfo }> {
  const { privateKey } = options;
  const x509 = await loadX509();
  if (privateKey.type !== 'private') {
    throw new KeyError('key_not_private', 'a self-signed certificate is signed with the private key: give the private key');
  }
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > 3650) {
    throw new TypeError('days must be an integer between 1 and 3650');
  }
  const alg = options.alg === undefined ? defaultAlgorithmForKey(privateKey) : checkAlgorithmFitsKey(options.alg, privateKey);
  const effective: JwsAlgorithm = alg.startsWith('PS') ? (`RS${alg.slice(2)}` as JwsAlgorithm) : alg;
  const algorithm = importAlgorithm(effective);
  const subtle = webcrypto.subtle;
  const cryptoPrivate = await subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), algorithm, false, ['sign']);
  const publicDer = publicHalf(privateKey).export({ type: 'spki', format: 'der' });
  const cryptoPublic = await subtle.importKey('spki', publicDer, algorithm, true, ['verify']);
  const notBefore = options.now ?? new Date();
  const notAfter = new Date(notBefore.getTime() + options.days * 86_400_000);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // a positive INTEGER (RFC 5280 §4.1.2.2)
  let name: string;
  try {
    name = new x509.Name(normalizeSubject(options.subject)).toString();
  } catch (cause) {
    throw new KeyError('certificate_invalid', `the subject ${JSON.stringify(options.subject)} is not a distinguished name: write it as "CN=my-client,O=Example"`, { cause });
  }
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name,
    notBefore,
    notAfter,
    signingAlgorithm: signingAlgorithm(effective),
    keys: { privateKey: cryptoPrivate as unknown as X509CryptoKey, publicKey: cryptoPublic as unknown as X509CryptoKey },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(cryptoPublic as unknown as X509CryptoKey),
    ],
  });
  const der = new Uint8Array(cert.rawData);
  return { pem: cert.toString('pem').replace(/\r\n/g, '\n').trimEnd() + '\n', der, info: describeCertificate(new X509Certificate(der)) };
}
