/**
 * `keyward initial-access-token create`: an RFC 7591 §3 initial access token for dynamic
 * registration, locally or against a server (`--server`). The token is printed once; only its
 * SHA-256 hash is stored.
 */
import type { Command } from 'commander';
import { addTargetOptions, withAdminTarget, type TargetOptions } from '../lib/remote-admin.ts';
import { CliError, EXIT, printResult } from '../output.ts';

/** Registers `initial-access-token create`. */
export function registerInitialAccessTokenCommand(program: Command): void {
  const group = program.command('initial-access-token').description('initial access tokens for dynamic client registration (RFC 7591)');
  addTargetOptions(group.command('create'))
    .description('create an initial access token (printed once)')
    .option('--expires-in <seconds>', 'lifetime (default 86400)', (v) => Number(v))
    .option('--uses <n>', 'how many registrations it allows (default 1)', (v) => Number(v))
    .option('--unlimited', 'no limit on the number of registrations')
    .option('--scope <scopes>', 'space-separated scopes registered clients may ask for')
    .action(async (o: TargetOptions & { expiresIn?: number; uses?: number; unlimited?: boolean; scope?: string }) => {
      if (o.expiresIn !== undefined && !(Number.isInteger(o.expiresIn) && o.expiresIn > 0)) throw new CliError('--expires-in is a whole number of seconds', EXIT.usage);
      if (o.uses !== undefined && !(Number.isInteger(o.uses) && o.uses > 0)) throw new CliError('--uses is a whole number of at least 1', EXIT.usage);
      const result = await withAdminTarget(o, (t) => t.createInitialAccessToken({
        ...(o.expiresIn ? { expires_in: o.expiresIn } : {}),
        ...(o.unlimited ? { uses: null } : o.uses ? { uses: o.uses } : {}),
        ...(o.scope ? { scope: o.scope } : {}),
      }));
      printResult(o.json, result, () => [
        `initial_access_token: ${String(result.initial_access_token)}`,
        `expires_at:           ${String(result.expires_at)}`,
        `uses:                 ${result.uses_left === undefined ? 'unlimited' : String(result.uses_left)}`,
        '',
        'Shown once. Register with: POST /register, Authorization: Bearer <token>, JSON metadata with jwks or jwks_uri (docs/registration.md).',
      ].join('\n'));
    });
}
