/**
 * `keyward keys rotate | rewrap | list`: the authorization server's own signing keys on the local data.
 * A rotation publishes a new key in /jwks at once and makes it sign `keys.prepublishSeconds` later
 * (at once with `--now`, for a compromised key), so APIs that cached /jwks know it before the
 * first token it signs; the old key signs until then and stays in /jwks for the overlap after it.
 * Running servers pick the change up at once (announced on the data directory's socket, or on
 * Redis), at the latest within `tokens.signingKeyRefresh` seconds; they all switch at the
 * activation time stored with the key. `rewrap` re-encrypts every stored signing key with the
 * current key-encryption key (docs/operations.md).
 */
import type { Command } from 'commander';
import { isJwsAlgorithm, type JwsAlgorithm } from '@keyward/core';
import { withConfiguredStore } from '../../server/open-configured-store.ts';
import { resolveKeyEncryption } from '../../server/services/key-encryption/index.ts';
import { isPublished, rewrapSigningKeys, rotateSigningKey, selectSigningRecord } from '../../server/services/signing-keys.ts';
import { announceChanges } from '../lib/announce-changes.ts';
import { CliError, EXIT, printResult, printWarning } from '../output.ts';

interface LocalOptions { config?: string; dataDir?: string; json?: boolean }

/** Registers `keys rotate`, `keys rewrap` and `keys list`. */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description("the server's own signing keys (published at /jwks)");

  keys.command('rotate')
    .description('create a new signing key: published in /jwks at once, signing after keys.prepublishSeconds; the old one signs until then and stays in /jwks for the overlap')
    .option('--alg <alg>', 'algorithm of the new key: ES256, RS256, PS256, EdDSA, ... (default: tokens.signingAlg)')
    .option('--overlap <seconds>', 'seconds the old key stays published after the switch (default: tokens.rotationOverlap)')
    .option('--now', 'sign with the new key at once, without pre-publication (a compromised key; APIs may refuse new tokens until they refetch /jwks)')
    .option('--config <file>', 'config file (default: KEYWARD_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default: KEYWARD_DATA_DIR or ./.keyward)')
    .option('--json', 'print JSON with wire names')
    .action(async (options: LocalOptions & { alg?: string; overlap?: string; now?: boolean }) => {
      if (options.alg !== undefined && !isJwsAlgorithm(options.alg)) throw new CliError('--alg must be an asymmetric JWS algorithm (ES256, RS256, PS256, EdDSA, ...)', EXIT.usage);
      if (options.overlap !== undefined && !/^\d+$/.test(options.overlap)) throw new CliError('--overlap is a number of seconds', EXIT.usage);
      const result = await withConfiguredStore(options, (store, config) => rotateSigningKey(store.signingKeys, {
        alg: (options.alg as JwsAlgorithm | undefined) ?? config.tokens.signingAlg,
        overlapSeconds: options.overlap === undefined ? config.tokens.rotationOverlap : Number(options.overlap),
        prepublishSeconds: options.now === true ? 0 : config.keys.prepublishSeconds,
        encryption: resolveKeyEncryption(config),
      }).then(async (rotated) => {
        await store.audit.appendAudit({ time: new Date(), type: 'signing_key.rotated', actor: 'cli', details: { kid: rotated.kid, alg: rotated.alg, previous: rotated.previous.map((key) => key.kid) } });
        // The running servers publish the new key at once (else within tokens.signingKeyRefresh).
        printWarning(await announceChanges(config, [{ type: 'signing-keys' }]));
        return rotated;
      }));
      const data = { kid: result.kid, alg: result.alg, activate_at: Math.floor(result.activateAt.getTime() / 1000), previous: result.previous.map((key) => ({ kid: key.kid, retire_at: Math.floor(key.retireAt.getTime() / 1000) })) };
      printResult(options.json, data, () => [
        `new signing key: ${result.kid} (${result.alg}), in /jwks now, signing ${options.now === true ? 'now' : `from ${result.activateAt.toISOString()}`}`,
        ...result.previous.map((key) => `previous key ${key.kid} stays in /jwks until ${key.retireAt.toISOString()}`),
      ].join('\n'));
    });

  keys.command('rewrap')
    .description('re-encrypt every stored signing key with the current key-encryption key (after changing it; running servers keep signing)')
    .option('--config <file>', 'config file (default: KEYWARD_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default: KEYWARD_DATA_DIR or ./.keyward)')
    .option('--json', 'print JSON with wire names')
    .action(async (options: LocalOptions) => {
      const result = await withConfiguredStore(options, async (store, config) => {
        const encryption = resolveKeyEncryption(config);
        if (encryption.current === undefined) throw new CliError('no key-encryption key is set: set KEYWARD_KEY_ENCRYPTION_KEY_FILE (keys.encryptionKeyFile) to the new key, and KEYWARD_KEY_ENCRYPTION_KEY_PREVIOUS_FILE to the old one', EXIT.usage);
        const done = await rewrapSigningKeys(store.signingKeys, encryption);
        await store.audit.appendAudit({ time: new Date(), type: 'signing_key.rewrapped', actor: 'cli', details: { kek: encryption.current.id, rewrapped: done.rewrapped } });
        printWarning(await announceChanges(config, [{ type: 'signing-keys' }]));
        return { kek: encryption.current.id, ...done };
      });
      printResult(options.json, result, () => `${result.rewrapped.length} signing key(s) re-wrapped with key-encryption key ${result.kek}, ${result.unchanged.length} already were`);
    });

  keys.command('list')
    .description('list the signing keys and their state')
    .option('--config <file>', 'config file (default: KEYWARD_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default: KEYWARD_DATA_DIR or ./.keyward)')
    .option('--json', 'print JSON with wire names')
    .action(async (options: LocalOptions) => {
      const now = new Date();
      const rows = await withConfiguredStore(options, async (store) => {
        const records = await store.signingKeys.listSigningKeys();
        const signing = selectSigningRecord(records, now);
        return records.map((key) => ({
          kid: key.kid,
          alg: key.alg,
          // `active`: signs now; `pending`: in /jwks, signs from activate_at; `published`: in /jwks only.
          state: key.state === 'retired' || !isPublished(key, now) ? 'retired'
            : key.kid === signing?.kid ? 'active'
              : key.activateAt !== undefined && key.activateAt.getTime() > now.getTime() ? 'pending' : 'published',
          created_at: key.createdAt.toISOString(),
          ...(key.activateAt ? { activate_at: key.activateAt.toISOString() } : {}),
          ...(key.retireAt ? { retire_at: key.retireAt.toISOString() } : {}),
        }));
      });
      printResult(options.json, rows, () => rows.length === 0
        ? 'no signing key yet: `keyward serve` creates one on first start'
        : rows.map((row) => `${row.kid}  ${row.alg}  ${row.state}${row.state === 'pending' ? `  from ${row.activate_at}` : ''}${row.retire_at ? `  until ${row.retire_at}` : ''}`).join('\n'));
    });
}
