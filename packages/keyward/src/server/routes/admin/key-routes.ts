/**
 * /admin/v1/clients/{client_id}/keys: list with facts, add (PEM, certificate, JWK or JWKS), rotate
 * (add + scheduled retirement of the old key), revoke (immediate; the key's tokens are revoked).
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';
import { jsonNoStore } from '../../middleware/errors.ts';
import { addKeys, listKeys, revokeKey, rotateKey } from '../../services/registry/index.ts';
import { addKeysInputFromWire, rotateKeyInputFromWire } from '../../services/registry/from-wire.ts';
import { toKeyView } from '../../services/registry/views.ts';
import { addKeysBody, rotateKeyBody } from '../../services/registry/wire-schemas.ts';
import { readJsonBody } from './admin-schemas.ts';
import type { AdminEnv } from './admin-env.ts';
import { registryFor } from '../registry-for.ts';

/** Registers the key routes on the admin sub-app. */
export function registerAdminKeyRoutes(app: Hono<AdminEnv>, ctx: ServerContext): void {
  const maxBytes = Math.max(ctx.config.server.maxBodyBytes, 65536);

  app.get('/clients/:clientId/keys', async (c) => {
    const keys = await listKeys(registryFor(c, ctx), c.req.param('clientId'));
    return jsonNoStore({ keys: keys.map(toKeyView) });
  });

  app.post('/clients/:clientId/keys', async (c) => {
    const body = await readJsonBody(c, addKeysBody, maxBytes);
    const keys = await addKeys(registryFor(c, ctx), addKeysInputFromWire(c.req.param('clientId'), body, { actor: c.get('actor') }));
    return jsonNoStore({ keys: keys.map(toKeyView) }, 201);
  });

  app.post('/clients/:clientId/keys/rotate', async (c) => {
    const body = await readJsonBody(c, rotateKeyBody, maxBytes);
    const { added, retiring } = await rotateKey(registryFor(c, ctx), rotateKeyInputFromWire(c.req.param('clientId'), body, { actor: c.get('actor'), rotationOverlap: ctx.config.tokens.rotationOverlap }));
    return jsonNoStore({ added: added.map(toKeyView), retiring: retiring.map(toKeyView) }, 201);
  });

  app.post('/clients/:clientId/keys/:key/revoke', async (c) => {
    const { key, tokensRevoked } = await revokeKey(registryFor(c, ctx), { clientId: c.req.param('clientId'), key: c.req.param('key'), actor: c.get('actor') });
    return jsonNoStore({ ...toKeyView(key), tokens_revoked: tokensRevoked });
  });
}
