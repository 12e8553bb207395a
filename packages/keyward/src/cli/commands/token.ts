/**
 * `keyward token`: gets an access token with private_key_jwt and the client_credentials grant:
 * discovery (RFC 8414), a fresh assertion (RFC 7523), `POST /token` (RFC 6749 §4.4).
 */
import type { Command } from 'commander';
import { createTokenClient } from '@keyward/client';
import { CliError, EXIT, printResult } from '../output.ts';
import { readPrivateKeyFile } from '../lib/key-files.ts';
import { mapClientError } from '../lib/map-client-error.ts';
import { addServerOptions, addSigningOptions, resolveIssuer, resolveSigningOptions, type ResolvedSigning, type SigningOptions } from '../lib/signing-options.ts';
import type { TokenClient } from '@keyward/client';
import { collectOption } from '../lib/collect-option.ts';

/** Options of the commands that get an access token (token, call). */
export interface TokenOptions extends SigningOptions {
  scope?: string;
  resource?: string[];
}

/** Adds --scope and --resource. */
export function addTokenOptions(command: Command): Command {
  return command
    .option('--scope <scope>', 'scope(s) to ask for, space-separated (e.g. read)')
    .option('--resource <uri>', 'RFC 8707 resource indicator (repeatable)', collectOption);
}

/** Builds the SDK token client from the CLI options (reads and opens the private key once). */
export async function createCliTokenClient(options: TokenOptions, signing: ResolvedSigning): Promise<TokenClient> {
  const issuer = resolveIssuer(options);
  if (issuer === undefined && options.tokenEndpoint === undefined) throw new CliError('give --issuer (or KEYWARD_ISSUER), or --token-endpoint', EXIT.usage);
  const privateKey = await readPrivateKeyFile(signing.keyFile, options);
  return createTokenClient({
    clientId: signing.clientId, privateKey,
    ...(issuer === undefined ? {} : { issuer }),
    ...(options.tokenEndpoint === undefined ? {} : { tokenEndpoint: options.tokenEndpoint }),
    ...(options.aud === undefined ? {} : { audience: options.aud }),
    ...(signing.alg === undefined ? {} : { alg: signing.alg }),
    ...(signing.kid === undefined ? {} : { kid: signing.kid }),
    ...(signing.lifetime === undefined ? {} : { assertionLifetime: signing.lifetime }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  });
}

/** Registers `keyward token`. */
export function registerTokenCommand(program: Command): void {
  const command = program.command('token').description('get an access token (discovery, signed assertion, POST /token); prints the token');
  addSigningOptions(command);
  addServerOptions(command);
  addTokenOptions(command)
    .option('--json', 'print the whole token response (access_token, token_type, expires_in, scope)')
    .addHelpText('after', `
Examples:
  keyward token --issuer http://127.0.0.1:4440 --client-id my-client --key private_key.pem --scope read
  TOKEN=$(keyward token --issuer https://as.example --client-id my-client --key key.pem --passphrase-env KEY_PASS)
  keyward token --token-endpoint https://localhost:9443/oauth2/token --client-id my-client --key key.pem --json

Exit codes: 0 printed; 1 refused by the server (invalid_client, invalid_scope...); 2 usage error;
3 unreadable key or passphrase; 4 server unreachable.`)
    .action(async (options: TokenOptions & { json?: boolean }) => {
      const signing = resolveSigningOptions(options);
      const client = await createCliTokenClient(options, signing);
      try {
        const response = await client.getTokenResponse({ ...(options.resource === undefined ? {} : { resource: options.resource }) });
        printResult(options.json, response.raw, () => response.access_token);
      } catch (error) {
        throw mapClientError(error);
      }
    });
}
