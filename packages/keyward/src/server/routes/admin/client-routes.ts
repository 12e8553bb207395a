/**
 * /admin/v1/clients: list, create, read, update, disable, enable, delete. Every change is audited
 * with the admin client id as actor (registry service).
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';
import { jsonNoStore } from '../../middleware/errors.ts';
import { createClient, deleteClient, getClientOrFail, listKeys, setClientState, updateClient } from '../../services/registry/index.ts';
import { toClientView, toKeyView } from '../../services/registry/views.ts';
import { authorizationPolicyOf, type AuthorizationFieldPolicy } from '../../services/registry/authorization-fields.ts';
import { createClientBody, readJsonBody, splitScope, toAuthorizationInput, toDate, updateClientBody } from './admin-schemas.ts';
import type { AdminEnv } from './admin-env.ts';

/** Registers the client routes on the admin sub-app. */
export function registerAdminClientRoutes(app: Hono<AdminEnv>, ctx: ServerContext, options: { jwksUriAllowHosts: readonly string[] }): void {
  const { registry } = ctx;
  const maxBytes = Math.max(ctx.config.server.maxBodyBytes, 65536);

  app.get('/clients', async (c) => {
    const limit = Math.min(1000, Math.max(1, Number(c.req.query('limit') ?? 100) || 100));
    const after = c.req.query('after');
    const clients = await ctx.store.clients.listClients({ limit, ...(after ? { after } : {}) });
    return jsonNoStore({ clients: clients.map(toClientView), ...(clients.length === limit ? { next_after: clients.at(-1)!.clientId } : {}) });
  });

  app.post('/clients', async (c) => {
    const body = await readJsonBody(c, createClientBody, maxBytes);
    const notBefore = toDate(body.not_before);
    const notAfter = toDate(body.not_after);
    const scopes = splitScope(body.scope);
    const { client, keys } = await createClient(registry, {
      actor: c.get('actor'),
      name: body.client_name,
      accessTokenTtl: body.access_token_ttl ?? ctx.config.tokens.accessTokenTtl,
      ...(body.client_id !== undefined ? { clientId: body.client_id } : {}),
      ...(body.contact !== undefined ? { contact: body.contact } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.grant_types !== undefined ? { grantTypes: body.grant_types } : {}),
      ...(scopes !== undefined ? { scopes } : {}),
      ...(body.audience_policy !== undefined ? { audiencePolicy: body.audience_policy } : {}),
      ...(body.alg_pin !== undefined ? { algPin: body.alg_pin } : {}),
      ...(body.keys !== undefined ? { keys: body.keys } : {}),
      ...(body.jwks_uri !== undefined ? { jwksUri: body.jwks_uri, jwksUriAllowHosts: options.jwksUriAllowHosts } : {}),
      keyValidity: { ...(notBefore ? { notBefore } : {}), ...(notAfter ? { notAfter } : {}) },
      ...authorizationOf(body, authorizationPolicyOf(ctx.config)),
    });
    return jsonNoStore({ ...toClientView(client), keys: keys.map(toKeyView) }, 201);
  });

  app.get('/clients/:clientId', async (c) => {
    const client = await getClientOrFail(registry, c.req.param('clientId'));
    const keys = await listKeys(registry, client.clientId);
    return jsonNoStore({ ...toClientView(client), keys: keys.map(toKeyView) });
  });

  app.patch('/clients/:clientId', async (c) => {
    const body = await readJsonBody(c, updateClientBody, maxBytes);
    const scopes = splitScope(body.scope);
    const client = await updateClient(registry, c.req.param('clientId'), {
      ...(body.client_name !== undefined ? { name: body.client_name } : {}),
      ...(body.contact !== undefined ? { contact: body.contact } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.grant_types !== undefined ? { grantTypes: body.grant_types } : {}),
      ...(scopes !== undefined ? { scopes } : {}),
      ...(body.access_token_ttl !== undefined ? { accessTokenTtl: body.access_token_ttl } : {}),
      ...(body.audience_policy !== undefined ? { audiencePolicy: body.audience_policy } : {}),
      ...(body.alg_pin !== undefined ? { algPin: body.alg_pin } : {}),
      ...(body.jwks_uri !== undefined ? { jwksUri: body.jwks_uri, jwksUriAllowHosts: options.jwksUriAllowHosts } : {}),
      ...authorizationOf(body, authorizationPolicyOf(ctx.config)),
    }, c.get('actor'));
    return jsonNoStore(toClientView(client));
  });

  app.post('/clients/:clientId/disable', async (c) => {
    const { client, tokensRevoked } = await setClientState(registry, c.req.param('clientId'), 'disabled', c.get('actor'));
    return jsonNoStore({ ...toClientView(client), tokens_revoked: tokensRevoked });
  });

  app.post('/clients/:clientId/enable', async (c) => {
    const { client } = await setClientState(registry, c.req.param('clientId'), 'enabled', c.get('actor'));
    return jsonNoStore(toClientView(client));
  });

  app.delete('/clients/:clientId', async (c) => {
    const { tokensRevoked } = await deleteClient(registry, c.req.param('clientId'), c.get('actor'));
    return jsonNoStore({ deleted: true, tokens_revoked: tokensRevoked });
  });
}

/** The authorization-code flow fields of an admin body, with the server's policy for them. */
function authorizationOf(body: Parameters<typeof toAuthorizationInput>[0], policy: AuthorizationFieldPolicy) {
  const authorization = toAuthorizationInput(body);
  return authorization === undefined ? {} : { authorization, authorizationPolicy: policy };
}
