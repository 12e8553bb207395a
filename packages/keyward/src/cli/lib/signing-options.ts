/**
 * Options shared by the commands that sign with the client's private key (assertion, token, call):
 * which key, which client, which algorithm, and where the audience comes from.
 */
import type { Command } from 'commander';
import { isJwsAlgorithm, type JwsAlgorithm } from '@keyward/core';
import { CliError, EXIT } from '../output.ts';
import type { PassphraseOptions } from './passphrase.ts';

/** Parsed signing options. */
export interface SigningOptions extends PassphraseOptions {
  clientId?: string;
  key?: string;
  alg?: string;
  kid?: string;
  lifetime?: string;
  issuer?: string;
  tokenEndpoint?: string;
  aud?: string;
}

/** Adds --client-id, --key, --passphrase-env, --passphrase-file, --alg, --kid, --lifetime. */
export function addSigningOptions(command: Command): Command {
  return command
    .option('--client-id <id>', 'your client ID (default: KEYWARD_CLIENT_ID)')
    .option('--key <file>', 'your private key file: PEM (PKCS#1, PKCS#8, SEC1, encrypted, openssl genrsa -des3), DER or JWK (default: KEYWARD_PRIVATE_KEY)')
    .option('--passphrase-env <name>', 'read the key passphrase from this environment variable')
    .option('--passphrase-file <path>', 'read the key passphrase from this file')
    .option('--alg <alg>', 'signing algorithm (default from the key: RS256, ES256, EdDSA...)')
    .option('--kid <kid>', 'kid header: the registered key ID (the thumbprint keyward keygen prints)')
    .option('--lifetime <seconds>', 'seconds until exp');
}

/** Adds --issuer, --token-endpoint, --aud (where the token endpoint and the audience come from). */
export function addServerOptions(command: Command): Command {
  return command
    .option('--issuer <url>', "the authorization server's issuer: discovery finds the token endpoint, and aud = issuer (default: KEYWARD_ISSUER)")
    .option('--token-endpoint <url>', 'the token endpoint, for servers without discovery')
    .option('--aud <value>', 'the assertion audience, when it must differ from the issuer (legacy servers: the token endpoint URL)');
}

/** Resolved and checked signing options. */
export interface ResolvedSigning {
  clientId: string;
  keyFile: string;
  alg?: JwsAlgorithm;
  kid?: string;
  lifetime?: number;
}

/** Checks the signing options (usage errors exit 2) and applies the KEYWARD_* defaults. */
export function resolveSigningOptions(options: SigningOptions): ResolvedSigning {
  const clientId = options.clientId ?? process.env.KEYWARD_CLIENT_ID;
  if (clientId === undefined || clientId === '') throw new CliError('--client-id is required (or set KEYWARD_CLIENT_ID)', EXIT.usage);
  const keyFile = options.key ?? process.env.KEYWARD_PRIVATE_KEY;
  if (keyFile === undefined || keyFile === '') throw new CliError('--key is required: the path of your private key file (or set KEYWARD_PRIVATE_KEY)', EXIT.usage);
  const result: ResolvedSigning = { clientId, keyFile };
  if (options.alg !== undefined) {
    if (!isJwsAlgorithm(options.alg)) throw new CliError('--alg must be an asymmetric JWS algorithm: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA', EXIT.usage);
    result.alg = options.alg;
  }
  if (options.kid !== undefined) result.kid = options.kid;
  if (options.lifetime !== undefined) result.lifetime = parsePositiveInteger(options.lifetime, '--lifetime');
  return result;
}

/** Parses a positive integer option value or throws a usage error. */
export function parsePositiveInteger(value: string, name: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new CliError(`${name} must be a positive whole number`, EXIT.usage);
  return Number(value);
}

/** The issuer from --issuer or KEYWARD_ISSUER. */
export function resolveIssuer(options: SigningOptions): string | undefined {
  return options.issuer ?? (process.env.KEYWARD_ISSUER || undefined);
}
