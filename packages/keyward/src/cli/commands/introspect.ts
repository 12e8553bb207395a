/**
 * `keyward introspect`: asks the authorization server whether one of the client's own access tokens
 * is active (RFC 7662 §2), authenticated with the client's private_key_jwt assertion.
 */
import type { Command } from 'commander';
import { EXIT, printResult } from '../output.ts';
import { postWithAssertion } from '../lib/post-with-assertion.ts';
import { readTokenArgument } from '../lib/read-token-argument.ts';
import { addServerOptions, addSigningOptions, type SigningOptions } from '../lib/signing-options.ts';

/** Registers `keyward introspect`. */
export function registerIntrospectCommand(program: Command): void {
  const command = program.command('introspect')
    .description('ask the server whether an access token of this client is active (RFC 7662), signed in with the client key')
    .argument('<token>', 'the access token, @file, or - for standard input');
  addSigningOptions(command);
  addServerOptions(command)
    .option('--json', 'print the introspection response as JSON')
    .addHelpText('after', `
Example:
  keyward introspect "$TOKEN" --issuer http://127.0.0.1:4440 --client-id my-client --key private_key.pem

Exit codes: 0 active; 1 not active (expired, revoked, unknown) or refused; 2 usage error;
3 unreadable key, passphrase or token; 4 server unreachable.`)
    .action(async (argument: string, options: SigningOptions & { json?: boolean }) => {
      const token = readTokenArgument(argument);
      const { body } = await postWithAssertion(options, 'introspection_endpoint', { token, token_type_hint: 'access_token' });
      const active = body.active === true;
      printResult(options.json, body, () => active
        ? [`active: yes`, ...['client_id', 'scope', 'aud', 'exp', 'iat', 'jti'].filter((name) => body[name] !== undefined).map((name) => `${`${name}:`.padEnd(11)}${Array.isArray(body[name]) ? (body[name] as unknown[]).join(', ') : String(body[name])}`)].join('\n')
        : 'active: no (expired, revoked, or not a token of this server for this client)');
      if (!active) process.exitCode = EXIT.failed;
    });
}
