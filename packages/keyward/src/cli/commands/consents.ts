/**
 * `keyward consents list <sub>` and `keyward consents revoke <sub> <client_id>`: the consents end
 * users gave to clients at the authorization endpoint, on the local data. Revoking one also revokes
 * the refresh tokens and access tokens issued under it, so the client must ask again.
 */
import type { Command } from 'commander';
import { withConfiguredStore } from '../../server/open-configured-store.ts';
import { RegistryError } from '../../server/services/registry/registry-error.ts';
import { CliError, EXIT, printResult } from '../output.ts';
import { addLocalOptions, type LocalOptions } from '../lib/local-options.ts';


/** Registers `consents`. */
export function registerConsentsCommand(program: Command): void {
  const consents = program.command('consents').description('the consents end users gave to clients at the authorization endpoint (local data)');

  addLocalOptions(consents.command('list').argument('<sub>', 'the end user\'s subject identifier'))
    .description('list the clients an end user consented to, with the scopes')
    .action(async (sub: string, options: LocalOptions) => {
      const rows = await withConfiguredStore(options, async (store) => {
        const { createRegistryContext, listConsents, toConsentView } = await import('../../server/services/registry/index.ts');
        return (await listConsents(createRegistryContext(store), sub)).map(toConsentView);
      }).catch(usageError);
      printResult(options.json, rows, () => rows.length === 0 ? `no consents for ${sub}` : rows.map((row) => `${String(row.client_id)}  ${String(row.scope)}  (since ${String(row.created_at)})`).join('\n'));
    });

  addLocalOptions(consents.command('revoke').argument('<sub>', 'the end user\'s subject identifier').argument('<client_id>', 'the client'))
    .description('revoke a consent, with the refresh and access tokens issued under it')
    .action(async (sub: string, clientId: string, options: LocalOptions) => {
      const result = await withConfiguredStore(options, async (store) => {
        const { createRegistryContext, revokeConsent } = await import('../../server/services/registry/index.ts');
        return revokeConsent(createRegistryContext(store), { sub, clientId, actor: 'cli' });
      }).catch(usageError);
      printResult(options.json, { revoked: true, sub, client_id: clientId, refresh_token_grants_revoked: result.refreshTokenGrants, tokens_revoked: result.accessTokens },
        () => `revoked the consent of ${sub} to ${clientId} (${result.refreshTokenGrants} grant(s) and ${result.accessTokens} access token(s) revoked)`);
    });
}

function usageError(error: unknown): never {
  if (error instanceof RegistryError) throw new CliError(error.message, error.code === 'not_found' ? EXIT.failed : EXIT.usage);
  throw error;
}
