/**
 * `keyward revoke`: revokes one of the client's own access tokens (RFC 7009 §2), authenticated with
 * the client's private_key_jwt assertion. The server answers 200 whether or not it knew the token
 * (RFC 7009 §2.2), so success says the token is not usable any more, not that it existed.
 */
import type { Command } from 'commander';
import { printResult } from '../output.ts';
import { postWithAssertion } from '../lib/post-with-assertion.ts';
import { readTokenArgument } from '../lib/read-token-argument.ts';
import { addServerOptions, addSigningOptions, type SigningOptions } from '../lib/signing-options.ts';

/** Registers `keyward revoke`. */
export function registerRevokeCommand(program: Command): void {
  const command = program.command('revoke')
    .description('revoke an access token of this client (RFC 7009), signed in with the client key')
    .argument('<token>', 'the access token, @file, or - for standard input');
  addSigningOptions(command);
  addServerOptions(command)
    .option('--json', 'print { revoked: true } as JSON')
    .addHelpText('after', `
Example:
  keyward revoke "$TOKEN" --issuer http://127.0.0.1:4440 --client-id my-client --key private_key.pem

Exit codes: 0 revoked (or already unusable); 1 refused; 2 usage error; 3 unreadable key,
passphrase or token; 4 server unreachable.`)
    .action(async (argument: string, options: SigningOptions & { json?: boolean }) => {
      const token = readTokenArgument(argument);
      await postWithAssertion(options, 'revocation_endpoint', { token, token_type_hint: 'access_token' });
      printResult(options.json, { revoked: true }, () => 'revoked: the token is no longer active');
    });
}
