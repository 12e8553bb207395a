/**
 * `keyward assertion`: signs a client assertion (RFC 7523 §2.2 private_key_jwt), or with `--direct`
 * a direct-mode token (source document 000: `clientcode` + `iat`, optional `exp`), replacing the
 * openssl/shell recipe and the jsonwebtoken / PyJWT snippets.
 */
import type { Command } from 'commander';
import { signClientAssertion } from '@keyward/core';
import { signDirectToken } from '@keyward/core';
import { discoverAuthorizationServer } from '@keyward/client';
import { CliError, EXIT, printResult } from '../output.ts';
import { readPrivateKeyFile } from '../lib/key-files.ts';
import { mapClientError } from '../lib/map-client-error.ts';
import { addServerOptions, addSigningOptions, resolveIssuer, resolveSigningOptions, type SigningOptions } from '../lib/signing-options.ts';
import { collectOption } from '../lib/collect-option.ts';

interface AssertionOptions extends SigningOptions {
  claim?: string[];
  typ?: string;
  direct?: boolean;
  clientIdClaim?: string;
  jti?: boolean;
  json?: boolean;
}

/** Parses `--claim k=v`: the value as JSON when it parses (numbers, true, arrays), else as a string. */
export function parseClaims(pairs: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`--claim ${JSON.stringify(pair)} must look like name=value`, EXIT.usage);
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try { value = JSON.parse(raw); } catch { value = raw; }
    claims[pair.slice(0, at)] = value;
  }
  return claims;
}

/** Decodes the header and claims of a JWT we just signed (for --json). */
export function decodeOwnJwt(token: string): { header: unknown; claims: unknown } {
  const [header = '', payload = ''] = token.split('.');
  return { header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')), claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) };
}

/** Registers `keyward assertion`. */
export function registerAssertionCommand(program: Command): void {
  const command = program.command('assertion')
    .description('sign a client assertion (private_key_jwt) or, with --direct, a direct-mode token; prints the JWT');
  addSigningOptions(command);
  addServerOptions(command)
    .option('--claim <name=value>', 'extra claim (repeatable); the value is JSON if it parses, else a string', collectOption)
    .option('--typ <typ>', 'header typ: JWT (default) or client-authentication+jwt')
    .option('--direct', 'sign a direct-mode token { clientcode, iat, exp? } for an API, instead of an assertion')
    .option('--client-id-claim <name>', 'direct mode: the claim that carries the client ID', 'clientcode')
    .option('--jti', 'direct mode: add a random jti')
    .option('--json', 'print { client_assertion | token, header, claims } as JSON')
    .addHelpText('after', `
Examples:
  keyward assertion --client-id my-client --key private_key.pem --issuer http://127.0.0.1:4440
  keyward assertion --client-id my-client --key private_key.pem --aud https://localhost:9443/oauth2/token > jwt_assertion.txt
  keyward assertion --direct --client-id client_12345 --key private_key.pem --passphrase-env PRIVATE_KEY_PASSWORD --lifetime 3600

The JWT is printed on one line, without a trailing newline when standard output is not a terminal.
Exit codes: 0 printed; 2 usage error; 3 unreadable key or passphrase; 4 issuer unreachable.`)
    .action(async (options: AssertionOptions) => {
      const signing = resolveSigningOptions(options);
      const claims = parseClaims(options.claim ?? []);
      if (options.typ !== undefined && options.typ !== 'JWT' && options.typ !== 'client-authentication+jwt') {
        throw new CliError('--typ must be JWT or client-authentication+jwt', EXIT.usage);
      }
      let token: string;
      if (options.direct) {
        if (Object.keys(claims).length > 0) throw new CliError('--claim is for client assertions; a direct token carries only the client ID claim, iat, exp and jti', EXIT.usage);
        const privateKey = await readPrivateKeyFile(signing.keyFile, options);
        token = await signDirectToken({
          clientId: signing.clientId, privateKey,
          ...(signing.alg === undefined ? {} : { alg: signing.alg }),
          ...(signing.kid === undefined ? {} : { kid: signing.kid }),
          ...(signing.lifetime === undefined ? {} : { lifetime: signing.lifetime }),
          ...(options.clientIdClaim === undefined ? {} : { clientIdClaim: options.clientIdClaim }),
          ...(options.jti ? { jti: true } : {}),
        });
      } else {
        const issuer = resolveIssuer(options);
        let audience = options.aud;
        if (audience === undefined && issuer !== undefined) {
          // RFC 8414 §3.3: the discovery confirms the issuer; it is the audience (draft-ietf-oauth-rfc7523bis §5).
          try {
            audience = (await discoverAuthorizationServer(issuer)).issuer;
          } catch (error) {
            throw mapClientError(error);
          }
        }
        audience ??= options.tokenEndpoint;
        if (audience === undefined) throw new CliError('give --issuer (the aud is then the issuer) or --aud', EXIT.usage);
        const privateKey = await readPrivateKeyFile(signing.keyFile, options);
        token = await signClientAssertion({
          clientId: signing.clientId, audience, privateKey, claims,
          ...(signing.alg === undefined ? {} : { alg: signing.alg }),
          ...(signing.kid === undefined ? {} : { kid: signing.kid }),
          ...(signing.lifetime === undefined ? {} : { lifetime: signing.lifetime, allowLongLifetime: true }),
          ...(options.typ === undefined ? {} : { typ: options.typ as 'JWT' | 'client-authentication+jwt' }),
        });
      }
      if (options.json) {
        printResult(true, { [options.direct ? 'token' : 'client_assertion']: token, ...decodeOwnJwt(token) }, () => token);
      } else {
        process.stdout.write(process.stdout.isTTY ? `${token}\n` : token);
      }
    });
}
