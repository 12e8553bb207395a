/**
 * Keys made by the real `openssl` command, once per test file, in a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PASSPHRASE = 'correct horse battery staple';

export interface OpensslKeys {
  dir: string;
  read(name: string): string;
  readBytes(name: string): Buffer;
  cleanup(): void;
}

export function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Generates the usual openssl keys of the source documents into a fresh temporary directory. */
export function makeOpensslKeys(): OpensslKeys {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-keys-'));
  const run = (args: string[]) => openssl(args, dir);
  run(['genrsa', '-out', 'rsa.pem', '2048']);
  run(['rsa', '-in', 'rsa.pem', '-pubout', '-out', 'rsa.pub.pem']);
  run(['rsa', '-in', 'rsa.pem', '-RSAPublicKey_out', '-out', 'rsa.pkcs1.pub.pem']);
  run(['rsa', '-in', 'rsa.pem', '-traditional', '-out', 'rsa.pkcs1.pem']);
  run(['pkcs8', '-topk8', '-in', 'rsa.pem', '-passout', `pass:${PASSPHRASE}`, '-v2', 'aes-256-cbc', '-out', 'rsa.enc.pem']);
  run(['rsa', '-in', 'rsa.pem', '-des3', '-traditional', '-passout', `pass:${PASSPHRASE}`, '-out', 'rsa.legacy-des3.pem']);
  run(['ecparam', '-genkey', '-name', 'prime256v1', '-out', 'ec.sec1.pem']);
  run(['ec', '-in', 'ec.sec1.pem', '-pubout', '-out', 'ec.pub.pem']);
  run(['genpkey', '-algorithm', 'ed25519', '-out', 'ed.pem']);
  run(['pkey', '-in', 'ed.pem', '-pubout', '-out', 'ed.pub.pem']);
  run(['req', '-new', '-x509', '-key', 'rsa.pem', '-out', 'cert.pem', '-days', '365', '-subj', '/CN=order-service/O=Example']);
  run(['x509', '-in', 'cert.pem', '-outform', 'DER', '-out', 'cert.der']);
  run(['genrsa', '-out', 'rsa1024.pem', '1024']);
  run(['rsa', '-in', 'rsa1024.pem', '-pubout', '-out', 'rsa1024.pub.pem']);
  run(['ecparam', '-genkey', '-name', 'secp256k1', '-noout', '-out', 'k1.pem']);
  run(['ec', '-in', 'k1.pem', '-pubout', '-out', 'k1.pub.pem']);
  return {
    dir,
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    readBytes: (name) => readFileSync(join(dir, name)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
