/**
 * The registry commands work on two targets with one interface ({@link AdminTarget}):
 *
 * - local: the data directory of the server (same KEYWARD_* variables and config file), through the
 *   registry service, with actor `cli`;
 * - remote: `--server URL` with the admin key: an access token with scope keyward:admin is obtained
 *   by private_key_jwt (the SDK's token client), then /admin/v1 is called.
 *
 * Both answer the admin API's wire views (snake_case), so `--json` output is the same either way.
 */
import { readFileSync } from 'node:fs';
import { createTokenClient } from '@keyward/client';
import { KeyError } from '@keyward/core';
import {
  addKeys, addKeysInputFromWire, authorizationPolicyOf, clientUpdateFromWire, createClient, createClientInputFromWire, createInitialAccessToken,
  createRegistryContext, deleteClient, getClientOrFail, initialAccessTokenInputFromWire, listKeys, RegistryError, revokeKey, rotateKey,
  listConsents, revokeConsent, rotateKeyInputFromWire, setClientState, toAuditEventView, toConsentView, toClientView, toInitialAccessTokenView, toKeyView, updateClient,
  type CreateClientWire, type CreateInitialAccessTokenWire, type UpdateClientWire, type WireContext,
} from '../../server/services/registry/index.ts';
import { withConfiguredStore } from '../../server/open-configured-store.ts';
import { readAuditQuery, type AuditQueryParams } from '../../server/services/audit-query.ts';
import { resolveAuditLimit } from '../../store/shared/patches.ts';
import { announceChanges } from './announce-changes.ts';
import { CliError, EXIT, printWarning } from '../output.ts';

/** Wire JSON object. */
export type Wire = Record<string, unknown>;

/** Create-client fields, wire names: the body of POST /admin/v1/clients (wire-schemas.ts). */
export type CreateClientFields = CreateClientWire;

/** Update fields, wire names: the body of PATCH /admin/v1/clients/{id}; null clears. */
export type UpdateClientFields = UpdateClientWire;

/** The registry operations, local or remote. */
export interface AdminTarget {
  createClient(fields: CreateClientFields): Promise<Wire>;
  getClient(clientId: string): Promise<Wire>;
  updateClient(clientId: string, fields: UpdateClientFields): Promise<Wire>;
  setState(clientId: string, state: 'enabled' | 'disabled'): Promise<Wire>;
  deleteClient(clientId: string): Promise<Wire>;
  listKeys(clientId: string): Promise<Wire[]>;
  addKeys(clientId: string, keys: string | Wire, validity: { not_before?: string; not_after?: string }): Promise<Wire[]>;
  rotateKey(clientId: string, keys: string | Wire, options: { old_key?: string; overlap_seconds?: number }): Promise<Wire>;
  revokeKey(clientId: string, key: string): Promise<Wire>;
  createInitialAccessToken(options: CreateInitialAccessTokenWire): Promise<Wire>;
  /** Clients, oldest first (the local view includes each client's keys; the remote list does not). */
  listClients(limit: number): Promise<Wire[]>;
  /** Audit events, newest first, and the cursor of the next page when this one is full. */
  queryAudit(query: AuditQueryParams): Promise<{ events: Wire[]; next_before?: number }>;
  /** The consents an end user gave to clients, by client_id (GET /users/{sub}/consents). */
  listConsents(sub: string): Promise<Wire[]>;
  /** Revokes one consent with what it allowed (DELETE /users/{sub}/consents/{client_id}). */
  revokeConsent(sub: string, clientId: string): Promise<Wire>;
}


/** Options every registry command takes. */
export interface TargetOptions {
  config?: string;
  dataDir?: string;
  server?: string;
  adminKey?: string;
  adminClientId?: string;
  adminConfig?: string;
  json?: boolean;
}

/** Runs `work` against the local data directory or the remote server named in `options`. */
export async function withAdminTarget<T>(options: TargetOptions, work: (target: AdminTarget) => Promise<T>): Promise<T> {
  if (options.server !== undefined || options.adminConfig !== undefined) return work(await openRemoteTarget(options));
  return withConfiguredStore(options, async (store, config) => {
    const ctx = createRegistryContext(store);
    // Clients changed by this command, announced to the running servers afterwards (announce-changes.ts).
    const changed = new Set<string>();
    ctx.changes.subscribe((event) => { if (event.type === 'client') changed.add(event.clientId); });
    const actor = 'cli';
    // The same wire → registry mapping as the admin API routes (from-wire.ts).
    const wire: WireContext = {
      actor, jwksUriAllowHosts: config.clients.jwksUriAllowHosts ?? [], accessTokenTtl: config.tokens.accessTokenTtl, rotationOverlap: config.tokens.rotationOverlap,
      authorizationPolicy: authorizationPolicyOf(config),
    };
    const keyWire = (records: Parameters<typeof toKeyView>[0][]) => records.map((r) => toKeyView(r) as unknown as Wire);
    const target: AdminTarget = {
      async createClient(f) {
        const { client, keys } = await createClient(ctx, createClientInputFromWire(f, wire));
        return { ...toClientView(client), keys: keyWire(keys) };
      },
      async getClient(clientId) {
        const client = await getClientOrFail(ctx, clientId);
        return { ...toClientView(client), keys: keyWire(await listKeys(ctx, clientId)) };
      },
      async updateClient(clientId, f) {
        const client = await updateClient(ctx, clientId, clientUpdateFromWire(f, wire), actor);
        return toClientView(client) as unknown as Wire;
      },
      async setState(clientId, state) {
        const { client, tokensRevoked } = await setClientState(ctx, clientId, state, actor);
        return { ...toClientView(client), ...(state === 'disabled' ? { tokens_revoked: tokensRevoked } : {}) };
      },
      async deleteClient(clientId) {
        const { tokensRevoked } = await deleteClient(ctx, clientId, actor);
        return { deleted: true, tokens_revoked: tokensRevoked };
      },
      async listKeys(clientId) {
        return keyWire(await listKeys(ctx, clientId));
      },
      async addKeys(clientId, keys, v) {
        return keyWire(await addKeys(ctx, addKeysInputFromWire(clientId, { keys, ...v }, wire)));
      },
      async rotateKey(clientId, keys, o) {
        const { added, retiring } = await rotateKey(ctx, rotateKeyInputFromWire(clientId, { keys, ...o }, wire));
        return { added: keyWire(added), retiring: keyWire(retiring) };
      },
      async revokeKey(clientId, key) {
        const { key: record, tokensRevoked } = await revokeKey(ctx, { clientId, key, actor });
        return { ...toKeyView(record), tokens_revoked: tokensRevoked };
      },
      async createInitialAccessToken(o) {
        const { token, record } = await createInitialAccessToken(ctx, initialAccessTokenInputFromWire(o, wire));
        return { ...toInitialAccessTokenView(record), initial_access_token: token };
      },
      async listClients(limit) {
        const clients = await store.clients.listClients({ limit });
        return Promise.all(clients.map(async (client) => ({ ...toClientView(client), keys: keyWire(await store.clients.listKeys(client.clientId)) })));
      },
      async queryAudit(q) {
        // The same reading of the same text as GET /admin/v1/audit.
        const query = readAuditQuery(q, Date.now());
        const events = await store.audit.queryAudit(query);
        const last = events.at(-1);
        const full = events.length === resolveAuditLimit(query.limit);
        return { events: events.map(toAuditEventView), ...(full && last?.id !== undefined ? { next_before: last.id } : {}) };
      },
      async listConsents(sub) {
        return (await listConsents(ctx, sub)).map(toConsentView);
      },
      async revokeConsent(sub, clientId) {
        // The same answer as DELETE /admin/v1/users/{sub}/consents/{client_id}.
        const result = await revokeConsent(ctx, { sub, clientId, actor });
        return { revoked: true, refresh_token_grants_revoked: result.refreshTokenGrants, tokens_revoked: result.accessTokens };
      },
    };
    let result: T;
    try {
      result = await work(target);
    } catch (error) {
      throw toCliError(error);
    }
    printWarning(await announceChanges(config, [...changed].map((clientId) => ({ type: 'client', clientId }))));
    return result;
  });
}

/** RegistryError → one clear CLI line with a fitting exit code; KeyError is left to main.ts. */
export function toCliError(error: unknown): unknown {
  if (error instanceof RegistryError) return new CliError(error.message, error.code === 'invalid' ? EXIT.usage : EXIT.failed);
  if (error instanceof KeyError) return error;
  return error;
}

interface AdminFile { issuer?: string; server?: string; client_id?: string; key?: string }

/** Calls one admin API route of the remote server: method, path under /admin/v1, optional JSON body. */
export type RemoteAdminCall = (method: string, path: string, body?: unknown) => Promise<Wire>;

/**
 * Connects to the server named by `--server`/`--admin-config` and returns the function that calls
 * its admin API with an admin access token (obtained by private_key_jwt, renewed as needed).
 */
export async function openRemoteAdminCall(options: TargetOptions): Promise<RemoteAdminCall> {
  let file: AdminFile = {};
  if (options.adminConfig !== undefined) {
    try {
      file = JSON.parse(readFileSync(options.adminConfig, 'utf8')) as AdminFile;
    } catch (error) {
      throw new CliError(`cannot read ${options.adminConfig} (${(error as Error).message}): give the admin.json written by \`keyward admin init\``, EXIT.input);
    }
  }
  const server = (options.server ?? file.server ?? file.issuer)?.replace(/\/+$/, '');
  const clientId = options.adminClientId ?? file.client_id;
  const keyPath = options.adminKey ?? file.key;
  if (!server || !clientId || !keyPath) throw new CliError('remote mode needs --server URL, --admin-key admin.key and --admin-client-id ID (or --admin-config admin.json)', EXIT.usage);
  let keyText: string;
  try {
    keyText = readFileSync(keyPath, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the admin key ${keyPath} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.input);
  }
  let metadata: { issuer?: string; token_endpoint?: string };
  try {
    const response = await fetch(`${server}/.well-known/oauth-authorization-server`, { signal: AbortSignal.timeout(10_000) });
    metadata = (await response.json()) as typeof metadata;
  } catch (error) {
    throw new CliError(`cannot reach ${server} (${(error as Error).message}): check --server`, EXIT.unreachable);
  }
  const tokens = createTokenClient({
    clientId,
    privateKey: keyText,
    tokenEndpoint: metadata.token_endpoint ?? `${server}/token`,
    audience: metadata.issuer ?? server,
    scope: 'keyward:admin',
    ...(process.env.KEYWARD_ADMIN_KEY_PASSPHRASE ? { passphrase: process.env.KEYWARD_ADMIN_KEY_PASSPHRASE } : {}),
  });

  async function call(method: string, path: string, body?: unknown): Promise<Wire> {
    let token: string;
    try {
      token = await tokens.getToken();
    } catch (error) {
      throw new CliError(`could not get an admin token from ${server}: ${(error as Error).message}`, EXIT.failed);
    }
    let response: Response;
    try {
      response = await fetch(`${server}/admin/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new CliError(`cannot reach ${server} (${(error as Error).message})`, EXIT.unreachable);
    }
    const text = await response.text();
    let json: Wire = {};
    try { json = JSON.parse(text) as Wire; } catch { json = { error: 'invalid_response', error_description: text.slice(0, 200) }; }
    if (!response.ok) {
      const code = response.status === 400 ? EXIT.usage : EXIT.failed;
      throw new CliError(`${String(json.error ?? response.status)}: ${String(json.error_description ?? 'the server refused the request')}`, code);
    }
    return json;
  }
  return call;
}

async function openRemoteTarget(options: TargetOptions): Promise<AdminTarget> {
  const call = await openRemoteAdminCall(options);
  const id = (clientId2: string) => encodeURIComponent(clientId2);
  return {
    createClient: (f) => call('POST', '/clients', f),
    getClient: (c) => call('GET', `/clients/${id(c)}`),
    updateClient: (c, f) => call('PATCH', `/clients/${id(c)}`, f),
    setState: (c, s) => call('POST', `/clients/${id(c)}/${s === 'disabled' ? 'disable' : 'enable'}`),
    deleteClient: (c) => call('DELETE', `/clients/${id(c)}`),
    listKeys: async (c) => (await call('GET', `/clients/${id(c)}/keys`)).keys as Wire[],
    addKeys: async (c, keys, v) => (await call('POST', `/clients/${id(c)}/keys`, { keys, ...v })).keys as Wire[],
    rotateKey: (c, keys, o) => call('POST', `/clients/${id(c)}/keys/rotate`, { keys, ...o }),
    revokeKey: (c, k) => call('POST', `/clients/${id(c)}/keys/${encodeURIComponent(k)}/revoke`),
    createInitialAccessToken: (o) => call('POST', '/initial-access-tokens', o),
    listClients: async (limit) => (await call('GET', `/clients?limit=${limit}`)).clients as Wire[],
    queryAudit: async (q) => {
      const query = new URLSearchParams(Object.entries(q).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
      const answer = await call('GET', `/audit?${query.toString()}`);
      return { events: answer.events as Wire[], ...(typeof answer.next_before === 'number' ? { next_before: answer.next_before } : {}) };
    },
    listConsents: async (sub) => (await call('GET', `/users/${id(sub)}/consents`)).consents as Wire[],
    revokeConsent: (sub, c) => call('DELETE', `/users/${id(sub)}/consents/${id(c)}`),
  };
}

/** Adds the local and remote target options to a command. */
export function addTargetOptions<T extends { option: (flags: string, description: string) => T }>(command: T): T {
  return command
    .option('--config <file>', 'config file (default: KEYWARD_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default: KEYWARD_DATA_DIR or ./.keyward)')
    .option('--server <url>', 'act on a running server through its admin API instead of the local data')
    .option('--admin-key <file>', 'remote: the admin client\'s private key (admin.key from `keyward admin init`)')
    .option('--admin-client-id <id>', 'remote: the admin client_id')
    .option('--admin-config <file>', 'remote: admin.json from `keyward admin init` (server, client_id, key)')
    .option('--json', 'print JSON with wire names');
}
