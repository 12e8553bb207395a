/**
 * `keyward keygen`: a new key pair for a client, replacing the `openssl genrsa` recipes: the private
 * key (mode 0600, optionally encrypted), the public key PEM to register, the public JWK and a JWKS
 * with the RFC 7638 thumbprint as kid, and optionally a self-signed certificate.
 */
import type { Command } from 'commander';
import { generateKeyPair, type KeyPairType } from '@keyward/core';
import { exportPrivatePem, exportPublicJwk, exportPublicPem } from '@keyward/core';
import { createSelfSignedCertificate } from '../lib/create-self-signed-certificate.ts';
import { isJwsAlgorithm, type JwsAlgorithm } from '@keyward/core';
import { CliError, EXIT, printResult, withProgress } from '../output.ts';
import { readPassphrase } from '../lib/passphrase.ts';
import { parsePositiveInteger } from '../lib/signing-options.ts';
import { writeOutputFiles, type OutputFile } from '../lib/write-files.ts';

interface KeygenOptions {
  type: string;
  bits?: string;
  curve?: string;
  alg?: string;
  out: string;
  encrypt?: boolean;
  passphraseEnv?: string;
  passphraseFile?: string;
  cert?: boolean;
  days: string;
  subject?: string;
  force?: boolean;
  json?: boolean;
}

/** Registers `keyward keygen`. */
export function registerKeygenCommand(program: Command): void {
  program.command('keygen')
    .description('generate a key pair: private key (0600), public PEM, public JWK and JWKS (kid = RFC 7638 thumbprint)')
    .option('--type <type>', 'rsa, ec or ed25519', 'rsa')
    .option('--bits <n>', 'RSA size: 2048, 3072 or 4096 (default 2048)')
    .option('--curve <name>', 'EC curve: P-256, P-384 or P-521 (default P-256)')
    .option('--alg <alg>', 'the JWS algorithm to declare in the JWK (default: RS256, ES256/384/512, EdDSA)')
    .option('--out <prefix>', 'file name prefix: writes <prefix>-private.pem, -public.pem, -public.jwk.json, -jwks.json', 'client')
    .option('--encrypt', 'encrypt the private key (AES-256, PKCS#8) with a passphrase')
    .option('--passphrase-env <name>', 'take the passphrase from this environment variable')
    .option('--passphrase-file <path>', 'take the passphrase from this file')
    .option('--cert', 'also write a self-signed X.509 certificate <prefix>-cert.pem (for certificate-upload servers)')
    .option('--days <n>', 'certificate validity in days', '365')
    .option('--subject <dn>', 'certificate subject, e.g. "CN=my-client,O=Example" (default CN=<prefix>)')
    .option('--force', 'overwrite existing files')
    .option('--json', 'print the file names, kid and public JWK as JSON')
    .addHelpText('after', `
Examples:
  keyward keygen --out keys/shop                      RSA 2048, like openssl genrsa 2048
  keyward keygen --type ec --curve P-256 --out api
  KEY_PASS=secret keyward keygen --encrypt --passphrase-env KEY_PASS --out prod
  keyward keygen --cert --days 365 --subject "CN=orders-service" --out wso2

Register the public key: keyward clients add --name shop --public-key keys/shop-public.pem
Exit codes: 0 written; 2 usage error or a file exists (use --force); 3 passphrase unreadable.`)
    .action(async (options: KeygenOptions) => {
      if (!['rsa', 'ec', 'ed25519'].includes(options.type)) throw new CliError('--type must be rsa, ec or ed25519', EXIT.usage);
      if (options.alg !== undefined && !isJwsAlgorithm(options.alg)) throw new CliError('--alg must be an asymmetric JWS algorithm (RS256, PS256, ES256, EdDSA...)', EXIT.usage);
      const days = parsePositiveInteger(options.days, '--days');
      const prefix = options.out;
      const paths = {
        private_key: `${prefix}-private.pem`,
        public_key: `${prefix}-public.pem`,
        public_jwk: `${prefix}-public.jwk.json`,
        jwks: `${prefix}-jwks.json`,
        ...(options.cert ? { certificate: `${prefix}-cert.pem` } : {}),
      };
      // Ask for the passphrase before the (slow) generation.
      const passphrase = options.encrypt ? await readPassphrase(options, 'the new private key', true) : undefined;
      if (!options.encrypt && (options.passphraseEnv !== undefined || options.passphraseFile !== undefined)) {
        throw new CliError('--passphrase-env/--passphrase-file need --encrypt', EXIT.usage);
      }
      const bits = options.bits === undefined ? undefined : parsePositiveInteger(options.bits, '--bits');
      const generate = () => generateKeyPair({
        type: options.type as KeyPairType,
        ...(bits === undefined ? {} : { bits }),
        ...(options.curve === undefined ? {} : { curve: options.curve }),
      });
      // RSA keys above 2048 bits take seconds (4096: often 1-5 s): say so while it runs.
      const { privateKey } = options.type === 'rsa' && bits !== undefined && bits > 2048
        ? await withProgress(`generating a ${bits}-bit RSA key pair`, options.json, generate)
        : await generate();
      const alg = options.alg as JwsAlgorithm | undefined;
      const jwk = exportPublicJwk(privateKey, alg === undefined ? {} : { alg });
      const files: OutputFile[] = [
        { path: paths.private_key, content: exportPrivatePem(privateKey, passphrase === undefined ? {} : { passphrase }), mode: 0o600 },
        { path: paths.public_key, content: exportPublicPem(privateKey), mode: 0o644 },
        { path: paths.public_jwk, content: `${JSON.stringify(jwk, null, 2)}\n`, mode: 0o644 },
        { path: paths.jwks, content: `${JSON.stringify({ keys: [jwk] }, null, 2)}\n`, mode: 0o644 },
      ];
      if (options.cert) {
        const subject = options.subject ?? `CN=${prefix.split('/').pop() ?? 'keyward-client'}`;
        const cert = await createSelfSignedCertificate({ privateKey, subject, days, ...(alg === undefined ? {} : { alg }) });
        files.push({ path: `${prefix}-cert.pem`, content: cert.pem, mode: 0o644 });
      }
      writeOutputFiles(files, options.force === true);
      printResult(options.json, { kid: jwk.kid, kty: jwk.kty, alg: jwk.alg, encrypted: passphrase !== undefined, files: paths, public_jwk: jwk }, () => [
        `wrote ${paths.private_key} (private key, mode 0600${passphrase === undefined ? '' : ', encrypted'}: keep it secret)`,
        `wrote ${paths.public_key}, ${paths.public_jwk}, ${paths.jwks}${options.cert ? `, ${prefix}-cert.pem` : ''}`,
        `kid (RFC 7638 thumbprint): ${jwk.kid}   alg: ${jwk.alg}`,
        `next: keyward clients add --name <name> --public-key ${options.cert ? `${prefix}-cert.pem` : paths.public_key}`,
      ].join('\n'));
    });
}
