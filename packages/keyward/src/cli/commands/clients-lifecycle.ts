/**
 * `keyward clients update | disable | enable | delete` and `keyward clients keys add | list | rotate |
 * revoke`, added onto the `clients` command of clients.ts. Each works on the local data directory or,
 * with `--server URL --admin-key admin.key --admin-client-id ID` (or `--admin-config admin.json`),
 * against a running server's admin API. Human output by default, `--json` with wire names.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { collectOption } from '../lib/collect-option.ts';
import { addTargetOptions, withAdminTarget, type TargetOptions, type UpdateClientFields, type Wire } from '../lib/remote-admin.ts';
import { CliError, EXIT, printResult } from '../output.ts';

/** Reads a key file as text (a DER certificate becomes PEM, so it can travel as JSON). */
export function readKeyText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CliError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): give the path of the public key file`, EXIT.input);
  }
  if (bytes[0] === 0x30) {
    const lines = bytes.toString('base64').match(/.{1,64}/g) ?? [];
    return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
  }
  return bytes.toString('utf8');
}

/** One human line per key. */
export function describeKeyLine(key: Wire): string {
  const size = key.bits ? `RSA ${String(key.bits)}` : key.crv ? String(key.crv) : String(key.kty);
  const dates = [
    key.not_before ? `not before ${String(key.not_before)}` : '',
    key.not_after ? `not after ${String(key.not_after)}` : '',
    key.retire_at ? `retires ${String(key.retire_at)}` : '',
    key.revoked_at ? `revoked ${String(key.revoked_at)}` : '',
  ].filter(Boolean).join(', ');
  return `${String(key.kid)}  ${String(key.state)}  ${size}${key.alg ? ` ${String(key.alg)}` : ''}  thumbprint=${String(key.thumbprint)}  created ${String(key.created_at)}${dates ? `  (${dates})` : ''}`;
}

function describeClientLines(client: Wire): string {
  return [
    `client_id: ${String(client.client_id)}`,
    `name:      ${String(client.client_name)}`,
    `state:     ${String(client.state)}`,
    `scope:     ${String(client.scope) || '(none)'}`,
    `audience:  ${String(client.audience_policy)}${client.alg_pin ? `, alg pinned to ${String(client.alg_pin)}` : ''}`,
    ...(client.jwks_uri ? [`jwks_uri:  ${String(client.jwks_uri)}`] : []),
    ...(Array.isArray(client.grant_types) ? [`grants:    ${client.grant_types.join(' ')}`] : []),
    ...(Array.isArray(client.redirect_uris) && client.redirect_uris.length > 0 ? [`redirect:  ${client.redirect_uris.join(' ')}`] : []),
    ...(Array.isArray(client.post_logout_redirect_uris) && client.post_logout_redirect_uris.length > 0 ? [`logout:    ${client.post_logout_redirect_uris.join(' ')}`] : []),
  ].join('\n');
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${value} is not a whole number of seconds`, EXIT.usage);
  return n;
}

function findClientsCommand(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === 'clients');
  return existing ?? program.command('clients').description('register and manage clients');
}

/** Registers the lifecycle subcommands on `clients` (list this after registerClientsCommand). */
export function registerClientsLifecycleCommand(program: Command): void {
  const clients = findClientsCommand(program);

  addTargetOptions(clients.command('update').argument('<client_id>'))
    .description('change a client\'s metadata (only the options given)')
    .option('--name <name>', 'display name')
    .option('--contact <contact>', 'contact (empty string clears)')
    .option('--description <text>', 'description (empty string clears)')
    .option('--scope <scopes>', 'space-separated scopes the client may request (replaces the list)')
    .option('--grant-types <types>', 'comma-separated grant types (client_credentials, urn:ietf:params:oauth:grant-type:jwt-bearer, authorization_code, refresh_token)')
    .option('--grant-type <type>', 'a grant type (repeatable; with --grant-types, together they replace the list)', collectOption)
    .option('--redirect-uri <url>', 'exact https redirect URI of the authorization code flow (repeatable; replaces the list; one empty value clears it)', collectOption)
    .option('--post-logout-redirect-uri <url>', 'exact https URI the end user may be sent to after logout (repeatable; replaces the list; one empty value clears it)', collectOption)
    .option('--consent <mode>', 'required (the end user approves the scopes once) or implicit (first-party client: no consent page)')
    .option('--require-par', 'accept only pushed authorization requests (RFC 9126) from this client')
    .option('--no-require-par', 'accept authorization requests sent directly too')
    .option('--access-token-ttl <seconds>', 'access token lifetime', positiveInt)
    .option('--audience-policy <policy>', 'strict or legacy')
    .option('--alg <alg>', 'pin the assertion algorithm (empty string clears)')
    .option('--jwks-uri <url>', 'take keys from this URL (empty string clears)')
    .option('--key-max-age <days>', 'days after which the client\'s keys are due for rotation (the key_age alert; empty string: the server\'s keys.maxAge)')
    .action(async (clientId: string, o: TargetOptions & {
      name?: string; contact?: string; description?: string; scope?: string; grantTypes?: string; grantType?: string[]; accessTokenTtl?: number; audiencePolicy?: string;
      alg?: string; jwksUri?: string; keyMaxAge?: string; redirectUri?: string[]; postLogoutRedirectUri?: string[]; consent?: string; requirePar?: boolean;
    }) => {
      if (o.audiencePolicy !== undefined && o.audiencePolicy !== 'strict' && o.audiencePolicy !== 'legacy') throw new CliError('--audience-policy is strict or legacy', EXIT.usage);
      const grantTypes = o.grantTypes === undefined && o.grantType === undefined ? undefined
        : [...(o.grantTypes ?? '').split(',').map((s) => s.trim()).filter(Boolean), ...(o.grantType ?? [])];
      // The list replaces the stored one; `--redirect-uri ''` alone clears it.
      const uriList = (values: string[] | undefined) => values?.filter((value) => value !== '');
      const redirectUris = uriList(o.redirectUri);
      const postLogoutRedirectUris = uriList(o.postLogoutRedirectUri);
      const fields: UpdateClientFields = {
        ...(o.name !== undefined ? { client_name: o.name } : {}),
        ...(o.contact !== undefined ? { contact: o.contact === '' ? null : o.contact } : {}),
        ...(o.description !== undefined ? { description: o.description === '' ? null : o.description } : {}),
        ...(o.scope !== undefined ? { scope: o.scope } : {}),
        ...(grantTypes !== undefined ? { grant_types: grantTypes } : {}),
        ...(redirectUris !== undefined ? { redirect_uris: redirectUris } : {}),
        ...(postLogoutRedirectUris !== undefined ? { post_logout_redirect_uris: postLogoutRedirectUris } : {}),
        ...(o.consent !== undefined ? { consent: o.consent } : {}),
        ...(o.requirePar !== undefined ? { require_pushed_authorization_requests: o.requirePar } : {}),
        ...(o.accessTokenTtl !== undefined ? { access_token_ttl: o.accessTokenTtl } : {}),
        ...(o.audiencePolicy !== undefined ? { audience_policy: o.audiencePolicy as 'strict' | 'legacy' } : {}),
        ...(o.alg !== undefined ? { alg_pin: o.alg === '' ? null : o.alg } : {}),
        ...(o.jwksUri !== undefined ? { jwks_uri: o.jwksUri === '' ? null : o.jwksUri } : {}),
        ...(o.keyMaxAge !== undefined ? { key_max_age_days: o.keyMaxAge === '' ? null : Number(o.keyMaxAge) } : {}),
      };
      if (Object.keys(fields).length === 0) throw new CliError('nothing to update: give at least one option (see --help)', EXIT.usage);
      const client = await withAdminTarget(o, (t) => t.updateClient(clientId, fields));
      printResult(o.json, client, () => describeClientLines(client));
    });

  for (const [name, state] of [['disable', 'disabled'], ['enable', 'enabled']] as const) {
    addTargetOptions(clients.command(name).argument('<client_id>'))
      .description(state === 'disabled' ? 'disable a client at once (its access tokens are revoked)' : 'enable a disabled client')
      .action(async (clientId: string, o: TargetOptions) => {
        const client = await withAdminTarget(o, (t) => t.setState(clientId, state));
        printResult(o.json, client, () => `${clientId} is ${state}${client.tokens_revoked ? ` (${String(client.tokens_revoked)} access token(s) revoked)` : ''}`);
      });
  }

  addTargetOptions(clients.command('delete').argument('<client_id>'))
    .description('delete a client and its keys, and revoke its access tokens')
    .requiredOption('--yes', 'confirm the deletion')
    .action(async (clientId: string, o: TargetOptions) => {
      const result = await withAdminTarget(o, (t) => t.deleteClient(clientId));
      printResult(o.json, { client_id: clientId, ...result }, () => `${clientId} deleted (${String(result.tokens_revoked)} access token(s) revoked)`);
    });

  const keys = clients.command('keys').description('list, add, rotate and revoke a client\'s keys');

  addTargetOptions(keys.command('list').argument('<client_id>'))
    .description('list a client\'s keys with thumbprint, kid, algorithm, size or curve, dates and state')
    .action(async (clientId: string, o: TargetOptions) => {
      const list = await withAdminTarget(o, (t) => t.listKeys(clientId));
      printResult(o.json, { client_id: clientId, keys: list }, () => (list.length ? list.map(describeKeyLine).join('\n') : `${clientId} has no registered key`));
    });

  addTargetOptions(keys.command('add').argument('<client_id>'))
    .description('add public key(s): PEM, X.509 certificate (PEM/DER), JWK or JWKS')
    .requiredOption('--public-key <file>', 'the public key file')
    .option('--not-before <iso-date>', 'not valid before (default: the certificate\'s date, if any)')
    .option('--not-after <iso-date>', 'not valid after (default: the certificate\'s date, if any)')
    .action(async (clientId: string, o: TargetOptions & { publicKey: string; notBefore?: string; notAfter?: string }) => {
      const text = readKeyText(o.publicKey);
      const added = await withAdminTarget(o, (t) => t.addKeys(clientId, text, { ...(o.notBefore ? { not_before: checkDate(o.notBefore) } : {}), ...(o.notAfter ? { not_after: checkDate(o.notAfter) } : {}) }));
      printResult(o.json, { client_id: clientId, keys: added }, () => added.map((k) => `added ${describeKeyLine(k)}`).join('\n'));
    });

  addTargetOptions(keys.command('rotate').argument('<client_id>'))
    .description('add a new key and schedule the old one\'s retirement (both work until then)')
    .requiredOption('--public-key <file>', 'the new public key file')
    .option('--old <kid-or-thumbprint>', 'the key to retire (default: every active key)')
    .option('--overlap <seconds>', 'how long the old key keeps working (default tokens.rotationOverlap, 86400)', positiveInt)
    .action(async (clientId: string, o: TargetOptions & { publicKey: string; old?: string; overlap?: number }) => {
      const text = readKeyText(o.publicKey);
      const result = await withAdminTarget(o, (t) => t.rotateKey(clientId, text, { ...(o.old ? { old_key: o.old } : {}), ...(o.overlap !== undefined ? { overlap_seconds: o.overlap } : {}) }));
      printResult(o.json, { client_id: clientId, ...result }, () => [
        ...(result.added as Wire[]).map((k) => `added    ${describeKeyLine(k)}`),
        ...(result.retiring as Wire[]).map((k) => `retiring ${describeKeyLine(k)}`),
      ].join('\n'));
    });

  addTargetOptions(keys.command('revoke').argument('<client_id>').argument('<kid-or-thumbprint>'))
    .description('revoke a key at once; access tokens issued through it stop passing introspection')
    // A thumbprint is base64url: one in 64 starts with "-", which would read as an option.
    .addHelpText('after', '\nA kid or thumbprint that starts with "-" goes after "--": keyward clients keys revoke <client_id> -- -Xb3...')
    .action(async (clientId: string, key: string, o: TargetOptions) => {
      const result = await withAdminTarget(o, (t) => t.revokeKey(clientId, key));
      printResult(o.json, { client_id: clientId, ...result }, () => `revoked ${describeKeyLine(result)} (${String(result.tokens_revoked)} access token(s) revoked)`);
    });
}

function checkDate(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliError(`${value} is not a date: use ISO 8601, e.g. 2027-01-31T00:00:00Z`, EXIT.usage);
  return date.toISOString();
}
