/**
 * /admin/v1/clients: list, create, read, update, disable, enable, delete. Every change is audited
 * with the admin client id as actor (registry service).
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';
import { jsonNoStore } from '../../middleware/errors.ts';
import { authorizationPolicyOf, createClient, deleteClient, getClientOrFail, listKeys, setClientState, updateClient } from '../../services/registry/index.ts';
import { clientUpdateFromWire, createClientInputFromWire } from '../../services/registry/from-wire.ts';
import { toClientView, toKeyView } from '../../services/registry/views.ts';
import { createClientBody, updateClientBody } from '../../services/registry/wire-schemas.ts';
import { readJsonBody } from './admin-schemas.ts';
import type { AdminEnv } from './admin-env.ts';
import { registryFor } from '../registry-for.ts';

/** Registers the client routes on the admin sub-app. */
export function registerAdminClientRoutes(app: Hono<AdminEnv>, ctx: ServerContext, options: { jwksUriAllowHosts: readonly string[] }): void {
  const maxBytes = Math.max(ctx.config.server.maxBodyBytes, 65536);
  const wire = {
    jwksUriAllowHosts: options.jwksUriAllowHosts, accessTokenTtl: ctx.config.tokens.accessTokenTtl, rotationOverlap: ctx.config.tokens.rotationOverlap,
    authorizationPolicy: authorizationPolicyOf(ctx.config),
  };

  app.get('/clients', async (c) => {
    const limit = Math.min(1000, Math.max(1, Number(c.req.query('limit') ?? 100) || 100));
    const after = c.req.query('after');
    const clients = await ctx.store.clients.listClients({ limit, ...(after ? { after } : {}) });
    return jsonNoStore({ clients: clients.map(toClientView), ...(clients.length === limit ? { next_after: clients.at(-1)!.clientId } : {}) });
  });

  app.post('/clients', async (c) => {
    const body = await readJsonBody(c, createClientBody, maxBytes);
    const { client, keys } = await createClient(registryFor(c, ctx), createClientInputFromWire(body, { ...wire, actor: c.get('actor') }));
    return jsonNoStore({ ...toClientView(client), keys: keys.map(toKeyView) }, 201);
  });

  app.get('/clients/:clientId', async (c) => {
    const registry = registryFor(c, ctx);
    const client = await getClientOrFail(registry, c.req.param('clientId'));
    const keys = await listKeys(registry, client.clientId);
    return jsonNoStore({ ...toClientView(client), keys: keys.map(toKeyView) });
  });

  app.patch('/clients/:clientId', async (c) => {
    const body = await readJsonBody(c, updateClientBody, maxBytes);
    const client = await updateClient(registryFor(c, ctx), c.req.param('clientId'), clientUpdateFromWire(body, wire), c.get('actor'));
    return jsonNoStore(toClientView(client));
  });

  app.post('/clients/:clientId/disable', async (c) => {
    const { client, tokensRevoked } = await setClientState(registryFor(c, ctx), c.req.param('clientId'), 'disabled', c.get('actor'));
    return jsonNoStore({ ...toClientView(client), tokens_revoked: tokensRevoked });
  });

  app.post('/clients/:clientId/enable', async (c) => {
    const { client } = await setClientState(registryFor(c, ctx), c.req.param('clientId'), 'enabled', c.get('actor'));
    return jsonNoStore(toClientView(client));
  });

  app.delete('/clients/:clientId', async (c) => {
    const { tokensRevoked } = await deleteClient(registryFor(c, ctx), c.req.param('clientId'), c.get('actor'));
    return jsonNoStore({ deleted: true, tokens_revoked: tokensRevoked });
  });
}
