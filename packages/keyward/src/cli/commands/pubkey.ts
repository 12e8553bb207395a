/**
 * `keyward pubkey`: the public key (PEM, JWK or JWKS) of any private key Keyward can read, including
 * `openssl genrsa -des3` output; also accepts a public key or certificate and re-exports it.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import { exportPublicJwk, exportPublicPem } from '@keyward/core';
import { isJwsAlgorithm, type JwsAlgorithm } from '@keyward/core';
import { CliError, EXIT } from '../output.ts';
import { isPrivateKeyContent, readKeyFileContent, readPrivateKeyFile, readPublicKeyFile } from '../lib/key-files.ts';
import { writeOutputFiles } from '../lib/write-files.ts';

interface PubkeyOptions {
  format: string;
  alg?: string;
  kid?: string;
  out?: string;
  force?: boolean;
  passphraseEnv?: string;
  passphraseFile?: string;
}

/** Registers `keyward pubkey`. */
export function registerPubkeyCommand(program: Command): void {
  program.command('pubkey')
    .description('print the public key of a private key (or re-export a public key / certificate) as PEM, JWK or JWKS')
    .argument('<keyfile>', 'private key (any PEM, encrypted or not, DER, JWK), public key or certificate')
    .option('--format <format>', 'pem, jwk or jwks', 'pem')
    .option('--alg <alg>', 'alg member of the JWK (default from the key)')
    .option('--kid <kid>', 'kid of the JWK (default: the RFC 7638 thumbprint)')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--force', 'overwrite --out if it exists')
    .option('--passphrase-env <name>', 'passphrase of an encrypted key, from this environment variable')
    .option('--passphrase-file <path>', 'passphrase of an encrypted key, from this file')
    .addHelpText('after', `
Examples:
  keyward pubkey private_key.pem > public_key.pem
  PRIVATE_KEY_PASSWORD=... keyward pubkey private_key.pem --passphrase-env PRIVATE_KEY_PASSWORD --format jwk
  keyward pubkey certificate.pem --format jwks --out jwks.json

Exit codes: 0 printed; 2 usage error; 3 unreadable key, missing or wrong passphrase.`)
    .action(async (file: string, options: PubkeyOptions) => {
      if (!['pem', 'jwk', 'jwks'].includes(options.format)) throw new CliError('--format must be pem, jwk or jwks', EXIT.usage);
      if (options.alg !== undefined && !isJwsAlgorithm(options.alg)) throw new CliError('--alg must be an asymmetric JWS algorithm', EXIT.usage);
      const content = readKeyFileContent(file);
      let publicKey: KeyObject;
      let kid = options.kid;
      if (isPrivateKeyContent(content)) {
        publicKey = createPublicKey(await readPrivateKeyFile(file, options));
      } else {
        const [info] = readPublicKeyFile(file);
        if (info === undefined) throw new CliError(`${file} holds no key`, EXIT.input);
        publicKey = info.key;
        // A JWK's own kid is kept unless --kid overrides it.
        kid ??= /^\s*[{[]/.test(typeof content === 'string' ? content : '') ? info.kid : undefined;
      }
      const jwkOptions = { ...(kid === undefined ? {} : { kid }), ...(options.alg === undefined ? {} : { alg: options.alg as JwsAlgorithm }) };
      const output = options.format === 'pem' ? exportPublicPem(publicKey)
        : options.format === 'jwk' ? `${JSON.stringify(exportPublicJwk(publicKey, jwkOptions), null, 2)}\n`
          : `${JSON.stringify({ keys: [exportPublicJwk(publicKey, jwkOptions)] }, null, 2)}\n`;
      if (options.out !== undefined) writeOutputFiles([{ path: options.out, content: output, mode: 0o644 }], options.force === true);
      else process.stdout.write(output);
    });
}
