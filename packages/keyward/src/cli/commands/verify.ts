/**
 * `keyward verify`: checks an access token the way an API does (`@keyward/verify`, mode A):
 * discovery (RFC 8414), the issuer's /jwks, typ at+jwt, signature, iss, aud, exp, nbf, iat
 * (RFC 9068 §4), optionally required scopes. Prints the claims, or the reason code of the refusal.
 * Does NOT check revocation (an API that must know asks introspection: `keyward introspect`).
 */
import type { Command } from 'commander';
import { createVerifier } from '@keyward/verify';
import { CliError, EXIT, printResult } from '../output.ts';
import { readTokenArgument } from '../lib/read-token-argument.ts';
import { collectOption } from '../lib/collect-option.ts';
import { describeNumericDate } from '../lib/format-time.ts';

interface VerifyCommandOptions {
  issuer?: string;
  audience?: string[];
  scope?: string[];
  json?: boolean;
}

/** Registers `keyward verify`. */
export function registerVerifyCommand(program: Command): void {
  program.command('verify')
    .description('check an access token as an API would (discovery, /jwks, every RFC 9068 rule); prints its claims or why it is refused')
    .argument('<token>', 'the access token, @file, or - for standard input')
    .option('--issuer <url>', 'the authorization server (default: KEYWARD_ISSUER)')
    .option('--audience <uri>', "this API's identifier the token's aud must contain (repeatable; default: the issuer, as for a token requested without resource)", collectOption)
    .option('--scope <scope>', 'a scope the token must carry (repeatable)', collectOption)
    .option('--json', 'print { active, client_id, scope, claims } as JSON')
    .addHelpText('after', `
Examples:
  keyward verify "$TOKEN" --issuer http://127.0.0.1:4440
  keyward token ... | keyward verify - --issuer https://as.example --audience https://orders-api.example --scope read

Exit codes: 0 the token is valid; 1 refused (the reason code is printed); 2 usage error;
3 unreadable token; 4 server unreachable.`)
    .action(async (argument: string, options: VerifyCommandOptions) => {
      const issuer = (options.issuer ?? process.env.KEYWARD_ISSUER)?.replace(/\/+$/, '');
      if (issuer === undefined || issuer === '') throw new CliError('give --issuer (or KEYWARD_ISSUER): the authorization server whose token this is', EXIT.usage);
      const token = readTokenArgument(argument);
      const verifier = createVerifier({ accessToken: { issuer, audience: options.audience ?? [issuer] } });
      const result = await verifier.authenticate({ authorization: `Bearer ${token}` }, { modes: ['access_token'], ...(options.scope ? { scopes: options.scope } : {}) });
      if (!result.ok) {
        const refusal = result.challenge.refusal;
        // The issuer's discovery or key set could not be fetched: not the token's fault.
        if (refusal.reason === 'store_unavailable') throw new CliError(`cannot check the token against ${issuer}: ${refusal.detail ?? refusal.description}`, EXIT.unreachable);
        throw refusal;
      }
      const { principal } = result;
      const claims = principal.claims;
      printResult(options.json, { active: true, client_id: principal.clientId, scope: principal.scopes.join(' '), claims }, () => [
        `valid access token of ${issuer}`,
        `client_id: ${principal.clientId}`,
        `scope:     ${principal.scopes.join(' ') || '(none)'}`,
        `aud:       ${Array.isArray(claims.aud) ? claims.aud.join(', ') : String(claims.aud)}`,
        `exp:       ${describeNumericDate(claims.exp, Date.now() / 1000)}`,
      ].join('\n'));
    });
}
