/**
 * `keyward keys rotate | list`: the authorization server's own signing keys on the local data.
 * A rotation makes a new key active at once and keeps the old one in /jwks for the overlap, so
 * tokens signed by either verify; after the overlap the old key leaves /jwks. Running servers pick
 * the change up at once (announced on the data directory's socket, or on Redis), at the latest
 * within `tokens.signingKeyRefresh` seconds.
 */
import type { Command } from 'commander';
import { isJwsAlgorithm, type JwsAlgorithm } from '@keyward/core';
import { withConfiguredStore } from '../../server/open-configured-store.ts';
import { isPublished, rotateSigningKey } from '../../server/services/signing-keys.ts';
import { announceChanges } from '../lib/announce-changes.ts';
import { CliError, EXIT, printResult, printWarning } from '../output.ts';

interface LocalOptions { config?: string; dataDir?: string; json?: boolean }

/** Registers `keys rotate` and `keys list`. */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description("the server's own signing keys (published at /jwks)");

  keys.command('rotate')
    .description('create a new signing key; the old one stays in /jwks for the overlap, then retires')
    .option('--alg <alg>', 'algorithm of the new key: ES256, RS256, PS256, EdDSA, ... (default: tokens.signingAlg)')
    .option('--overlap <seconds>', 'seconds the old key stays published (default: tokens.rotationOverlap)')
    .option('--config <file>', 'config file (default: KEYWARD_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default: KEYWARD_DATA_DIR or ./.keyward)')
    .option('--json', 'print JSON with wire names')
    .action(async (options: LocalOptions & { alg?: string; overlap?: string }) => {
      if (options.alg !== undefined && !isJwsAlgorithm(options.alg)) throw new CliError('--alg must be an asymmetric JWS algorithm (ES256, RS256, PS256, EdDSA, ...)', EXIT.usage);
      if (options.overlap !== undefined && !/^\d+$/.test(options.overlap)) throw new CliError('--overlap is a number of seconds', EXIT.usage);
      const result = await withConfiguredStore(options, (store, config) => rotateSigningKey(store.signingKeys, {
        alg: (options.alg as JwsAlgorithm | undefined) ?? config.tokens.signingAlg,
        overlapSeconds: options.overlap === undefined ? config.tokens.rotationOverlap : Number(options.overlap),
      }).then(async (rotated) => {
        await store.audit.appendAudit({ time: new Date(), type: 'signing_key.rotated', actor: 'cli', details: { kid: rotated.kid, alg: rotated.alg, previous: rotated.previous.map((key) => key.kid) } });
        // The running servers sign with the new key at once (else within tokens.signingKeyRefresh).
        printWarning(await announceChanges(config, [{ type: 'signing-keys' }]));
        return rotated;
      }));
      const data = { kid: result.kid, alg: result.alg, previous: result.previous.map((key) => ({ kid: key.kid, retire_at: Math.floor(key.retireAt.getTime() / 1000) })) };
      printResult(options.json, data, () => [
        `new signing key: ${result.kid} (${result.alg})`,
        ...result.previous.map((key) => `previous key ${key.kid} stays in /jwks until ${key.retireAt.toISOString()}`),
      ].join('\n'));
    });

  keys.command('list')
    .description('list the signing keys and their state')
    .option('--config <file>', 'config file (default: KEYWARD_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default: KEYWARD_DATA_DIR or ./.keyward)')
    .option('--json', 'print JSON with wire names')
    .action(async (options: LocalOptions) => {
      const now = new Date();
      const rows = await withConfiguredStore(options, async (store) => (await store.signingKeys.listSigningKeys()).map((key) => ({
        kid: key.kid,
        alg: key.alg,
        state: key.state === 'published' && !isPublished(key, now) ? 'retired' : key.state,
        created_at: key.createdAt.toISOString(),
        ...(key.retireAt ? { retire_at: key.retireAt.toISOString() } : {}),
      })));
      printResult(options.json, rows, () => rows.length === 0
        ? 'no signing key yet: `keyward serve` creates one on first start'
        : rows.map((row) => `${row.kid}  ${row.alg}  ${row.state}${row.retire_at ? `  until ${row.retire_at}` : ''}`).join('\n'));
    });
}
