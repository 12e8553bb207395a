/**
 * `keyward admin init`: creates the first admin client on the local data directory (scope
 * keyward:admin, an ES256 key pair generated here) and writes beside it:
 *
 * - admin.key      the private key, PKCS#8 PEM, file mode 0600 (never printed);
 * - admin.pub.pem  the public key;
 * - admin.json     { issuer, server, client_id, key } for `--admin-config admin.json`.
 *
 * The admin then gets tokens the Keyward way: a private_key_jwt assertion at /token with
 * scope=keyward:admin, and calls /admin/v1 with it (the CLI's `--server` mode does this).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveIssuer } from '../../config/resolve-issuer.ts';
import { exportPrivatePem, exportPublicPem } from '@keyward/core';
import { generateKeyPair } from '@keyward/core';
import { importPublicKeys } from '@keyward/core';
import { withConfiguredStore } from '../../server/open-configured-store.ts';
import { createClient, createRegistryContext, RegistryError } from '../../server/services/registry/index.ts';
import { ADMIN_SCOPE } from '../../server/routes/admin/admin-auth.ts';
import { writeOutputFiles } from '../lib/write-files.ts';
import { CliError, EXIT, printResult } from '../output.ts';

/** Registers `admin init`. */
export function registerAdminCommand(program: Command): void {
  const admin = program.command('admin').description('set up administration of a Keyward server');
  admin.command('init')
    .description('create the first admin client and write its key pair (admin.key, mode 0600) and admin.json')
    .option('--config <file>', 'config file (default: KEYWARD_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default: KEYWARD_DATA_DIR or ./.keyward)')
    .option('--out <dir>', 'where to write admin.key, admin.pub.pem and admin.json (default: the data directory)')
    .option('--client-id <id>', 'the admin client_id', 'keyward-admin')
    .option('--issuer <url>', 'the server URL to record in admin.json (default: server.issuer, else http://host:port)')
    .option('--force', 'overwrite existing admin files in --out')
    .option('--json', 'print JSON with wire names')
    .action(async (o: { config?: string; dataDir?: string; out?: string; clientId: string; issuer?: string; force?: boolean; json?: boolean }) => {
      const result = await withConfiguredStore(o, async (store, config) => {
        const dataDir = config.storage.dataDir;
        const out = resolve(o.out ?? (dataDir === ':memory:' ? '.' : dataDir));
        const paths = { key: join(out, 'admin.key'), pub: join(out, 'admin.pub.pem'), json: join(out, 'admin.json') };
        if (!o.force && Object.values(paths).some((p) => existsSync(p))) {
          throw new CliError(`${out} already holds admin files (admin.key, admin.pub.pem or admin.json): choose another --out, or pass --force to overwrite them`, EXIT.usage);
        }
        const { privateKey, publicKey } = await generateKeyPair({ type: 'ec', curve: 'P-256' });
        let created;
        try {
          created = await createClient(createRegistryContext(store), {
            actor: 'cli:admin-init',
            clientId: o.clientId,
            name: 'Keyward administrator',
            description: 'created by `keyward admin init`',
            scopes: [ADMIN_SCOPE],
            grantTypes: ['client_credentials'],
            accessTokenTtl: Math.min(config.tokens.accessTokenTtl, 600),
            keys: importPublicKeys(publicKey),
          });
        } catch (error) {
          if (error instanceof RegistryError) throw new CliError(`${error.message}${error.code === 'conflict' ? ' (an admin client already exists: pass --client-id for another one)' : ''}`, EXIT.usage);
          throw error;
        }
        const issuer = (o.issuer ?? resolveIssuer(config, config.server.port)).replace(/\/+$/, '');
        mkdirSync(out, { recursive: true, mode: 0o700 });
        const adminJson = { issuer, server: issuer, client_id: created.client.clientId, kid: created.keys[0]!.kid, key: paths.key };
        // The private key 0600 from its first byte, also when --force overwrites a looser file.
        writeOutputFiles([
          { path: paths.key, content: exportPrivatePem(privateKey), mode: 0o600 },
          { path: paths.pub, content: exportPublicPem(publicKey), mode: 0o644 },
          { path: paths.json, content: `${JSON.stringify(adminJson, null, 2)}\n`, mode: 0o644 },
        ], true);
        return { ...adminJson, scope: ADMIN_SCOPE, public_key: paths.pub, config: paths.json };
      });
      printResult(o.json, result, () => [
        `admin client_id: ${result.client_id} (scope ${ADMIN_SCOPE})`,
        `private key:     ${result.key} (mode 0600; keep it secret)`,
        `public key:      ${result.public_key}`,
        `settings:        ${result.config}`,
        '',
        `Next: keyward clients list --admin-config ${result.config}   (acts on ${result.server} through /admin/v1)`,
      ].join('\n'));
    });
}
