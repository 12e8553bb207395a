/**
 * `keyward clients add | list | show`: register a client with its public key on the local data
 * (the "send your public key to IT, receive a client ID" step), and look clients up (local data, or
 * a running server's admin API with `--server`).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveIssuer } from '../../config/resolve-issuer.ts';
import { importPublicKeys } from '@keyward/core';
import { isJwsAlgorithm } from '@keyward/core';
import type { ClientKeyRecord, ClientRecord } from '../../store/contract.ts';
import { withConfiguredStore } from '../../server/open-configured-store.ts';
import { toClientView, toKeyView } from '../../server/services/registry/views.ts';
import { addTargetOptions, withAdminTarget, type TargetOptions } from '../lib/remote-admin.ts';
import { collectOption } from '../lib/collect-option.ts';
import { CliError, EXIT, printResult } from '../output.ts';
import { addLocalOptions, type LocalOptions } from '../lib/local-options.ts';


/** The wire form of a client and its keys (snake_case): the admin API's view. */
export function describeClient(client: ClientRecord, keys: readonly ClientKeyRecord[]): Record<string, unknown> {
  return { ...toClientView(client), keys: keys.map(toKeyView) };
}

function readKeyFile(path: string): string | Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CliError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): give the path of the public key file`, EXIT.input);
  }
  // A DER certificate is binary; PEM, JWK and JWKS are text.
  return bytes.includes(0) || bytes[0] === 0x30 ? new Uint8Array(bytes) : bytes.toString('utf8');
}

function collectScopes(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(/[\s,]+/).filter((scope) => scope !== '')];
}

/**
 * The private key file that goes with a public key file, when it sits beside it under the names
 * `keyward keygen` writes (`X-public.pem`, `X-public.jwk.json`, `X-jwks.json` → `X-private.pem`) or
 * the source documents use (`public_key.pem` → `private_key.pem`); else a placeholder.
 */
function privateKeyBeside(publicKeyPath: string): string {
  const candidates = [
    publicKeyPath.replace(/-(public\.pem|public\.jwk\.json|jwks\.json)$/, '-private.pem'),
    publicKeyPath.replace(/(^|\/)public_key\.pem$/, '$1private_key.pem'),
  ].filter((path) => path !== publicKeyPath);
  return candidates.find((path) => existsSync(path)) ?? '<private key file>';
}

/** The `keyward token` command line that gets this client its first access token. */
function tokenCommand(issuer: string, clientId: string, publicKeyPath: string | undefined, scopes: readonly string[]): string {
  // An encrypted private key needs nothing more: `keyward token` asks for its passphrase on a terminal.
  const key = publicKeyPath === undefined ? '<private key file>' : privateKeyBeside(publicKeyPath);
  // Shell-quoted when needed; placeholders (`<...>`) are shown as they are, to be replaced.
  const quote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) || value.startsWith('<') ? value : `'${value.replace(/'/g, "'\\''")}'`);
  return [
    'keyward token', '--issuer', quote(issuer), '--client-id', quote(clientId), '--key', quote(key),
    ...(scopes.length > 0 ? ['--scope', quote(scopes.join(' '))] : []),
  ].join(' ');
}

/** Registers `clients add`, `clients list` and `clients show`. */
export function registerClientsCommand(program: Command): void {
  const clients = program.command('clients').description('register and look up clients on the local data directory');

  addLocalOptions(clients.command('add'))
    .description('register a client with its public key (or the URL of its key set); prints the new client ID')
    .requiredOption('--name <name>', 'a name for the client (shown in logs and the audit)')
    .option('--public-key <file>', 'public key: PEM (SPKI or PKCS#1), X.509 certificate (PEM/DER), JWK or JWKS')
    .option('--jwks-uri <url>', 'instead of --public-key: the https URL where the client publishes its key set (fetched when it authenticates)')
    .option('--scope <scopes>', 'scope(s) the client may request; repeat or separate with spaces', collectScopes)
    .option('--grant-type <type>', 'grant type the client may use (repeatable): client_credentials (default), urn:ietf:params:oauth:grant-type:jwt-bearer, authorization_code, refresh_token', collectOption)
    .option('--redirect-uri <url>', 'exact https redirect URI of the authorization code flow (repeatable; needed with --grant-type authorization_code)', collectOption)
    .option('--post-logout-redirect-uri <url>', 'exact https URI the end user may be sent to after logout (repeatable)', collectOption)
    .option('--consent <mode>', 'required (the end user approves the scopes once, default) or implicit (first-party client: no consent page)')
    .option('--require-par', 'accept only pushed authorization requests (RFC 9126) from this client')
    .option('--client-id <id>', 'choose the client ID (3-128 letters, digits and . _ ~ -, starting with a letter or digit) instead of a random one')
    .option('--audience-policy <policy>', 'strict (aud = issuer only, default) or legacy (also the token endpoint URL)', 'strict')
    .option('--alg <alg>', 'pin the signing algorithm of the client assertions (e.g. PS256)')
    .option('--key-max-age <days>', 'days after which the client\'s keys are due for rotation (the key_age alert; default: the server\'s keys.maxAge)', (value) => Number(value))
    .action(async (options: LocalOptions & { name: string; publicKey?: string; jwksUri?: string; scope?: string[]; grantType?: string[]; clientId?: string; audiencePolicy: string; alg?: string; redirectUri?: string[]; postLogoutRedirectUri?: string[]; consent?: string; requirePar?: boolean; keyMaxAge?: number }) => {
      if ((options.publicKey === undefined) === (options.jwksUri === undefined)) {
        throw new CliError('give the client\'s public key with --public-key <file>, or the URL of its key set with --jwks-uri <url> (one of them)', EXIT.usage);
      }
      if (options.audiencePolicy !== 'strict' && options.audiencePolicy !== 'legacy') throw new CliError('--audience-policy is strict or legacy', EXIT.usage);
      if (options.alg !== undefined && !isJwsAlgorithm(options.alg)) throw new CliError('--alg must be an asymmetric JWS algorithm (RS256, PS256, ES256, EdDSA, ...)', EXIT.usage);
      const keys = options.publicKey === undefined ? undefined : importPublicKeys(readKeyFile(options.publicKey));
      const { result, issuer } = await withConfiguredStore(options, async (store, config) => {
        try {
          const { authorizationPolicyOf, createClient, createRegistryContext } = await import('../../server/services/registry/index.ts');
          const authorization = {
            ...(options.redirectUri ? { redirectUris: options.redirectUri } : {}),
            ...(options.postLogoutRedirectUri ? { postLogoutRedirectUris: options.postLogoutRedirectUri } : {}),
            ...(options.consent ? { consent: options.consent } : {}),
            ...(options.requirePar ? { requirePushedAuthorizationRequests: true } : {}),
          };
          const registered = await createClient(createRegistryContext(store), {
            name: options.name,
            ...(keys ? { keys } : {}),
            ...(options.jwksUri ? { jwksUri: options.jwksUri, jwksUriAllowHosts: config.clients.jwksUriAllowHosts ?? [] } : {}),
            scopes: options.scope ?? [],
            ...(options.grantType ? { grantTypes: options.grantType } : {}),
            ...(options.clientId ? { clientId: options.clientId } : {}),
            audiencePolicy: options.audiencePolicy,
            ...(options.alg ? { algPin: options.alg } : {}),
            ...(options.keyMaxAge !== undefined ? { keyMaxAgeDays: options.keyMaxAge } : {}),
            accessTokenTtl: config.tokens.accessTokenTtl,
            ...(Object.keys(authorization).length > 0 ? { authorization, authorizationPolicy: authorizationPolicyOf(config) } : {}),
            actor: 'cli',
          });
          return { result: registered, issuer: config.server.port === 0 && config.server.issuer === undefined ? '<issuer URL>' : resolveIssuer(config, config.server.port) };
        } catch (error) {
          if (error instanceof Error && !(error instanceof CliError)) throw new CliError(error.message, EXIT.usage);
          throw error;
        }
      });
      printResult(options.json, describeClient(result.client, result.keys), () => [
        `client_id: ${result.client.clientId}`,
        `name:      ${result.client.name}`,
        `scope:     ${result.client.scopes.join(' ') || '(none)'}`,
        ...(result.client.redirectUris?.length ? [`redirect:  ${result.client.redirectUris.join(' ')}`] : []),
        result.client.jwksUri ? `jwks_uri:  ${result.client.jwksUri}` : `keys:      ${result.keys.map((key) => `${key.kid} (${key.jwk.kty})`).join(', ')}`,
        '',
        `Next: the key holder gets an access token with the private key of ${result.client.jwksUri ? 'a key published at that URL' : 'this public key'}:`,
        `  ${tokenCommand(issuer, result.client.clientId, options.publicKey, result.client.scopes)}`,
        '(docs/server.md does the same with openssl and curl.)',
      ].join('\n'));
    });

  addTargetOptions(clients.command('list'))
    .description('list the registered clients (local data, or --server with the admin key)')
    .option('--limit <n>', 'at most this many', (value) => Number.parseInt(value, 10), 100)
    .action(async (options: TargetOptions & { limit: number }) => {
      if (!Number.isInteger(options.limit) || options.limit < 1) throw new CliError('--limit is a positive number', EXIT.usage);
      const rows = await withAdminTarget(options, (target) => target.listClients(options.limit));
      printResult(options.json, rows, () => rows.length === 0
        ? 'no clients yet: keyward clients add --name my-app --public-key public_key.pem'
        : rows.map((row) => [
          String(row.client_id), String(row.state), String(row.client_name), `scope="${String(row.scope)}"`,
          ...(Array.isArray(row.keys) ? [`keys=${row.keys.length}`] : []),
        ].join('  ')).join('\n'));
    });

  addTargetOptions(clients.command('show'))
    .description('show one client and its keys (local data, or --server with the admin key)')
    .argument('<client_id>')
    .action(async (clientId: string, options: TargetOptions) => {
      const row = await withAdminTarget(options, (target) => target.getClient(clientId));
      printResult(options.json, row, () => JSON.stringify(row, null, 2));
    });
}
