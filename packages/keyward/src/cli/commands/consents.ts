/**
 * `keyward consents list <sub>` and `keyward consents revoke <sub> <client_id>`: the consents end
 * users gave to clients at the authorization endpoint, on the local data directory or, with
 * `--server URL --admin-key admin.key --admin-client-id ID` (or `--admin-config admin.json`), on a
 * running server's admin API. Revoking one also makes the codes issued under it unusable and
 * revokes the end user's refresh tokens at that client with their access tokens, so the client must
 * ask again.
 */
import type { Command } from 'commander';
import { addTargetOptions, withAdminTarget, type TargetOptions } from '../lib/remote-admin.ts';
import { printResult } from '../output.ts';

/** Registers `consents`. */
export function registerConsentsCommand(program: Command): void {
  const consents = program.command('consents').description('the consents end users gave to clients at the authorization endpoint');

  addTargetOptions(consents.command('list').argument('<sub>', 'the end user\'s subject identifier'))
    .description('list the clients an end user consented to, with the scopes (local data, or --server with the admin key)')
    .action(async (sub: string, options: TargetOptions) => {
      const rows = await withAdminTarget(options, (target) => target.listConsents(sub));
      printResult(options.json, rows, () => rows.length === 0 ? `no consents for ${sub}` : rows.map((row) => `${String(row.client_id)}  ${String(row.scope)}  (since ${String(row.created_at)})`).join('\n'));
    });

  addTargetOptions(consents.command('revoke').argument('<sub>', 'the end user\'s subject identifier').argument('<client_id>', 'the client'))
    .description('revoke a consent, with the codes, refresh tokens and access tokens issued under it (local data, or --server with the admin key)')
    .action(async (sub: string, clientId: string, options: TargetOptions) => {
      const result = await withAdminTarget(options, (target) => target.revokeConsent(sub, clientId));
      printResult(options.json, { sub, client_id: clientId, ...result },
        () => `revoked the consent of ${sub} to ${clientId} (${String(result.refresh_token_grants_revoked)} grant(s) and ${String(result.tokens_revoked)} access token(s) revoked)`);
    });
}
